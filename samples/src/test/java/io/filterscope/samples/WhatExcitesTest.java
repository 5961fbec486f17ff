package io.filterscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.VisualizeRequest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature visualisation sample: it writes the api's image for the channel, raises the channel's activation, and refuses in one line. */
class WhatExcitesTest {
    private static final Path MODEL = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");

    private static String[] run(String... args) {
        return SampleRun.run(WhatExcites::run, args);
    }

    @Test
    void writesTheVisualizersImageForTheChannel(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("channel3.png");
        String[] r = run(MODEL.toString(), "/conv3/Conv", "3", png.toString(), "48");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("channel 3 of /conv3/Conv: mean activation "), r[1]);
        BufferedImage written = ImageIO.read(png.toFile());
        BufferedImage expected;
        double start;
        double end;
        try (Model model = FilterScope.open(MODEL)) {
            var v = new FeatureVisualizer(model).visualize(VisualizeRequest.channel("/conv3/Conv", 3).withSteps(48));
            expected = v.picture();
            start = v.startObjective();
            end = v.objective();
        }
        assertEquals(expected.getWidth(), written.getWidth());
        assertEquals(expected.getHeight(), written.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y), written.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertTrue(end > 2 * start, "the image excites the channel far more than the start noise: " + start + " -> " + end);
    }

    @Test
    void refusesAnUnknownLayerInOneLineAndWritesNothing(@TempDir Path tmp) {
        Path png = tmp.resolve("x.png");
        String[] r = run(MODEL.toString(), "/no/such/layer", "0", png.toString(), "4");
        assertEquals("2", r[0]);
        assertEquals(1, r[2].lines().count(), r[2]);
        assertTrue(r[2].contains("/no/such/layer"), r[2]);
        assertFalse(Files.exists(png));
    }

    @Test
    void withoutArgumentsPrintsUsage() {
        String[] r = run();
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("usage: WhatExcites MODEL LAYER CHANNEL OUT.png"), r[2]);
        String[] bad = run(MODEL.toString(), "/conv3/Conv", "three", "x.png");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("'three'"), bad[2]);
    }
}
