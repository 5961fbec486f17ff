package io.filterscope.render;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.Locale;

/** How values are scaled to the colormap's [0, 1] before they are coloured. */
public enum Normalization {
    /**
     * Each tile from its own minimum to maximum: shows each tile's pattern best, but equal colours in
     * two tiles may be very different values.
     */
    PER_TILE,
    /** All tiles of a layer share the layer's minimum to maximum, so tiles can be compared. */
    PER_LAYER,
    /**
     * Around zero: −m..m with m = max |v| over the layer, so zero maps to the colormap's middle and
     * the sign of a value shows as its side of the (diverging) map. For weights.
     */
    SYMMETRIC;

    /**
     * The normalization with this name, ignoring case, '-' and '_' ("per-tile", "tile", "layer",
     * "symmetric", "sym").
     *
     * @throws FilterScopeException listing the valid names when none matches
     */
    public static Normalization parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (key) {
            case "per_tile", "tile", "pertile" -> PER_TILE;
            case "per_layer", "layer", "perlayer" -> PER_LAYER;
            case "symmetric", "sym", "zero" -> SYMMETRIC;
            default -> throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "unknown normalization '" + name
                    + "'; use one of per-tile, per-layer, symmetric");
        };
    }
}
