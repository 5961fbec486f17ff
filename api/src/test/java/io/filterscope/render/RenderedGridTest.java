package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tile rectangles {@link GridRenderer} reports must be where the ink is. */
class RenderedGridTest {

    @Test
    void tilesAreWhereTheInkIsAndNamesTheirChannels() {
        FeatureMaps maps = GridRendererTest.maps(7, 3, 5, (o, c, y, x) -> 1 + c * 100 + y * 10 + x);
        RenderedGrid g = GridRenderer.renderFeatureMaps(maps, GridRendererTest.plain(Colormap.VIRIDIS, Normalization.PER_TILE, 4, 3),
                List.of(6, 2, 0, 1, 3, 4, 5));
        assertEquals(7, g.tiles().size());
        // 7 tiles → 3 columns; the ink runs along the first tile row are the tiles of that row.
        List<int[]> runs = GridRendererTest.runsAlongRow(g.image(), g.tiles().get(0).y());
        assertEquals(3, runs.size());
        for (int c = 0; c < 3; c++) {
            RenderedGrid.Tile t = g.tiles().get(c);
            assertEquals(runs.get(c)[0], t.x());
            assertEquals(runs.get(c)[1], t.width());
            assertEquals(20, t.width());
            assertEquals(12, t.height());
        }
        List<int[]> down = GridRendererTest.runsAlongColumn(g.image(), g.tiles().get(0).x());
        assertEquals(3, down.size());
        assertEquals(down.get(1)[0], g.tiles().get(3).y());
        assertEquals(List.of(6, 2, 0, 1, 3, 4, 5), g.tiles().stream().map(RenderedGrid.Tile::channel).toList());
        assertTrue(g.tiles().stream().allMatch(t -> t.inputChannel() == -1));
    }

    @Test
    void aPointMapsToTheValueDrawnThere() {
        FeatureMaps maps = GridRendererTest.maps(4, 3, 5, (o, c, y, x) -> c * 100 + y * 10 + x);
        GridStyle style = GridRendererTest.plain(Colormap.GRAY, Normalization.PER_LAYER, 3, 2);
        RenderedGrid g = GridRenderer.renderFeatureMaps(maps, style, List.of(0, 1, 2, 3));
        BufferedImage img = GridRenderer.featureMaps(maps, style);
        float lo = 0;
        float hi = 324;
        for (RenderedGrid.Tile t : g.tiles()) {
            for (int py = t.y(); py < t.y() + t.height(); py++) {
                for (int px = t.x(); px < t.x() + t.width(); px++) {
                    assertEquals(t, g.tileAt(px, py).orElseThrow());
                    float v = maps.maps().get(t.channel(), t.rowAt(py), t.columnAt(px));
                    assertEquals(Colormap.GRAY.rgb(((double) v - lo) / ((double) hi - lo)), img.getRGB(px, py) & 0xffffff);
                }
            }
        }
        assertTrue(g.tileAt(0, 0).isEmpty(), "the margin is no tile");
    }

    @Test
    void filterTilesNameFilterAndInputChannel() {
        FilterBank bank = GridRendererTest.bank(3, 5, 3, 3, (o, i, y, x) -> o - i + y * x);
        RenderedGrid g = GridRenderer.renderFilters(bank, GridStyle.filters(), ChannelOrder.RGB);
        assertEquals(15, g.tiles().size());
        RenderedGrid.Tile t = g.tiles().get(7);
        assertEquals(1, t.channel());
        assertEquals(2, t.inputChannel());
        assertEquals(g.image().getWidth(), GridRenderer.filters(bank, GridStyle.filters()).getWidth());

        FilterBank rgb = GridRendererTest.bank(4, 3, 3, 3, (o, i, y, x) -> o + i);
        RenderedGrid colour = GridRenderer.renderFilters(rgb, GridStyle.filters(), ChannelOrder.RGB);
        assertEquals(List.of(0, 1, 2, 3), colour.tiles().stream().map(RenderedGrid.Tile::channel).toList());
        assertEquals(-1, colour.tiles().get(0).inputChannel());
    }
}
