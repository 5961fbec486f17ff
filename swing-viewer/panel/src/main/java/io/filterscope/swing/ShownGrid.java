package io.filterscope.swing;

import io.filterscope.model.ChannelStats;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.render.RenderedGrid;
import io.filterscope.tensor.Tensor;
import java.util.Locale;

/**
 * A grid as drawn by the api's GridRenderer together with the numbers behind its tiles, so the view
 * can read out the value and the statistics under the pointer.
 *
 * @param layer  the layer the grid belongs to
 * @param grid   the image and its tile rectangles
 * @param values the numbers drawn
 */
record ShownGrid(String layer, RenderedGrid grid, Values values) {

    /** The numbers behind a grid's tiles. */
    sealed interface Values permits MapValues, FilterValues {
        /** What a tile shows, e.g. "channel 12" or "filter 3, input channel 2". */
        String name(RenderedGrid.Tile tile);

        /** The value (or, for a colour filter tile, the values) at a cell of a tile, formatted. */
        String valueAt(RenderedGrid.Tile tile, int row, int column);

        /** Statistics over the tile's values. */
        ChannelStats stats(RenderedGrid.Tile tile);
    }

    /** Feature maps: one tile per channel. */
    record MapValues(FeatureMaps maps) implements Values {
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

    /** Filter weights: a tile is a filter's input channel, or a whole depth-3 filter drawn as colour. */
    record FilterValues(FilterBank bank) implements Values {
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
