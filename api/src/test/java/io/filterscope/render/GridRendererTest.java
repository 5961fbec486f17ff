package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GridRendererTest {
    private static final int WHITE = 0xffffff;

    /** A bank whose value at (o, i, y, x) is {@code f(o, i, y, x)}. */
    interface Weights {
        float at(int o, int i, int y, int x);
    }

    static FilterBank bank(int out, int in, int kh, int kw, Weights f) {
        float[] v = new float[out * in * kh * kw];
        int n = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        v[n++] = f.at(o, i, y, x);
                    }
                }
            }
        }
        return new FilterBank("conv", Tensor.of(Shape.of(out, in, kh, kw), v), Optional.empty(),
                new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
    }

    /** A plain grid: no labels or bar, so every non-white pixel belongs to a tile. */
    static GridStyle plain(Colormap c, Normalization n, int scale, int gap) {
        return new GridStyle(c, n, scale, gap, false, false, 0);
    }

    /** Starts and lengths of the runs of non-white pixels along row y. */
    static List<int[]> runsAlongRow(BufferedImage img, int y) {
        List<int[]> runs = new ArrayList<>();
        int start = -1;
        for (int x = 0; x <= img.getWidth(); x++) {
            boolean ink = x < img.getWidth() && (img.getRGB(x, y) & 0xffffff) != WHITE;
            if (ink && start < 0) {
                start = x;
            } else if (!ink && start >= 0) {
                runs.add(new int[] {start, x - start});
                start = -1;
            }
        }
        return runs;
    }

    static List<int[]> runsAlongColumn(BufferedImage img, int x) {
        List<int[]> runs = new ArrayList<>();
        int start = -1;
        for (int y = 0; y <= img.getHeight(); y++) {
            boolean ink = y < img.getHeight() && (img.getRGB(x, y) & 0xffffff) != WHITE;
            if (ink && start < 0) {
                start = y;
            } else if (!ink && start >= 0) {
                runs.add(new int[] {start, y - start});
                start = -1;
            }
        }
        return runs;
    }

    /** The first pixel row that is not all white. */
    static int firstInkRow(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            if (!runsAlongRow(img, y).isEmpty()) {
                return y;
            }
        }
        throw new AssertionError("blank image");
    }

    @Test
    void rendersHeadless() {
        assertTrue(GraphicsEnvironment.isHeadless(), "tests run with java.awt.headless=true, as servers do");
        BufferedImage img = GridRenderer.filters(bank(4, 2, 3, 3, (o, i, y, x) -> o - i + y - x), GridStyle.filters());
        assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
    }

    @Test
    void filterByChannelGridHasOneRowPerFilterAndOneColumnPerInputChannel() {
        FilterBank b = bank(5, 4, 3, 2, (o, i, y, x) -> o + i * 0.1f + y * 0.01f + x * 0.001f);
        BufferedImage img = GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 4, 3));
        int top = firstInkRow(img);
        List<int[]> cols = runsAlongRow(img, top + 1);
        assertEquals(4, cols.size(), "one tile column per input channel");
        cols.forEach(r -> assertEquals(2 * 4, r[1], "tile width = kW × scale"));
        assertEquals(3 + 8, cols.get(1)[0] - cols.get(0)[0], "tiles are a gap apart");
        List<int[]> rows = runsAlongColumn(img, cols.get(0)[0] + 1);
        assertEquals(5, rows.size(), "one tile row per output filter");
        rows.forEach(r -> assertEquals(3 * 4, r[1], "tile height = kH × scale"));
    }

    @Test
    void aKnownValueHasItsColourAtItsPlace() {
        // Every weight is 0 except filter 3, input channel 1, row 2, column 0, which is the layer max.
        FilterBank b = bank(4, 2, 3, 3, (o, i, y, x) -> o == 3 && i == 1 && y == 2 && x == 0 ? 5f : 0f);
        int scale = 6;
        BufferedImage img = GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, scale, 2));
        int top = firstInkRow(img);
        List<int[]> cols = runsAlongRow(img, top + 1);
        List<int[]> rows = runsAlongColumn(img, cols.get(0)[0] + 1);
        int x = cols.get(1)[0] + 0 * scale + scale / 2;
        int y = rows.get(3)[0] + 2 * scale + scale / 2;
        assertEquals(ColormapTest.hex(Colormap.VIRIDIS.rgb(1)), ColormapTest.hex(img.getRGB(x, y)));
        assertEquals(ColormapTest.hex(Colormap.VIRIDIS.rgb(0)), ColormapTest.hex(img.getRGB(x + scale, y)), "its neighbour is 0, the minimum");
        assertEquals(ColormapTest.hex(Colormap.VIRIDIS.rgb(0)), ColormapTest.hex(img.getRGB(cols.get(0)[0] + scale / 2, y)));
    }

    @Test
    void symmetricPutsZeroAtTheMiddleOfTheColormap() {
        // Values -2, 0 and 1: m = 2, so -2 → 0, 0 → 0.5, 1 → 0.75.
        FilterBank b = bank(1, 2, 1, 3, (o, i, y, x) -> x == 0 ? -2f : x == 1 ? 0f : 1f);
        int scale = 10;
        BufferedImage img = GridRenderer.filters(b, plain(Colormap.COOLWARM, Normalization.SYMMETRIC, scale, 2));
        int top = firstInkRow(img);
        int left = runsAlongRow(img, top + 1).get(0)[0];
        int y = top + scale / 2;
        assertEquals(ColormapTest.hex(Colormap.COOLWARM.rgb(0)), ColormapTest.hex(img.getRGB(left + scale / 2, y)));
        assertEquals(ColormapTest.hex(Colormap.COOLWARM.rgb(0.5)), ColormapTest.hex(img.getRGB(left + scale + scale / 2, y)));
        assertEquals("dddcdc", ColormapTest.hex(img.getRGB(left + scale + scale / 2, y)), "coolwarm's middle entry, 128");
        assertEquals(ColormapTest.hex(Colormap.COOLWARM.rgb(0.75)), ColormapTest.hex(img.getRGB(left + 2 * scale + scale / 2, y)));
        // Per layer instead, 0 is two thirds of the way from -2 to 1: not the middle.
        BufferedImage perLayer = GridRenderer.filters(b, plain(Colormap.COOLWARM, Normalization.PER_LAYER, scale, 2));
        assertEquals(ColormapTest.hex(Colormap.COOLWARM.rgb(2 / 3.0)), ColormapTest.hex(perLayer.getRGB(left + scale + scale / 2, y)));
    }

    @Test
    void changingTheColormapChangesThePixels() {
        FilterBank b = bank(3, 2, 3, 3, (o, i, y, x) -> o * 9 + y * 3 + x - i);
        BufferedImage viridis = GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 3, 2));
        BufferedImage magma = GridRenderer.filters(b, plain(Colormap.MAGMA, Normalization.PER_LAYER, 3, 2));
        assertEquals(viridis.getWidth(), magma.getWidth());
        int top = firstInkRow(viridis);
        int left = runsAlongRow(viridis, top + 1).get(0)[0];
        assertNotEquals(viridis.getRGB(left + 1, top + 1), magma.getRGB(left + 1, top + 1));
        assertEquals(Colormap.MAGMA.rgb(GridRenderer.normalise(0, Normalization.PER_LAYER, null, new GridRenderer.Range(-1, 26))) & 0xffffff,
                magma.getRGB(left + 1, top + 1) & 0xffffff);
    }

    @Test
    void perTileStretchesEachTileToTheWholeMap() {
        // Filter 0 spans 0..1, filter 1 spans 100..101: per tile both show the full range.
        FilterBank b = bank(2, 1, 1, 2, (o, i, y, x) -> o * 100 + x);
        BufferedImage img = GridRenderer.filters(b, plain(Colormap.GRAY, Normalization.PER_TILE, 5, 2));
        int top = firstInkRow(img);
        // Gray's 0 is black, which is ink; its 1 is white, which looks like background, so find the
        // tile by its black half.
        List<int[]> runs = runsAlongRow(img, top + 1);
        assertEquals(2, runs.size(), "two depth-1 filters in one row");
        for (int[] r : runs) {
            assertEquals(0x000000, img.getRGB(r[0] + 1, top + 1) & 0xffffff);
            assertEquals(0xffffff, img.getRGB(r[0] + 5 + 1, top + 1) & 0xffffff);
        }
    }

    @Test
    void depthThreeFiltersAreColourTilesInTheGivenChannelOrder() {
        // Filter 0: channel 0 high, others low; filter 1: channel 2 high.
        FilterBank b = bank(2, 3, 2, 2, (o, i, y, x) -> (o == 0 && i == 0) || (o == 1 && i == 2) ? 1f : -1f);
        GridStyle style = plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 8, 2);
        BufferedImage rgb = GridRenderer.filters(b, style);
        int top = firstInkRow(rgb);
        List<int[]> tiles = runsAlongRow(rgb, top + 1);
        assertEquals(2, tiles.size(), "one tile per filter");
        assertEquals(16, tiles.get(0)[1]);
        assertEquals(0xff0000, rgb.getRGB(tiles.get(0)[0] + 1, top + 1) & 0xffffff, "channel 0 is red");
        assertEquals(0x0000ff, rgb.getRGB(tiles.get(1)[0] + 1, top + 1) & 0xffffff, "channel 2 is blue");
        BufferedImage bgr = GridRenderer.filters(b, style, ChannelOrder.BGR);
        assertEquals(0x0000ff, bgr.getRGB(tiles.get(0)[0] + 1, top + 1) & 0xffffff, "channel 0 of a BGR model is blue");
        assertEquals(0xff0000, bgr.getRGB(tiles.get(1)[0] + 1, top + 1) & 0xffffff);
        // Symmetric: 0 is mid-gray in every channel.
        FilterBank zeroGreen = bank(1, 3, 1, 1, (o, i, y, x) -> i == 0 ? 1f : i == 1 ? 0f : -1f);
        BufferedImage sym = GridRenderer.filters(zeroGreen, plain(Colormap.VIRIDIS, Normalization.SYMMETRIC, 8, 2));
        int t = firstInkRow(sym);
        int l = runsAlongRow(sym, t + 1).get(0)[0];
        assertEquals(0xff8000, sym.getRGB(l + 1, t + 1) & 0xffffff);
    }

    @Test
    void wideLayersShowTheFirst64InputChannelsWithANote() {
        FilterBank b = bank(2, 70, 1, 1, (o, i, y, x) -> i);
        BufferedImage img = GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 4, 1));
        BufferedImage narrow = GridRenderer.filters(bank(2, 64, 1, 1, (o, i, y, x) -> i), plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 4, 1));
        int gridTop = 0;
        while (runsAlongRow(img, gridTop).size() != GridRenderer.MAX_INPUT_COLUMNS) {
            gridTop++;
        }
        assertTrue(gridTop > firstInkRow(narrow), "the capped grid starts lower, under its note");
        int noteInk = 0;
        for (int y = 0; y < gridTop; y++) {
            noteInk += runsAlongRow(img, y).size();
        }
        assertTrue(noteInk > 10, "a note line is drawn above the grid");
        assertEquals(0, runsAlongRow(narrow, 0).size() + runsAlongRow(narrow, 1).size(), "no note when nothing is left out");
    }

    @Test
    void autoScaleMakesTilesAtLeast48Pixels() {
        BufferedImage img = GridRenderer.filters(bank(2, 2, 3, 3, (o, i, y, x) -> x), plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 0, 2));
        int top = firstInkRow(img);
        assertEquals(48, runsAlongRow(img, top + 1).get(0)[1]);
        BufferedImage big = GridRenderer.filters(bank(2, 2, 7, 7, (o, i, y, x) -> x), plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 0, 2));
        assertEquals(49, runsAlongRow(big, firstInkRow(big) + 1).get(0)[1], "7 × 7 scaled by 7");
    }

    @Test
    void tooLargeExplicitScaleIsRefusedWithAdvice() {
        FilterBank b = bank(64, 64, 3, 3, (o, i, y, x) -> x);
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 60, 2)));
        assertTrue(e.getMessage().startsWith("layer conv: the grid would be"), e.getMessage());
        BufferedImage auto = GridRenderer.filters(b, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 0, 2));
        assertTrue((long) auto.getWidth() * auto.getHeight() <= GridRenderer.MAX_PIXELS);
    }

    static FeatureMaps maps(int c, int h, int w, Weights f) {
        float[] v = new float[c * h * w];
        int n = 0;
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[n++] = f.at(0, k, y, x);
                }
            }
        }
        return FeatureMaps.of("relu1", "relu1_out", Tensor.of(Shape.of(c, h, w), v));
    }

    @Test
    void featureMapsFormANearSquareGrid() {
        FeatureMaps m = maps(5, 4, 4, (o, k, y, x) -> k * 16 + y * 4 + x + 1);
        BufferedImage img = GridRenderer.featureMaps(m, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 3, 2));
        int top = firstInkRow(img);
        assertEquals(3, runsAlongRow(img, top + 1).size(), "ceil(sqrt(5)) = 3 columns");
        int left = runsAlongRow(img, top + 1).get(0)[0];
        assertEquals(2, runsAlongColumn(img, left + 1).size(), "two rows");
        int lastRowY = runsAlongColumn(img, left + 1).get(1)[0];
        assertEquals(2, runsAlongRow(img, lastRowY + 1).size(), "the second row holds the last two");
        BufferedImage four = GridRenderer.featureMaps(m, plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 3, 2).withColumns(5));
        assertEquals(5, runsAlongRow(four, firstInkRow(four) + 1).size());
    }

    @Test
    void channelSubsetKeepsItsOrderAndTheLayersRange() {
        FeatureMaps m = maps(4, 2, 2, (o, k, y, x) -> k * 10 + y * 2 + x); // channel k spans 10k..10k+3, layer 0..33
        GridStyle style = plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 5, 2);
        BufferedImage img = GridRenderer.featureMaps(m, style, List.of(3, 0));
        int top = firstInkRow(img);
        List<int[]> tiles = runsAlongRow(img, top + 1);
        assertEquals(2, tiles.size());
        // First tile is channel 3: its top-left value 30 of 0..33.
        assertEquals(Colormap.VIRIDIS.rgb(30 / 33.0) & 0xffffff, img.getRGB(tiles.get(0)[0] + 1, top + 1) & 0xffffff);
        assertEquals(Colormap.VIRIDIS.rgb(0) & 0xffffff, img.getRGB(tiles.get(1)[0] + 1, top + 1) & 0xffffff);
        BufferedImage perTile = GridRenderer.featureMaps(m, style.withNormalization(Normalization.PER_TILE), List.of(3, 0));
        assertEquals(Colormap.VIRIDIS.rgb(0) & 0xffffff, perTile.getRGB(tiles.get(0)[0] + 1, top + 1) & 0xffffff);
        assertThrows(FilterScopeException.class, () -> GridRenderer.featureMaps(m, style, List.of(4)));
        assertThrows(FilterScopeException.class, () -> GridRenderer.featureMaps(m, style, List.of()));
    }

    @Test
    void labelsAndColourBarAddInkOutsideTheTiles() {
        FeatureMaps m = maps(4, 6, 6, (o, k, y, x) -> k + x);
        GridStyle bare = plain(Colormap.VIRIDIS, Normalization.PER_LAYER, 8, 2);
        BufferedImage plainImg = GridRenderer.featureMaps(m, bare);
        BufferedImage labelled = GridRenderer.featureMaps(m, bare.withLabels(true));
        BufferedImage barred = GridRenderer.featureMaps(m, bare.withColorBar(true));
        assertTrue(labelled.getHeight() > plainImg.getHeight(), "a label strip under each tile row");
        assertTrue(barred.getWidth() > plainImg.getWidth(), "the colour bar is on the right");
        // The bar's top row shows the map's high end, to the right of the last tile.
        int top = firstInkRow(barred);
        List<int[]> runs = runsAlongRow(barred, top);
        int[] bar = runs.get(2);
        assertEquals(Colormap.VIRIDIS.rgb(1) & 0xffffff, barred.getRGB(bar[0] + 1, top) & 0xffffff);
    }

    @Test
    void paperColoursTheBackgroundAndTheTextAndLeavesTheTilesAlone() {
        FeatureMaps m = maps(4, 6, 6, (o, k, y, x) -> k + x);
        GridStyle white = GridStyle.featureMaps();
        Paper dark = new Paper(0x3c3f41, 0xbbbbbb);
        BufferedImage onWhite = GridRenderer.featureMaps(m, white);
        BufferedImage onDark = GridRenderer.featureMaps(m, white.withPaper(dark));
        assertEquals(Paper.WHITE, white.paper(), "white paper unless asked");
        assertEquals(onWhite.getWidth(), onDark.getWidth());
        assertEquals(onWhite.getHeight(), onDark.getHeight());
        int background = 0;
        int text = 0;
        for (int y = 0; y < onWhite.getHeight(); y++) {
            for (int x = 0; x < onWhite.getWidth(); x++) {
                int w = onWhite.getRGB(x, y) & 0xffffff;
                int d = onDark.getRGB(x, y) & 0xffffff;
                if (w == WHITE) {
                    assertEquals(dark.background(), d, "background at " + x + "," + y);
                    background++;
                } else if (w == 0x000000) {
                    assertEquals(dark.ink(), d, "text at " + x + "," + y);
                    text++;
                } else if (d != dark.background() && d != dark.ink()) {
                    // Tile values and the colour bar are the same pixels; anti-aliased text edges blend into the paper.
                    boolean edge = (w >> 16) == ((w >> 8) & 0xff) && ((w >> 8) & 0xff) == (w & 0xff);
                    if (!edge) {
                        assertEquals(w, d, "tile or bar pixel at " + x + "," + y);
                    }
                }
            }
        }
        assertTrue(background > 0 && text > 0, "background " + background + ", text " + text);
    }

    @Test
    void builtInPixelFontDrawsWithoutSystemFonts() {
        Text t = Text.bitmap();
        BufferedImage img = new BufferedImage(60, 20, BufferedImage.TYPE_INT_RGB);
        t.draw(img, "0.5e-3", 1, 1, 0xffffff);
        int ink = 0;
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 60; x++) {
                ink += (img.getRGB(x, y) & 0xffffff) != 0 ? 1 : 0;
            }
        }
        assertTrue(ink > 20, "glyphs were drawn");
        assertEquals(6 * 8 - 2, t.width("0.5e-3"));
    }

    @Test
    void topChannelsByMeanAndByMax() {
        // Means: 1, 5, 5, 0; maxima: 9, 5, 6, 0.
        FeatureMaps m = FeatureMaps.of("l", "t", Tensor.of(Shape.of(4, 1, 2), new float[] {-7, 9, 5, 5, 4, 6, 0, 0}));
        assertEquals(List.of(1, 2, 0), GridRenderer.topChannels(m, 3, false));
        assertEquals(List.of(0, 2, 1, 3), GridRenderer.topChannels(m, 10, true));
        assertEquals(List.of(), GridRenderer.topChannels(m, 0, true));
    }

    @Test
    void numbersOnTheBarAreShort() {
        assertEquals("0.123", GridRenderer.format(0.123456));
        assertEquals("-2.5", GridRenderer.format(-2.5));
        assertEquals("1.23e-5", GridRenderer.format(0.0000123));
        assertEquals("1e-4", GridRenderer.format(0.0001));
        assertEquals("1.23e6", GridRenderer.format(1234567));
        assertEquals("0", GridRenderer.format(0));
    }

    /** The caption band of {@code img}: {@code lines} drawn as the renderer draws text, nothing else. */
    private static void assertCaption(BufferedImage img, List<String> lines, int bandHeight) {
        Text text = Text.get();
        BufferedImage expected = new BufferedImage(img.getWidth(), bandHeight, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = expected.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, expected.getWidth(), expected.getHeight());
        g.dispose();
        int margin = 4;
        for (int k = 0; k < lines.size(); k++) {
            text.draw(expected, lines.get(k), margin, margin + k * text.lineHeight(), 0);
        }
        for (int y = 0; y < bandHeight; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y), img.getRGB(x, y), "caption pixel (" + x + ", " + y + ")");
            }
        }
    }

    /** Pixels of {@code plain} equal those of {@code captioned} {@code dy} rows lower, wherever both have them. */
    private static void assertSameGridBelow(BufferedImage plain, BufferedImage captioned, int dy) {
        for (int y = 0; y < plain.getHeight(); y++) {
            for (int x = 0; x < Math.min(plain.getWidth(), captioned.getWidth()); x++) {
                if (plain.getRGB(x, y) != captioned.getRGB(x, y + dy)) {
                    throw new AssertionError("grid pixel (" + x + ", " + y + ") moved or changed under the caption");
                }
            }
        }
    }

    @Test
    void filterCaptionNamesLayerShapeAndWhatRowsAndColumnsAre() {
        FilterBank deep = bank(6, 4, 3, 3, (o, i, y, x) -> o - i + y * x);
        BufferedImage plain = GridRenderer.filters(deep, GridStyle.filters().withCaption(false));
        BufferedImage captioned = GridRenderer.filters(deep, GridStyle.filters());
        int band = 2 * Text.get().lineHeight() + 4;
        assertEquals(plain.getHeight() + band, captioned.getHeight());
        assertCaption(captioned, List.of("conv: filters 6×4×3×3 (out×in×kH×kW)", "rows: output channels, columns: input channels"), band);
        assertSameGridBelow(plain, captioned, band);
    }

    @Test
    void featureMapCaptionNamesLayerAndShape() {
        FeatureMaps m = maps(5, 6, 7, (c, i, y, x) -> c + y - x);
        BufferedImage plain = GridRenderer.featureMaps(m, GridStyle.featureMaps().withCaption(false));
        BufferedImage captioned = GridRenderer.featureMaps(m, GridStyle.featureMaps());
        int band = Text.get().lineHeight() + 4;
        assertEquals(plain.getHeight() + band, captioned.getHeight());
        assertCaption(captioned, List.of(m.layer() + ": feature maps 5×6×7 (channels×height×width)"), band);
        assertSameGridBelow(plain, captioned, band);
        BufferedImage some = GridRenderer.featureMaps(m, GridStyle.featureMaps(), List.of(3, 1));
        assertCaption(some, List.of(m.layer() + ": feature maps 5×6×7 (channels×height×width), 2 channels shown"), band);
    }
}
