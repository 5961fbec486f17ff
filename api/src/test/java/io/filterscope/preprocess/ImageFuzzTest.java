package io.filterscope.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.filterscope.FilterScopeException;
import io.filterscope.Limits;
import io.filterscope.model.Layout;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of image decoding plus preprocessing (docs/fuzzing.md): ImageIO's PNG,
 * JPEG (native), BMP and GIF decoders behind {@link Images#read}, the header check before decoding,
 * the pixel extraction for every colour model, and the resize, crop and normalisation of
 * {@link Preprocessor}. Without {@code JAZZER_FUZZ=1} it replays the seeds under
 * {@code ImageFuzzTestInputs/} (small real images of each format and colour model).
 *
 * <p>The property: any bytes give an input tensor of the asked shape whose values are finite and, for
 * the unit preset, within 0..1; or a {@link FilterScopeException} of one line naming the file.
 */
class ImageFuzzTest {

    /** Four megapixels: a fuzzed header may declare up to the limit, and decoding that is slow, not wrong. */
    private static final String FUZZ_PIXEL_LIMIT = "4000000";

    private static final Preprocessing IMAGENET_SMALL = Preprocessing.of(Preset.IMAGENET, 3, 32, 32, Layout.NCHW);
    private static final Preprocessing GRAY_UNIT = Preprocessing.of(Preset.UNIT, 1, 28, 28, Layout.NHWC);

    @FuzzTest(maxDuration = "60s")
    void readAndPreprocessGivesAnInputOrOneLine(byte[] data) throws IOException {
        Path file = Files.createTempFile("fuzz-image-", ".img");
        String before = System.getProperty(Limits.IMAGE_MAX_PIXELS);
        System.setProperty(Limits.IMAGE_MAX_PIXELS, FUZZ_PIXEL_LIMIT);
        try {
            Files.write(file, data);
            BufferedImage img;
            try {
                img = Images.read(file);
            } catch (FilterScopeException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                return;
            }
            check(Preprocessor.apply(img, IMAGENET_SMALL), Shape.of(1, 3, 32, 32), Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            check(Preprocessor.apply(img, GRAY_UNIT), Shape.of(1, 28, 28, 1), 0f, 1f);
        } finally {
            if (before == null) {
                System.clearProperty(Limits.IMAGE_MAX_PIXELS);
            } else {
                System.setProperty(Limits.IMAGE_MAX_PIXELS, before);
            }
            Files.deleteIfExists(file);
        }
    }

    private static void check(Tensor t, Shape shape, float min, float max) {
        assertEquals(shape, t.shape());
        for (float v : t.toArray()) {
            assertTrue(Float.isFinite(v) && v >= min && v <= max, () -> "value " + v + " outside " + min + ".." + max);
        }
    }
}
