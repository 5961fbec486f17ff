package io.filterscope.render;

import com.google.common.base.Preconditions;

/**
 * How {@link GridRenderer} draws a grid of tiles.
 *
 * @param colormap      colours for the values
 * @param normalization how values are scaled to the colormap
 * @param tileScale     pixels per value along each axis (≥ 1), or 0 for automatic: the smallest
 *                      scale that makes tiles at least 48 pixels, reduced when the whole image would
 *                      pass {@link GridRenderer#MAX_PIXELS}
 * @param gap           pixels of background between tiles and around the grid
 * @param labels        whether to write channel indices next to the tiles
 * @param colorBar      whether to draw a colour bar with the value range on the right
 * @param columns       tiles per row, or 0 for automatic (near-square grid)
 */
public record GridStyle(Colormap colormap, Normalization normalization, int tileScale, int gap, boolean labels, boolean colorBar, int columns) {

    public GridStyle {
        Preconditions.checkNotNull(colormap, "colormap");
        Preconditions.checkNotNull(normalization, "normalization");
        Preconditions.checkArgument(tileScale >= 0, "tile scale must be >= 0 (0 = auto), got %s", tileScale);
        Preconditions.checkArgument(gap >= 0, "gap must be >= 0, got %s", gap);
        Preconditions.checkArgument(columns >= 0, "columns must be >= 0 (0 = auto), got %s", columns);
    }

    /** For filter weights: coolwarm around zero, so the sign of each weight shows; labels and colour bar. */
    public static GridStyle filters() {
        return new GridStyle(Colormap.COOLWARM, Normalization.SYMMETRIC, 0, 2, true, true, 0);
    }

    /** For feature maps: viridis over the layer's range, so channels compare; labels and colour bar. */
    public static GridStyle featureMaps() {
        return new GridStyle(Colormap.VIRIDIS, Normalization.PER_LAYER, 0, 2, true, true, 0);
    }

    /** This style with another colormap. */
    public GridStyle withColormap(Colormap c) {
        return new GridStyle(c, normalization, tileScale, gap, labels, colorBar, columns);
    }

    /** This style with another normalization. */
    public GridStyle withNormalization(Normalization n) {
        return new GridStyle(colormap, n, tileScale, gap, labels, colorBar, columns);
    }

    /** This style with another tile scale (0 = auto). */
    public GridStyle withTileScale(int s) {
        return new GridStyle(colormap, normalization, s, gap, labels, colorBar, columns);
    }

    /** This style with another gap in pixels. */
    public GridStyle withGap(int g) {
        return new GridStyle(colormap, normalization, tileScale, g, labels, colorBar, columns);
    }

    /** This style with labels on or off. */
    public GridStyle withLabels(boolean l) {
        return new GridStyle(colormap, normalization, tileScale, gap, l, colorBar, columns);
    }

    /** This style with the colour bar on or off. */
    public GridStyle withColorBar(boolean b) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, b, columns);
    }

    /** This style with another column count (0 = auto). */
    public GridStyle withColumns(int c) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, colorBar, c);
    }
}
