package io.filterscope.swing;

import io.filterscope.model.ChannelStats;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.GridCanvas;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import io.filterscope.tensor.Tensor;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A picture on a tab of {@link FilterScopePanel}: a grid as drawn by the api's GridRenderer together
 * with the numbers behind its tiles, so the view can read out the value and the statistics under
 * the pointer (tooltips and the tile window). What a {@link PanelTab}'s drawing gives the panel.
 *
 * <p>A grid too large to paint whole at every switch (a wide layer's filters) is held
 * {@linkplain #piecewise piece by piece}: the view paints the part on screen, and {@link #grid()}
 * draws the whole grid each time it is asked (Save and Copy).
 */
public final class ShownGrid {
    private final String layer;
    private final RenderedGrid grid;
    private final GridCanvas canvas;
    private final Values values;

    /**
     * @param layer  what the picture shows, usually the layer's name: the tile window's title
     * @param grid   the image and its tile rectangles (none for a plain picture)
     * @param values the numbers drawn
     */
    public ShownGrid(String layer, RenderedGrid grid, Values values) {
        this(layer, Objects.requireNonNull(grid, "grid"), null, values);
    }

    private ShownGrid(String layer, RenderedGrid grid, GridCanvas canvas, Values values) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.grid = grid;
        this.canvas = canvas;
        this.values = Objects.requireNonNull(values, "values");
    }

    /** Feature maps drawn by {@link GridRenderer#renderFeatureMaps}: the given channels, in that order. */
    public static ShownGrid of(FeatureMaps maps, GridStyle style, List<Integer> channels) {
        return new ShownGrid(maps.layer(), GridRenderer.renderFeatureMaps(maps, style, channels), new MapValues(maps));
    }

    /** Filters drawn by {@link GridRenderer#renderFilters}; {@code order} maps a depth-3 filter's channels to colours. */
    public static ShownGrid of(FilterBank bank, GridStyle style, ChannelOrder order) {
        return new ShownGrid(bank.layer(), GridRenderer.renderFilters(bank, style, order), new FilterValues(bank));
    }

    /** A plain picture without tiles (no tooltips, no tile window); Save and Copy take it as it is. */
    public static ShownGrid picture(String name, BufferedImage image) {
        return new ShownGrid(name, new RenderedGrid(image, List.of()), NoTiles.INSTANCE);
    }

    /** A grid laid out but not painted: the view paints what is on screen, {@link #grid()} the whole. */
    public static ShownGrid piecewise(String layer, GridCanvas canvas, Values values) {
        return new ShownGrid(layer, null, Objects.requireNonNull(canvas, "canvas"), values);
    }

    /** What the picture shows, usually the layer's name: the tile window's title. */
    public String layer() {
        return layer;
    }

    /**
     * The image and its tile rectangles. For a {@linkplain #piecewise piecewise} grid this draws the
     * whole grid, every call (it is not kept: it can be hundreds of megabytes).
     */
    public RenderedGrid grid() {
        return grid != null ? grid : canvas.render();
    }

    /** The numbers drawn. */
    public Values values() {
        return values;
    }

    /** Whether the grid is painted piece by piece (see {@link #piecewise}). */
    public boolean isPiecewise() {
        return canvas != null;
    }

    /** Width of the whole picture in pixels. */
    public int width() {
        return grid != null ? grid.image().getWidth() : canvas.width();
    }

    /** Height of the whole picture in pixels. */
    public int height() {
        return grid != null ? grid.image().getHeight() : canvas.height();
    }

    /** The tile under pixel (x, y) of the picture. */
    public Optional<RenderedGrid.Tile> tileAt(int x, int y) {
        return grid != null ? grid.tileAt(x, y) : canvas.tileAt(x, y);
    }

    /** The picture's pixels inside {@code r} (which must lie within the picture), without drawing the rest. */
    public BufferedImage region(Rectangle r) {
        return grid != null ? grid.image().getSubimage(r.x, r.y, r.width, r.height) : canvas.paint(r);
    }

    /**
     * What holding the picture costs, in 4-byte units: its pixels, or for a piecewise grid about its
     * tiles' values (the weights it paints from).
     */
    long weight() {
        if (grid != null) {
            return (long) width() * height();
        }
        return canvas.tiles().stream().mapToLong(t -> (long) t.rows() * t.columns()).sum();
    }

    /** The numbers behind a grid's tiles; implement it for tiles of your own. */
    public interface Values {
        /** What a tile shows, e.g. "channel 12" or "filter 3, input channel 2". */
        String name(RenderedGrid.Tile tile);

        /** The value (or, for a colour filter tile, the values) at a cell of a tile, formatted. */
        String valueAt(RenderedGrid.Tile tile, int row, int column);

        /** Statistics over the tile's values. */
        ChannelStats stats(RenderedGrid.Tile tile);

        /**
         * One line about the whole picture, shown above it (the Filters tab's weight statistics);
         * empty, the default, for none.
         */
        default String summary() {
            return "";
        }
    }

    /** A picture without tiles: nothing is ever asked. */
    private enum NoTiles implements Values {
        INSTANCE;

        @Override
        public String name(RenderedGrid.Tile tile) {
            return "tile " + tile.index();
        }

        @Override
        public String valueAt(RenderedGrid.Tile tile, int row, int column) {
            return "";
        }

        @Override
        public ChannelStats stats(RenderedGrid.Tile tile) {
            return new ChannelStats(0, 0, 0, 0);
        }
    }

    /**
     * Feature maps: one tile per channel.
     *
     * @param maps the maps drawn
     */
    public record MapValues(FeatureMaps maps) implements Values {
        @Override
        public String name(RenderedGrid.Tile tile) {
            return "channel " + tile.channel();
        }

        @Override
        public String valueAt(RenderedGrid.Tile tile, int row, int column) {
            return format(maps.maps().get(tile.channel(), row, column));
        }

        @Override
        public ChannelStats stats(RenderedGrid.Tile tile) {
            return maps.stats().get(tile.channel());
        }
    }

    /**
     * Filter weights: a tile is a filter's input channel, or a whole depth-3 filter drawn as colour.
     *
     * @param bank the filters drawn
     */
    public record FilterValues(FilterBank bank) implements Values {
        @Override
        public String name(RenderedGrid.Tile tile) {
            if (tile.inputChannel() < 0) {
                return "filter " + tile.channel() + " (channels as R, G, B)";
            }
            return bank.inChannelsPerGroup() == 1 ? "filter " + tile.channel()
                    : "filter " + tile.channel() + ", input channel " + tile.inputChannel();
        }

        @Override
        public String valueAt(RenderedGrid.Tile tile, int row, int column) {
            Tensor w = bank.weights();
            if (tile.inputChannel() >= 0) {
                return format(w.get(tile.channel(), tile.inputChannel(), row, column));
            }
            String[] names = {"R", "G", "B"};
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < bank.inChannelsPerGroup(); k++) {
                sb.append(k > 0 ? ", " : "").append(k < 3 ? names[k] : "c" + k).append(' ')
                        .append(format(w.get(tile.channel(), k, row, column)));
            }
            return sb.toString();
        }

        @Override
        public ChannelStats stats(RenderedGrid.Tile tile) {
            Tensor filter = bank.filter(tile.channel());
            float[] v = (tile.inputChannel() >= 0 ? filter.slice(tile.inputChannel()) : filter).toArray();
            return ChannelStats.of(v, 0, v.length);
        }
    }

    /** Four significant digits: enough to tell weights and activations apart, short enough to read. */
    static String format(double v) {
        if (v == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replaceAll("\\.($|e)", "$1");
    }

    /** One line of statistics for a tooltip or a dialog. */
    static String describe(ChannelStats s) {
        return "min " + format(s.min()) + " · max " + format(s.max()) + " · mean " + format(s.mean())
                + " · zeros " + Math.round(100 * s.zeroFraction()) + "%";
    }
}
