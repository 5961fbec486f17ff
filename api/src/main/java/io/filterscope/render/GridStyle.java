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
 * @param caption       whether to write what the grid shows above it: the layer's name and the
 *                      shape drawn, and for filter grids of (filter, input channel) tiles that rows
 *                      are output channels and columns input channels
 * @param paper         the background and text colours ({@link Paper#WHITE} unless asked otherwise)
 */
public record GridStyle(Colormap colormap, Normalization normalization, int tileScale, int gap, boolean labels, boolean colorBar, int columns,
                        boolean caption, Paper paper) {

    /** A style without a caption, as grids were drawn before captions existed. */
    public GridStyle(Colormap colormap, Normalization normalization, int tileScale, int gap, boolean labels, boolean colorBar, int columns) {
        this(colormap, normalization, tileScale, gap, labels, colorBar, columns, false);
    }

    /** A style on white paper. */
    public GridStyle(Colormap colormap, Normalization normalization, int tileScale, int gap, boolean labels, boolean colorBar, int columns,
                     boolean caption) {
        this(colormap, normalization, tileScale, gap, labels, colorBar, columns, caption, Paper.WHITE);
    }

    public GridStyle {
        Preconditions.checkNotNull(colormap, "colormap");
        Preconditions.checkNotNull(normalization, "normalization");
        Preconditions.checkNotNull(paper, "paper");
        Preconditions.checkArgument(tileScale >= 0, "tile scale must be >= 0 (0 = auto), got %s", tileScale);
        Preconditions.checkArgument(gap >= 0, "gap must be >= 0, got %s", gap);
        Preconditions.checkArgument(columns >= 0, "columns must be >= 0 (0 = auto), got %s", columns);
    }

    /** For filter weights: coolwarm around zero, so the sign of each weight shows; labels, colour bar and caption. */
    public static GridStyle filters() {
        return new GridStyle(Colormap.COOLWARM, Normalization.SYMMETRIC, 0, 2, true, true, 0, true);
    }

    /** For feature maps: viridis over the layer's range, so channels compare; labels, colour bar and caption. */
    public static GridStyle featureMaps() {
        return new GridStyle(Colormap.VIRIDIS, Normalization.PER_LAYER, 0, 2, true, true, 0, true);
    }

    /** This style with another colormap. */
    public GridStyle withColormap(Colormap c) {
        return new GridStyle(c, normalization, tileScale, gap, labels, colorBar, columns, caption, paper);
    }

    /** This style with another normalization. */
    public GridStyle withNormalization(Normalization n) {
        return new GridStyle(colormap, n, tileScale, gap, labels, colorBar, columns, caption, paper);
    }

    /** This style with another tile scale (0 = auto). */
    public GridStyle withTileScale(int s) {
        return new GridStyle(colormap, normalization, s, gap, labels, colorBar, columns, caption, paper);
    }

    /** This style with another gap in pixels. */
    public GridStyle withGap(int g) {
        return new GridStyle(colormap, normalization, tileScale, g, labels, colorBar, columns, caption, paper);
    }

    /** This style with labels on or off. */
    public GridStyle withLabels(boolean l) {
        return new GridStyle(colormap, normalization, tileScale, gap, l, colorBar, columns, caption, paper);
    }

    /** This style with the colour bar on or off. */
    public GridStyle withColorBar(boolean b) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, b, columns, caption, paper);
    }

    /** This style with another column count (0 = auto). */
    public GridStyle withColumns(int c) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, colorBar, c, caption, paper);
    }

    /** This style on other paper: background and text colours. */
    public GridStyle withPaper(Paper p) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, colorBar, columns, caption, p);
    }

    /** This style with the caption (layer name and shape above the grid) on or off. */
    public GridStyle withCaption(boolean c) {
        return new GridStyle(colormap, normalization, tileScale, gap, labels, colorBar, columns, c, paper);
    }
}
