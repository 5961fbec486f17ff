package io.filterscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Grad-CAM sample: it explains the right class, writes the overlay, and refuses as the CLI does. */
class GradCamTest {
    private static final Path DIR = Path.of("../samples/models/fashion-mnist");

    private static String[] run(String... args) {
        return SampleRun.run(GradCam::run, args);
    }

    @Test
    void gradCamOfTheKerasModelOnAShirt(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("gradcam.png");
        Explanation e = GradCam.explain(DIR.resolve("fashion_cnn_keras.keras"), DIR.resolve("images/6-shirt.png"), png, Method.GRAD_CAM);
        assertEquals(6, e.outputIndex());              // the file name says the class; the model gets it right
        assertEquals("pool3", e.layer().orElseThrow());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(28, img.getWidth());
        assertEquals(28, img.getHeight());
    }

    @Test
    void refusesGradientsOnAnOnnxModelAndSuggestsScoreCam(@TempDir Path tmp) {
        String[] r = run(DIR.resolve("fashion_cnn.onnx").toString(), DIR.resolve("images/6-shirt.png").toString(),
                tmp.resolve("x.png").toString());
        if (r[0].equals("0")) {
            // The ONNX backend has gradients for this model: Grad-CAM runs and explains the right class.
            assertTrue(r[1].startsWith("gradcam of class 6 "), r[1]);
            assertTrue(Files.exists(tmp.resolve("x.png")));
            return;
        }
        assertEquals("2", r[0], r[2]);
        assertEquals(1, r[2].lines().count(), r[2]);
        assertTrue(r[2].contains("scorecam"), r[2]);
        assertFalse(Files.exists(tmp.resolve("x.png")));
        String[] score = run(DIR.resolve("fashion_cnn.onnx").toString(), DIR.resolve("images/6-shirt.png").toString(),
                tmp.resolve("x.png").toString(), "scorecam");
        assertEquals("0", score[0], score[2]);
        assertTrue(score[1].startsWith("scorecam of class 6"), score[1]);
    }

    @Test
    void withoutArgumentsPrintsUsage() {
        String[] r = run();
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("usage: GradCam MODEL IMAGE OUT.png"), r[2]);
    }
}
