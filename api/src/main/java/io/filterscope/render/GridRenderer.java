package io.filterscope.render;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * Draws filter banks and feature maps as grids of tiles, one value per crisp square (nearest
 * neighbour upscaling: interpolation would invent structure a 3×3 kernel does not have).
 *
 * <h2>Filters</h2>
 * <ul>
 *   <li>Filters of depth 3 in an ungrouped layer (the first layer of an RGB model) become one
 *       colour tile per filter: each of the three input channels, normalised as the style says, drives
 *       one of red, green and blue, so a filter looks like the colour pattern it responds to. Channel
 *       k is taken as red, green, blue for k = 0, 1, 2; a model fed BGR has its filters drawn
 *       channel-swapped unless {@link #filters(FilterBank, GridStyle, ChannelOrder)} is told
 *       {@link ChannelOrder#BGR}. The style's colormap is not used; the colour bar is a gray ramp
 *       giving the range of each channel.</li>
 *   <li>Filters of depth 1 (depthwise convolutions, a gray model's first layer) become one tile per
 *       filter in a near-square grid, coloured with the colormap.</li>
 *   <li>Otherwise one tile per (filter, input channel) pair: rows are output filters, columns input
 *       channels (within the group for grouped convolutions), with their indices as row and column
 *       headers. Only the first {@value #MAX_INPUT_COLUMNS} input channels are drawn, with a note
 *       saying so at the top. Large layers give large images (512 filters × 64 channels of 3×3 at 48
 *       pixels a tile is over 3000 × 25000 pixels); automatic tile scales shrink to stay under
 *       {@link #MAX_PIXELS}.</li>
 * </ul>
 *
 * <h2>Feature maps</h2>
 * One tile per channel in a near-square grid (or {@link GridStyle#columns()} columns), labelled
 * with the channel index, optionally a chosen subset in a chosen order (see {@link #topChannels}).
 *
 * <p>With {@link GridStyle#caption()} (the default styles have it) a caption above the grid says what
 * it shows: the layer's name and the shape drawn, and for filters how the tiles are laid out (rows
 * are output channels and columns input channels in the (filter, channel) form).
 *
 * <p>The background is white and text black unless the style's {@link GridStyle#paper()} says otherwise. Rendering needs no display and no desktop fonts: it
 * works with {@code java.awt.headless=true}, using Java's logical sans-serif font, or a built-in pixel
 * font where the runtime has none.
 */
public final class GridRenderer {
    /** The largest image drawn, in pixels (64 Mi, 256 MiB as 32-bit RGB). */
    public static final long MAX_PIXELS = 64L << 20;
    /** Input channels drawn per filter at most in the (filter, channel) form. */
    public static final int MAX_INPUT_COLUMNS = 64;
    /** Automatic tile scales make the longer side of a tile at least this many pixels. */
    public static final int MIN_AUTO_TILE = 48;

    private static final int BAR_WIDTH = 12;
    private static final int BAR_MAX_HEIGHT = 512;

    private GridRenderer() {
    }

    /** The filters of {@code bank}, taking depth-3 filters as RGB; see the class description. */
    public static BufferedImage filters(FilterBank bank, GridStyle style) {
        return filters(bank, style, ChannelOrder.RGB);
    }

    /**
     * The filters of {@code bank}; {@code order} tells which colour each channel of a depth-3 filter
     * is, so that a BGR model's first layer is drawn in its true colours.
     */
    public static BufferedImage filters(FilterBank bank, GridStyle style, ChannelOrder order) {
        return renderFilters(bank, style, order).image();
    }

    /** As {@link #filters(FilterBank, GridStyle, ChannelOrder)}, with where each tile was drawn. */
    public static RenderedGrid renderFilters(FilterBank bank, GridStyle style, ChannelOrder order) {
        return planFilters(bank, style, order).paint(null).grid();
    }

    /**
     * The grid {@link #renderFilters} draws, laid out but not painted: a viewer paints the part on
     * screen (a 512 × 512 × 3 × 3 layer's grid has 65 million pixels), and the whole only when it
     * is saved. Costs the layout and the weights' ranges, not the pixels.
     *
     * @throws FilterScopeException as {@link #renderFilters} does, when the grid would be too large
     */
    public static GridCanvas layOutFilters(FilterBank bank, GridStyle style, ChannelOrder order) {
        return new GridCanvas(planFilters(bank, style, order));
    }

    private static Plan planFilters(FilterBank bank, GridStyle style, ChannelOrder order) {
        float[] w = bank.weights().toArray();
        int out = bank.outChannels();
        int depth = bank.inChannelsPerGroup();
        int kh = bank.kernelHeight();
        int kw = bank.kernelWidth();
        int plane = kh * kw;
        int filterSize = depth * plane;
        Range layer = Range.of(w, 0, w.length);
        String what = "layer " + bank.layer();
        if (out == 0 || plane == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, what + ": has no filter values to draw");
        }

        if (depth == 3 && bank.groups() == 1) {
            Range[] tiles = new Range[out];
            for (int i = 0; i < out; i++) {
                tiles[i] = Range.of(w, i * filterSize, filterSize);
            }
            TilePainter painter = (i, y, x) -> {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    double t = normalise(w[i * filterSize + k * plane + y * kw + x], style.normalization(), tiles[i], layer);
                    int component = (int) Math.round(255 * clamp01(t));
                    int shift = order == ChannelOrder.BGR ? 8 * k : 8 * (2 - k);
                    rgb |= component << shift;
                }
                return rgb;
            };
            Grid g = new Grid(out, columns(out, style), kh, kw, painter, String::valueOf, null, null, null,
                    new ColorBar(Colormap.GRAY, style.normalization(), layer),
                    filterCaption(bank, "one tile per filter, input channels " + (order == ChannelOrder.BGR ? "as B, G, R" : "as R, G, B")));
            return new Plan(g, style, what, i -> i, i -> -1);
        }

        if (depth == 1) {
            Range[] tiles = new Range[out];
            for (int i = 0; i < out; i++) {
                tiles[i] = Range.of(w, i * plane, plane);
            }
            TilePainter painter = (i, y, x) -> style.colormap().rgb(normalise(w[i * plane + y * kw + x], style.normalization(), tiles[i], layer));
            Grid g = new Grid(out, columns(out, style), kh, kw, painter, String::valueOf, null, null, null,
                    new ColorBar(style.colormap(), style.normalization(), layer), filterCaption(bank, "one tile per filter"));
            return new Plan(g, style, what, i -> i, i -> 0);
        }

        int cols = Math.min(depth, MAX_INPUT_COLUMNS);
        int count = out * cols;
        Range[] tiles = new Range[count];
        for (int i = 0; i < count; i++) {
            tiles[i] = Range.of(w, (i / cols) * filterSize + (i % cols) * plane, plane);
        }
        TilePainter painter = (i, y, x) -> style.colormap().rgb(normalise(
                w[(i / cols) * filterSize + (i % cols) * plane + y * kw + x], style.normalization(), tiles[i], layer));
        List<String> rows = IntStream.range(0, out).mapToObj(String::valueOf).toList();
        List<String> columns = IntStream.range(0, cols).mapToObj(String::valueOf).toList();
        String note = depth > MAX_INPUT_COLUMNS
                ? "input channels 0-" + (MAX_INPUT_COLUMNS - 1) + " of " + depth + " shown" : null;
        Grid g = new Grid(count, cols, kh, kw, painter, null, rows, columns, note,
                new ColorBar(style.colormap(), style.normalization(), layer),
                filterCaption(bank, "rows: output channels, columns: input channels" + (bank.groups() > 1 ? " of the group" : "")));
        return new Plan(g, style, what, i -> i / cols, i -> i % cols);
    }

    /** Every channel of {@code maps}, in order. */
    public static BufferedImage featureMaps(FeatureMaps maps, GridStyle style) {
        return featureMaps(maps, style, IntStream.range(0, maps.channels()).boxed().toList());
    }

    /**
     * The given channels of {@code maps}, in the given order, each labelled with its own index.
     * {@link Normalization#PER_LAYER} and {@link Normalization#SYMMETRIC} take the range of the
     * whole layer, not only of the channels shown, so the colours mean the same in every subset.
     *
     * @throws FilterScopeException when the list is empty or names a channel the layer lacks
     */
    public static BufferedImage featureMaps(FeatureMaps maps, GridStyle style, List<Integer> channels) {
        return renderFeatureMaps(maps, style, channels).image();
    }

    /** As {@link #featureMaps(FeatureMaps, GridStyle, List)}, with where each tile was drawn. */
    public static RenderedGrid renderFeatureMaps(FeatureMaps maps, GridStyle style, List<Integer> channels) {
        String what = "layer " + maps.layer();
        if (channels.isEmpty()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, what + ": no channels to show; give at least one channel index");
        }
        for (Integer c : channels) {
            if (c == null || c < 0 || c >= maps.channels()) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, what + ": has channels 0-" + (maps.channels() - 1) + ", no channel " + c
                        + "; choose channels in that range");
            }
        }
        float[] v = maps.maps().toArray();
        int h = maps.height();
        int w = maps.width();
        int plane = h * w;
        if (plane == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, what + ": feature maps of size " + h + "×" + w + " have nothing to draw");
        }
        Range layer = Range.of(v, 0, v.length);
        int[] chosen = channels.stream().mapToInt(Integer::intValue).toArray();
        Range[] tiles = new Range[chosen.length];
        for (int i = 0; i < chosen.length; i++) {
            tiles[i] = Range.of(v, chosen[i] * plane, plane);
        }
        TilePainter painter = (i, y, x) -> style.colormap().rgb(normalise(v[chosen[i] * plane + y * w + x], style.normalization(), tiles[i], layer));
        Grid g = new Grid(chosen.length, columns(chosen.length, style), h, w, painter, i -> String.valueOf(chosen[i]),
                null, null, null, new ColorBar(style.colormap(), style.normalization(), layer),
                List.of(maps.layer() + ": feature maps " + maps.channels() + "×" + h + "×" + w + " (channels×height×width)"
                        + (chosen.length < maps.channels() ? ", " + chosen.length + " channels shown" : "")));
        return new Plan(g, style, what, i -> chosen[i], i -> -1).paint(null).grid();
    }

    /**
     * The {@code n} channels with the largest mean (or, with {@code byMax}, the largest maximum),
     * strongest first; ties in index order. Fewer when the layer has fewer channels.
     */
    public static List<Integer> topChannels(FeatureMaps maps, int n, boolean byMax) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        Comparator<Integer> strength = Comparator.comparingDouble(c -> {
            double s = byMax ? maps.stats().get(c).max() : maps.stats().get(c).mean();
            return Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s;
        });
        return IntStream.range(0, maps.channels()).boxed()
                .sorted(strength.reversed().thenComparing(Comparator.naturalOrder()))
                .limit(n)
                .toList();
    }

    // ------------------------------------------------------------------ drawing

    @FunctionalInterface
    private interface TilePainter {
        /** The colour of value (y, x) of tile i. */
        int rgb(int tile, int y, int x);
    }

    /**
     * What to draw: {@code count} tiles of valH × valW values laid out in {@code cols} columns, with
     * optional per-tile labels, row and column headers, a note line and a colour bar.
     */
    record Grid(int count, int cols, int valH, int valW, TilePainter painter, IntFunction<String> tileLabel,
                        List<String> rowHeaders, List<String> colHeaders, String note, ColorBar bar, List<String> caption) {
    }

    /** The caption of a filter grid: the layer, its weight shape, and how the tiles are laid out. */
    private static List<String> filterCaption(FilterBank bank, String layout) {
        return List.of(bank.layer() + ": filters " + bank.shape() + " (out×in" + (bank.groups() > 1 ? "/groups" : "") + "×kH×kW)",
                layout);
    }

    /** The colour bar: the map and how values were scaled to it. */
    private record ColorBar(Colormap colormap, Normalization normalization, Range range) {

        List<String> labels() {
            return switch (normalization) {
                case PER_TILE -> List.of("tile max", "tile min");
                case PER_LAYER -> List.of(format(range.max()), format(range.min()));
                case SYMMETRIC -> List.of(format(range.absMax()), "0", format(-range.absMax()));
            };
        }
    }

    /** Smallest and largest finite value of a run of values; non-finite values are left out. */
    record Range(float min, float max) {
        static Range of(float[] v, int from, int length) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = from; i < from + length; i++) {
                float x = v[i];
                if (Float.isFinite(x)) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
            return lo > hi ? new Range(0, 0) : new Range(lo, hi);
        }

        float absMax() {
            return Math.max(Math.abs(min), Math.abs(max));
        }
    }

    /** Where {@code v} falls in [0, 1] under {@code n}; NaN stays NaN (the colormap's low end). */
    static double normalise(float v, Normalization n, Range tile, Range layer) {
        return switch (n) {
            case PER_TILE -> linear(v, tile);
            case PER_LAYER -> linear(v, layer);
            case SYMMETRIC -> {
                double m = layer.absMax();
                yield m == 0 ? 0.5 : (v + m) / (2 * m);
            }
        };
    }

    private static double linear(float v, Range r) {
        // A constant tile has no contrast to show; it takes the low end, so dead channels look dark.
        return r.max() > r.min() ? ((double) v - r.min()) / ((double) r.max() - r.min()) : 0;
    }

    private static double clamp01(double t) {
        return t > 0 ? Math.min(1, t) : 0; // also maps NaN to 0
    }

    private static int columns(int count, GridStyle style) {
        if (style.columns() > 0) {
            return Math.min(style.columns(), count);
        }
        return Math.max(1, (int) Math.ceil(Math.sqrt(count)));
    }

    /** A grid ready to paint: what to draw, in which style, and which channel each tile shows. */
    record Plan(Grid g, GridStyle style, String what, IntUnaryOperator channelOf, IntUnaryOperator inputOf) {
        /** The whole grid ({@code region} null) or the part of it inside {@code region}; see {@link GridRenderer#paint}. */
        Painted paint(Rectangle region) {
            try (Text text = Text.get()) {
                return GridRenderer.paint(g, style, what, channelOf, inputOf, text, region);
            }
        }
    }

    /** A painted grid or part of one, and the size of the whole grid. */
    record Painted(RenderedGrid grid, int width, int height) {
    }

    /**
     * Draws the grid; with a {@code region}, only that rectangle of it (clipped to the grid), as an
     * image of the rectangle's size whose pixels are exactly the full grid's there, while the tiles
     * keep the full grid's coordinates. An empty region draws nothing: the image is then 1×1.
     */
    private static Painted paint(Grid g, GridStyle style, String what, IntUnaryOperator channelOf, IntUnaryOperator inputOf, Text text,
                                 Rectangle region) {
        int lineH = text.lineHeight();
        int gap = style.gap();
        int ink = style.paper().ink();
        int margin = Math.max(gap, 4);
        int cols = g.cols();
        int rows = (g.count() + cols - 1) / cols;

        boolean headers = style.labels() && g.rowHeaders() != null;
        int rowHeaderW = headers ? maxWidth(text, g.rowHeaders()) + 4 : 0;
        int colHeaderH = headers ? lineH : 0;
        List<String> caption = style.caption() ? g.caption() : List.of();
        int captionH = caption.isEmpty() ? 0 : caption.size() * lineH + 4;
        int noteH = captionH + (g.note() != null ? lineH + 2 : 0);
        int noteW = Math.max(g.note() != null ? text.width(g.note()) : 0, maxWidth(text, caption));
        boolean bar = style.colorBar() && g.bar() != null;
        List<String> barLabels = bar ? g.bar().labels() : List.of();
        int barArea = bar ? 8 + BAR_WIDTH + 3 + maxWidth(text, barLabels) : 0;
        int maxTileLabelW = style.labels() && g.tileLabel() != null
                ? IntStream.range(0, g.count()).map(i -> text.width(g.tileLabel().apply(i))).max().orElse(0) : 0;

        int scale = style.tileScale() > 0 ? style.tileScale()
                : Math.max(1, (MIN_AUTO_TILE + Math.max(g.valH(), g.valW()) - 1) / Math.max(g.valH(), g.valW()));
        while (true) {
            long tileW = (long) g.valW() * scale;
            long tileH = (long) g.valH() * scale;
            // Labels that do not fit under their tile would run into the next one; leave them out.
            boolean tileLabels = maxTileLabelW > 0 && maxTileLabelW <= tileW + gap;
            long cellH = tileH + (tileLabels ? lineH : 0);
            long gridW = cols * tileW + (long) (cols - 1) * gap;
            long gridH = rows * cellH + (long) (rows - 1) * gap;
            long barH = bar ? Math.max(Math.min(gridH, BAR_MAX_HEIGHT), 4L * lineH) : 0;
            long width = 2L * margin + Math.max(rowHeaderW + gridW + barArea, noteW);
            long height = 2L * margin + noteH + colHeaderH + Math.max(gridH, barH);
            if (width * height > MAX_PIXELS) {
                if (style.tileScale() == 0 && scale > 1) {
                    scale--;
                    continue;
                }
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, what + ": the grid would be " + width + "×" + height + " pixels, over the limit of "
                        + MAX_PIXELS + "; show fewer channels or use a smaller tile scale");
            }
            if (region != null) {
                Rectangle r = region.intersection(new Rectangle((int) width, (int) height));
                return new Painted(paintRegion(g, style, channelOf, inputOf, text, r, scale, (int) tileW, (int) tileH, tileLabels,
                        (int) cellH, (int) gridW, (int) barH, margin, rowHeaderW, colHeaderH, noteH, captionH, caption, headers, bar, barLabels),
                        (int) width, (int) height);
            }
            BufferedImage img = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            java.util.Arrays.fill(px, style.paper().background());
            int iw = (int) width;
            int left = margin + rowHeaderW;
            int top = margin + noteH + colHeaderH;
            List<RenderedGrid.Tile> placed = new ArrayList<>(g.count());
            for (int i = 0; i < g.count(); i++) {
                int x0 = left + (i % cols) * (int) (tileW + gap);
                int y0 = top + (i / cols) * (int) (cellH + gap);
                placed.add(new RenderedGrid.Tile(i, channelOf.applyAsInt(i), inputOf.applyAsInt(i), x0, y0, g.valH(), g.valW(), scale));
                for (int y = 0; y < g.valH(); y++) {
                    // Paint the first pixel row of this row of values, then copy it down scale - 1 times.
                    int row = (y0 + y * scale) * iw + x0;
                    for (int x = 0; x < g.valW(); x++) {
                        int rgb = g.painter().rgb(i, y, x);
                        if (scale == 1) {
                            px[row + x] = rgb;
                        } else {
                            java.util.Arrays.fill(px, row + x * scale, row + (x + 1) * scale, rgb);
                        }
                    }
                    for (int dy = 1; dy < scale; dy++) {
                        System.arraycopy(px, row, px, row + dy * iw, (int) tileW);
                    }
                }
                if (tileLabels) {
                    String label = g.tileLabel().apply(i);
                    text.draw(img, label, x0 + ((int) tileW - text.width(label)) / 2, y0 + (int) tileH, ink);
                }
            }
            if (headers) {
                for (int r = 0; r < rows && r < g.rowHeaders().size(); r++) {
                    String s = g.rowHeaders().get(r);
                    int y0 = top + r * (int) (cellH + gap);
                    text.draw(img, s, left - 4 - text.width(s), y0 + ((int) tileH - lineH) / 2, ink);
                }
                for (int c = 0; c < cols && c < g.colHeaders().size(); c++) {
                    String s = g.colHeaders().get(c);
                    int x0 = left + c * (int) (tileW + gap);
                    text.draw(img, s, x0 + ((int) tileW - text.width(s)) / 2, margin + noteH, ink);
                }
            }
            for (int k = 0; k < caption.size(); k++) {
                text.draw(img, caption.get(k), margin, margin + k * lineH, ink);
            }
            if (g.note() != null) {
                text.draw(img, g.note(), margin, margin + captionH, ink);
            }
            if (bar) {
                int bx = left + (int) gridW + 8;
                int h = (int) barH;
                for (int y = 0; y < h; y++) {
                    // Top row is the high end exactly, bottom row the low end, matching their labels.
                    int rgb = g.bar().colormap().rgb(h == 1 ? 1 : 1 - (double) y / (h - 1));
                    int row = (top + y) * iw + bx;
                    java.util.Arrays.fill(px, row, row + BAR_WIDTH, rgb);
                }
                int lx = bx + BAR_WIDTH + 3;
                text.draw(img, barLabels.get(0), lx, top, ink);
                text.draw(img, barLabels.get(barLabels.size() - 1), lx, top + h - lineH, ink);
                if (barLabels.size() == 3) {
                    text.draw(img, barLabels.get(1), lx, top + h / 2 - lineH / 2, ink);
                }
            }
            return new Painted(new RenderedGrid(img, placed), (int) width, (int) height);
        }
    }

    /**
     * The part of the grid inside {@code r}, painted as {@link #paint} paints the whole, in the same
     * order (a tile, then its label; headers; caption; note; the bar, then its labels), so that every
     * pixel comes out the same: values are clipped to the region, text is drawn shifted and clipped.
     */
    private static RenderedGrid paintRegion(Grid g, GridStyle style, IntUnaryOperator channelOf, IntUnaryOperator inputOf, Text text, Rectangle r,
                                            int scale, int tileW, int tileH, boolean tileLabels, int cellH, int gridW, int barH,
                                            int margin, int rowHeaderW, int colHeaderH, int noteH, int captionH, List<String> caption, boolean headers,
                                            boolean bar, List<String> barLabels) {
        int lineH = text.lineHeight();
        int gap = style.gap();
        int ink = style.paper().ink();
        int cols = g.cols();
        int rows = (g.count() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(Math.max(1, r.width), Math.max(1, r.height), BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        java.util.Arrays.fill(px, style.paper().background());
        int iw = img.getWidth();
        int left = margin + rowHeaderW;
        int top = margin + noteH + colHeaderH;
        Region clip = new Region(r, text, lineH, ink);
        // The layout alone (an empty region) places every tile; a part visits only the cells that can
        // reach it (one more on each side, for labels), in drawing order, and places none.
        boolean layout = r.isEmpty();
        List<RenderedGrid.Tile> placed = new ArrayList<>(layout ? g.count() : 0);
        int row0 = layout ? 0 : Math.max(0, (r.y - top) / (cellH + gap) - 1);
        int row1 = layout ? rows : Math.min(rows, (r.y + r.height - top) / (cellH + gap) + 2);
        int col0 = layout ? 0 : Math.max(0, (r.x - left) / (tileW + gap) - 1);
        int col1 = layout ? cols : Math.min(cols, (r.x + r.width - left) / (tileW + gap) + 2);
        for (int tr = row0; tr < row1; tr++) {
            for (int tc = col0; tc < col1; tc++) {
                int i = tr * cols + tc;
                if (i >= g.count()) {
                    break;
                }
                int x0 = left + tc * (tileW + gap);
                int y0 = top + tr * (cellH + gap);
                if (layout) {
                    placed.add(new RenderedGrid.Tile(i, channelOf.applyAsInt(i), inputOf.applyAsInt(i), x0, y0, g.valH(), g.valW(), scale));
                    continue;
                }
                if (x0 < r.x + r.width && x0 + tileW > r.x && y0 < r.y + r.height && y0 + tileH > r.y) {
                    // Value rows and columns whose pixels meet the region.
                    int vy0 = Math.max(0, (r.y - y0) / scale);
                    int vy1 = Math.min(g.valH(), (r.y + r.height - y0 + scale - 1) / scale);
                    int vx0 = Math.max(0, (r.x - x0) / scale);
                    int vx1 = Math.min(g.valW(), (r.x + r.width - x0 + scale - 1) / scale);
                    for (int y = vy0; y < vy1; y++) {
                        int py0 = Math.max(r.y, y0 + y * scale);
                        int py1 = Math.min(r.y + r.height, y0 + (y + 1) * scale);
                        for (int x = vx0; x < vx1; x++) {
                            int rgb = g.painter().rgb(i, y, x);
                            int px0 = Math.max(r.x, x0 + x * scale) - r.x;
                            int px1 = Math.min(r.x + r.width, x0 + (x + 1) * scale) - r.x;
                            for (int py = py0; py < py1; py++) {
                                int row = (py - r.y) * iw;
                                java.util.Arrays.fill(px, row + px0, row + px1, rgb);
                            }
                        }
                    }
                }
                if (tileLabels) {
                    String label = g.tileLabel().apply(i);
                    clip.draw(img, label, x0 + (tileW - text.width(label)) / 2, y0 + tileH);
                }
            }
        }
        if (!r.isEmpty()) {
            if (headers) {
                for (int k = 0; k < rows && k < g.rowHeaders().size(); k++) {
                    String s = g.rowHeaders().get(k);
                    int y0 = top + k * (cellH + gap);
                    clip.draw(img, s, left - 4 - text.width(s), y0 + (tileH - lineH) / 2);
                }
                for (int c = 0; c < cols && c < g.colHeaders().size(); c++) {
                    String s = g.colHeaders().get(c);
                    int x0 = left + c * (tileW + gap);
                    clip.draw(img, s, x0 + (tileW - text.width(s)) / 2, margin + noteH);
                }
            }
            for (int k = 0; k < caption.size(); k++) {
                clip.draw(img, caption.get(k), margin, margin + k * lineH);
            }
            if (g.note() != null) {
                clip.draw(img, g.note(), margin, margin + captionH);
            }
            if (bar) {
                int bx = left + gridW + 8;
                int h = barH;
                int bx0 = Math.max(bx, r.x);
                int bx1 = Math.min(bx + BAR_WIDTH, r.x + r.width);
                for (int y = Math.max(0, r.y - top); y < h && top + y < r.y + r.height && bx0 < bx1; y++) {
                    int rgb = g.bar().colormap().rgb(h == 1 ? 1 : 1 - (double) y / (h - 1));
                    int row = (top + y - r.y) * iw;
                    java.util.Arrays.fill(px, row + bx0 - r.x, row + bx1 - r.x, rgb);
                }
                int lx = bx + BAR_WIDTH + 3;
                clip.draw(img, barLabels.get(0), lx, top);
                clip.draw(img, barLabels.get(barLabels.size() - 1), lx, top + h - lineH);
                if (barLabels.size() == 3) {
                    clip.draw(img, barLabels.get(1), lx, top + h / 2 - lineH / 2);
                }
            }
        }
        return new RenderedGrid(img, placed);
    }

    /** Text drawn into a region's image: shifted by the region's origin, and left out when it cannot reach the region. */
    private record Region(Rectangle r, Text text, int lineH, int ink) {
        /** How far anti-aliased glyphs may reach beyond a label's nominal box. */
        private static final int SLACK = 8;

        void draw(BufferedImage img, String s, int x, int y) {
            if (r.isEmpty() || x - SLACK >= r.x + r.width || y - SLACK >= r.y + r.height
                    || x + text.width(s) + SLACK <= r.x || y + lineH + SLACK <= r.y) {
                return;
            }
            text.draw(img, s, x - r.x, y - r.y, ink);
        }
    }

    private static int maxWidth(Text text, List<String> labels) {
        int m = 0;
        for (String s : labels) {
            m = Math.max(m, text.width(s));
        }
        return m;
    }

    /** A value with three significant digits, plainly where that is short, else in e-notation. */
    static String format(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v == 0 ? "0" : String.valueOf(v);
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            return d.toPlainString();
        }
        String s = String.format(java.util.Locale.ROOT, "%.2e", v);
        // 1.20e-05 → 1.2e-5
        String mantissa = s.substring(0, s.indexOf('e')).replaceAll("\\.?0+$", "");
        int exp = Integer.parseInt(s.substring(s.indexOf('e') + 1));
        return mantissa + "e" + exp;
    }
}
