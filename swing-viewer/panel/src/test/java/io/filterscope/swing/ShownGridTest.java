package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.filterscope.model.ChannelStats;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the tooltips and the tile window say about filter tiles, in each of GridRenderer's forms. */
class ShownGridTest {

    /** Weight (o, i, y, x) = o + i / 10 + y / 100 + x / 1000, so every value says where it is. */
    static FilterBank bank(int out, int in) {
        float[] v = new float[out * in * 9];
        int n = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        v[n++] = o + i / 10f + y / 100f + x / 1000f;
                    }
                }
            }
        }
        return new FilterBank("conv", Tensor.of(Shape.of(out, in, 3, 3), v), Optional.empty(),
                new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
    }

    static RenderedGrid.Tile tile(RenderedGrid g, int channel, int input) {
        return g.tiles().stream().filter(t -> t.channel() == channel && t.inputChannel() == input).findFirst().orElseThrow();
    }

    @Test
    void colourFiltersReadOutAllThreeChannels() {
        FilterBank rgb = bank(4, 3);
        RenderedGrid g = GridRenderer.renderFilters(rgb, GridStyle.filters(), ChannelOrder.RGB);
        ShownGrid.FilterValues v = new ShownGrid.FilterValues(rgb);
        RenderedGrid.Tile t = tile(g, 2, -1);
        assertEquals("filter 2 (channels as R, G, B)", v.name(t));
        assertEquals("R 2.012, G 2.112, B 2.212", v.valueAt(t, 1, 2));
        ChannelStats s = v.stats(t);
        assertEquals(2.0f, s.min(), 1e-6);
        assertEquals(2.222f, s.max(), 1e-6);
    }

    @Test
    void filterChannelPairsReadOutTheirOwnChannel() {
        FilterBank deep = bank(3, 5);
        RenderedGrid g = GridRenderer.renderFilters(deep, GridStyle.filters(), ChannelOrder.RGB);
        ShownGrid.FilterValues v = new ShownGrid.FilterValues(deep);
        RenderedGrid.Tile t = tile(g, 1, 4);
        assertEquals("filter 1, input channel 4", v.name(t));
        assertEquals("1.421", v.valueAt(t, 2, 1));
        assertEquals(1.4f, v.stats(t).min(), 1e-6);
        assertEquals(1.422f, v.stats(t).max(), 1e-6);

        FilterBank gray = bank(6, 1);
        RenderedGrid g1 = GridRenderer.renderFilters(gray, GridStyle.filters(), ChannelOrder.RGB);
        assertEquals("filter 5", new ShownGrid.FilterValues(gray).name(tile(g1, 5, 0)));
    }
}
