package io.filterscope.render;

import com.google.common.base.Preconditions;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * A grid drawn by {@link GridRenderer} together with where each tile landed, so a viewer can tell
 * which channel (and which value of it) lies under a point of the image without redoing the layout.
 *
 * @param image the grid, exactly as {@link GridRenderer#filters} or {@link GridRenderer#featureMaps} returns it
 * @param tiles one entry per tile, in drawing order
 */
public record RenderedGrid(BufferedImage image, List<Tile> tiles) {

    public RenderedGrid {
        Preconditions.checkNotNull(image, "image");
        tiles = List.copyOf(tiles);
    }

    /** The tile whose values cover pixel (x, y) of the image; empty over gaps, labels and the colour bar. */
    public Optional<Tile> tileAt(int x, int y) {
        for (Tile t : tiles) {
            if (t.contains(x, y)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * Where one tile sits and what it shows.
     *
     * @param index        position in drawing order, from 0
     * @param channel      the feature-map channel, or the output filter for filter grids
     * @param inputChannel the filter's input channel the tile shows, or -1 when the tile shows all of
     *                     them (feature maps, and depth-3 filters drawn as colour)
     * @param x            left edge of the tile's values in image pixels (labels lie outside)
     * @param y            top edge of the tile's values
     * @param rows         value rows in the tile (H of a map, kH of a filter)
     * @param columns      value columns in the tile
     * @param scale        image pixels per value along each axis
     */
    public record Tile(int index, int channel, int inputChannel, int x, int y, int rows, int columns, int scale) {

        /** Width of the tile's values in image pixels. */
        public int width() {
            return columns * scale;
        }

        /** Height of the tile's values in image pixels. */
        public int height() {
            return rows * scale;
        }

        /** Whether pixel (px, py) of the image shows one of this tile's values. */
        public boolean contains(int px, int py) {
            return px >= x && py >= y && px < x + width() && py < y + height();
        }

        /** The value row under image row {@code py} (which must be inside the tile). */
        public int rowAt(int py) {
            return (py - y) / scale;
        }

        /** The value column under image column {@code px} (which must be inside the tile). */
        public int columnAt(int px) {
            return (px - x) / scale;
        }
    }
}
