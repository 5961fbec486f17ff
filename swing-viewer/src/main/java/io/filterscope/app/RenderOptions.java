package io.filterscope.app;

import io.filterscope.render.Colormap;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Normalization;
import picocli.CommandLine.Option;

/** How grids are drawn: colour map, normalisation and caption. */
public final class RenderOptions {

    @Option(names = "--colormap", paramLabel = "NAME",
            description = "Colour map: gray, viridis, magma, inferno or coolwarm (default depends on what is drawn).")
    String colormap;

    @Option(names = "--normalization", paramLabel = "NAME",
            description = "How values map to colours: per_tile, per_layer or symmetric (default depends on what is drawn).")
    String normalization;

    @Option(names = "--no-caption",
            description = "Leave out the caption above each grid (layer name, shape, and for filters what rows and columns are).")
    boolean noCaption;

    /** {@code base} with the colour map and normalisation given on the command line; fails on unknown names. */
    GridStyle apply(GridStyle base) {
        GridStyle s = base;
        if (colormap != null) {
            s = s.withColormap(Colormap.parse(colormap));
        }
        if (normalization != null) {
            s = s.withNormalization(Normalization.parse(normalization));
        }
        return s.withCaption(base.caption() && !noCaption);
    }
}
