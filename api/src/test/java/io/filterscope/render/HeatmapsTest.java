package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Fixtures;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class HeatmapsTest {

    private static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    @Test
    void resizesLikeTorchInterpolateBilinear() {
        // With the gray map at alpha 1 each pixel shows the resized value as table entry floor(v × 256).
        Tensor coarse = Npy.read(Fixtures.path("render/heatmap_3x4.npy"));
        float[] fine = Npy.read(Fixtures.path("render/heatmap_3x4_to_7x9.npy")).toArray();
        BufferedImage out = Heatmaps.overlay(filled(9, 7, 0x123456), coarse, Colormap.GRAY, 1f);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 9; x++) {
                int expected = Math.min(255, (int) (fine[y * 9 + x] * 256));
                int actual = out.getRGB(x, y) & 0xff;
                assertTrue(Math.abs(expected - actual) <= 1, "at " + x + "," + y + ": expected " + expected + ", got " + actual);
            }
        }
    }

    @Test
    void blendsWithAlpha() {
        BufferedImage img = filled(4, 3, 0x204060);
        Tensor ones = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 1, 1, 1});
        assertEquals(0x204060, Heatmaps.overlay(img, ones, Colormap.INFERNO, 0f).getRGB(1, 1) & 0xffffff);
        assertEquals(Colormap.INFERNO.rgb(1), Heatmaps.overlay(img, ones, Colormap.INFERNO, 1f).getRGB(2, 2) & 0xffffff);
        int half = Heatmaps.overlay(filled(1, 1, 0x000000), Tensor.of(Shape.of(1, 1), new float[] {1}), Colormap.GRAY, 0.5f).getRGB(0, 0);
        assertEquals(0x808080, half & 0xffffff);
    }

    @Test
    void refusesMapsThatAreNotTwoDimensional() {
        BufferedImage img = filled(2, 2, 0);
        assertThrows(FilterScopeException.class, () -> Heatmaps.overlay(img, Tensor.zeros(Shape.of(3, 2, 2)), Colormap.GRAY, 0.5f));
        assertThrows(FilterScopeException.class, () -> Heatmaps.overlay(img, Tensor.zeros(Shape.of(4)), Colormap.GRAY, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.overlay(img, Tensor.zeros(Shape.of(2, 2)), Colormap.GRAY, 2f));
    }
}
