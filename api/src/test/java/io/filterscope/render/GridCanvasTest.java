package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A part painted by {@link GridCanvas} has exactly the pixels of the whole grid there. */
class GridCanvasTest {

    private static FilterBank bank(int out, int in, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[out * in * k * k];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new FilterBank("conv", Tensor.of(Shape.of(out, in, k, k), v), Optional.empty(),
                new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
    }

    @Test
    void partsMatchTheWholeGrid() {
        SplittableRandom r = new SplittableRandom(1);
        // (filter, channel) form with headers and a note, a colour first layer, depthwise, and a layout with odd gaps and scales.
        Object[][] cases = {
            {bank(40, 70, 3, 2), GridStyle.filters()},
            {bank(12, 3, 5, 3), GridStyle.filters()},
            {bank(30, 1, 3, 4), GridStyle.filters().withColormap(Colormap.COOLWARM)},
            {bank(9, 5, 3, 5), new GridStyle(Colormap.MAGMA, Normalization.PER_TILE, 7, 3, true, true, 0, true, Paper.WHITE)},
        };
        for (Object[] c : cases) {
            FilterBank b = (FilterBank) c[0];
            GridStyle style = (GridStyle) c[1];
            GridCanvas canvas = GridRenderer.layOutFilters(b, style, ChannelOrder.RGB);
            RenderedGrid whole = GridRenderer.renderFilters(b, style, ChannelOrder.RGB);
            BufferedImage full = whole.image();
            assertEquals(full.getWidth(), canvas.width());
            assertEquals(full.getHeight(), canvas.height());
            assertEquals(whole.tiles(), canvas.tiles());
            assertSame(full, canvas.render().image(), new Rectangle(0, 0, full.getWidth(), full.getHeight()));
            for (int k = 0; k < 40; k++) {
                int x = r.nextInt(-20, full.getWidth());
                int y = r.nextInt(-20, full.getHeight());
                Rectangle region = new Rectangle(x, y, r.nextInt(1, 400), r.nextInt(1, 300));
                Rectangle clipped = region.intersection(new Rectangle(full.getWidth(), full.getHeight()));
                if (clipped.isEmpty()) {
                    continue;
                }
                assertSame(full, canvas.paint(region), clipped);
            }
            // The whole grid painted as one region, and single pixels.
            assertSame(full, canvas.paint(new Rectangle(-5, -5, full.getWidth() + 10, full.getHeight() + 10)),
                    new Rectangle(0, 0, full.getWidth(), full.getHeight()));
            assertSame(full, canvas.paint(new Rectangle(full.getWidth() - 1, full.getHeight() - 1, 1, 1)),
                    new Rectangle(full.getWidth() - 1, full.getHeight() - 1, 1, 1));
        }
    }

    @Test
    void aWideLayersTopLeftIsPaintedAloneAndMatches() {
        // 512 × 512 × 3 × 3 as in ResNet's layer4: 64 input channels drawn, 512 rows; about 65 million pixels in all.
        FilterBank b = bank(512, 512, 3, 7);
        GridCanvas canvas = GridRenderer.layOutFilters(b, GridStyle.filters(), ChannelOrder.RGB);
        Rectangle view = new Rectangle(0, canvas.height() - 700, 1200, 700);
        BufferedImage part = canvas.paint(view);
        BufferedImage full = canvas.render().image();
        assertSame(full, part, view);
        assertSame(full, canvas.paint(new Rectangle(300, 5000, 900, 800)), new Rectangle(300, 5000, 900, 800));
    }

    @Test
    void aRegionOutsideTheGridIsRefused() {
        GridCanvas canvas = GridRenderer.layOutFilters(bank(4, 4, 3, 1), GridStyle.filters(), ChannelOrder.RGB);
        assertThrows(IllegalArgumentException.class, () -> canvas.paint(new Rectangle(canvas.width(), 0, 10, 10)));
    }

    private static void assertSame(BufferedImage full, BufferedImage part, Rectangle where) {
        assertEquals(where.width, part.getWidth(), "width of " + where);
        assertEquals(where.height, part.getHeight(), "height of " + where);
        int[] expected = full.getRGB(where.x, where.y, where.width, where.height, null, 0, where.width);
        int[] actual = part.getRGB(0, 0, where.width, where.height, null, 0, where.width);
        assertArrayEquals(expected, actual, "pixels of " + where);
    }
}
