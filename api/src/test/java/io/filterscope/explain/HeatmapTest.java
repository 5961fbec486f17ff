package io.filterscope.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.render.Colormap;
import io.filterscope.render.Heatmaps;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Heatmap resizing against PyTorch's bilinear interpolation, normalising, and drawing. */
class HeatmapTest {
    private static final Path REF = Path.of("src/test/resources/explain");

    @ParameterizedTest(name = "{0}x{1} to {2}x{3}")
    @CsvSource({"5, 7, 17, 30", "7, 7, 28, 28", "3, 4, 2, 9"})
    void upsamplingEqualsTorchInterpolate(int h, int w, int oh, int ow) {
        Heatmap map = new Heatmap(Npy.read(REF.resolve("map_" + h + "x" + w + ".npy")));
        float[] want = Npy.read(REF.resolve("map_" + h + "x" + w + "_to_" + oh + "x" + ow + ".npy")).toArray();
        Heatmap up = map.upsampled(oh, ow);
        assertEquals(oh, up.height());
        assertEquals(ow, up.width());
        assertArrayEquals(want, up.values().toArray(), 1e-6f);
    }

    @Test
    void normalizedSpansZeroToOneAndAConstantMapIsZero() {
        Heatmap m = new Heatmap(Tensor.of(Shape.of(2, 2), new float[] {-1, 1, 3, Float.NaN}));
        assertArrayEquals(new float[] {0, 0.5f, 1, 0}, m.normalized().values().toArray(), 1e-7f);
        Heatmap flat = new Heatmap(Tensor.of(Shape.of(1, 3), new float[] {2, 2, 2}));
        assertArrayEquals(new float[] {0, 0, 0}, flat.normalized().values().toArray());
    }

    @Test
    void overlayIsHeatmapsOverlayOfTheNormalizedMap() {
        Heatmap m = new Heatmap(Tensor.of(Shape.of(2, 2), new float[] {0, 10, 20, 40}));
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        BufferedImage got = m.overlay(img, Colormap.INFERNO, 0.6f);
        BufferedImage want = Heatmaps.overlay(img, m.normalized().values(), Colormap.INFERNO, 0.6f);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(want.getRGB(x, y), got.getRGB(x, y));
            }
        }
        BufferedImage alone = m.image(Colormap.GRAY);
        assertEquals(Colormap.GRAY.rgb(1.0) & 0xffffff, alone.getRGB(1, 1) & 0xffffff);
        assertEquals(Colormap.GRAY.rgb(0.0) & 0xffffff, alone.getRGB(0, 0) & 0xffffff);
    }

    @Test
    void onlyTwoDimensionalMaps() {
        assertThrows(IllegalArgumentException.class, () -> new Heatmap(Tensor.zeros(Shape.of(1, 2, 2))));
    }
}
