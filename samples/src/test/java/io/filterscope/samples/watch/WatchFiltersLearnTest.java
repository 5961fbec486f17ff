package io.filterscope.samples.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Trains for real on a slice of Fashion-MNIST (Debian's package) and checks the recorded frames. */
class WatchFiltersLearnTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return WatchFiltersLearn.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "graph={0}")
    @ValueSource(booleans = {false, true})
    void recordsFramesThatShowTheFiltersChanging(boolean graph) throws IOException {
        Path frames = tmp.resolve("frames");
        // 12 batches of 64, a snapshot every 4 iterations: the start plus 3 frames.
        String[] args = graph
                ? new String[] {"--graph", "--headless", "-o", frames.toString(), "--limit", "768", "--every", "4", "--eval", "256"}
                : new String[] {"--headless", "-o", frames.toString(), "--limit", "768", "--every", "4", "--eval", "256"};
        assertEquals(0, run(args), err.toString());
        String summary = out.toString();
        assertTrue(summary.contains((graph ? "ComputationGraph" : "MultiLayerNetwork") + ": 12 iterations"), summary);

        try (Stream<Path> files = Files.list(frames)) {
            assertEquals(4, files.filter(p -> p.getFileName().toString().matches("frame-\\d{4}\\.png")).count());
        }
        BufferedImage first = ImageIO.read(frames.resolve("frame-0001.png").toFile());
        BufferedImage last = ImageIO.read(frames.resolve("frame-0004.png").toFile());
        assertEquals(first.getWidth(), last.getWidth());
        // The filter grid sits left under the caption: training must have changed its pixels.
        assertTrue(differingPixels(first, last, 8, 30, 120, 120) > 500, "filters did not change between frames");

        try (ImageInputStream in = ImageIO.createImageInputStream(frames.resolve("training.gif").toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertEquals(4, reader.getNumImages(true));
            BufferedImage gifLast = reader.read(3);
            assertEquals(last.getWidth(), gifLast.getWidth());
            assertEquals(last.getHeight(), gifLast.getHeight());
        }
    }

    @Test
    void savedNetworkOpensInFilterScopeWithTheTrainedWeights() throws IOException {
        Path saved = tmp.resolve("net.zip");
        assertEquals(0, run("--no-view", "--limit", "256", "--eval", "256", "--save", saved.toString()), err.toString());
        try (io.filterscope.model.Model model = io.filterscope.FilterScope.open(saved)) {
            assertEquals(16, model.filters("conv1").shape().dim(0));
            assertEquals(64, model.filters("conv3").shape().dim(0));
        }
    }

    @Test
    void missingDatasetNamesTheDebianPackageAndWritesNothing() {
        Path frames = tmp.resolve("frames");
        int code = run("--headless", "-o", frames.toString(), "--data", tmp.resolve("nowhere").toString());
        assertEquals(2, code);
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("apt-get install dataset-fashion-mnist"), message);
        assertFalse(Files.exists(frames));
    }

    @Test
    void badOptionIsOneLineAndExitTwo() {
        assertEquals(2, run("--headless", "-o", tmp.toString(), "--every", "0"));
        assertEquals("--every must be at least 1, got 0", err.toString().strip());
    }

    private static int differingPixels(BufferedImage a, BufferedImage b, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < Math.min(y0 + h, a.getHeight()); y++) {
            for (int x = x0; x < Math.min(x0 + w, a.getWidth()); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }
}
