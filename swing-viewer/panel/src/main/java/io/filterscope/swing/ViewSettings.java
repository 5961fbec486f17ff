package io.filterscope.swing;

import com.google.common.base.Preconditions;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.Normalization;

/**
 * How a {@link FilterScopePanel} prepares the input and draws its grids. Changing the preset makes
 * the panel run the model again; the other settings only redraw.
 *
 * @param preset        the preprocessing preset, or {@code null} for the model's own default
 *                      ({@link io.filterscope.preprocess.Preprocessing#forModel}: unit for gray
 *                      inputs, imagenet for NCHW colour, tf for NHWC colour)
 * @param colormap      colours of the Filters and Feature maps grids
 * @param normalization how values are scaled to the colormap
 * @param channels      which feature-map channels are drawn
 * @param zoom          magnification of the grid on screen, 1 = one image pixel per screen pixel
 */
public record ViewSettings(Preset preset, Colormap colormap, Normalization normalization, ChannelSelection channels, double zoom) {
    /** Smallest zoom the panel offers. */
    public static final double MIN_ZOOM = 0.1;
    /** Largest zoom the panel offers. */
    public static final double MAX_ZOOM = 16;

    public ViewSettings {
        Preconditions.checkNotNull(colormap, "colormap");
        Preconditions.checkNotNull(normalization, "normalization");
        Preconditions.checkNotNull(channels, "channels");
        Preconditions.checkArgument(zoom >= MIN_ZOOM && zoom <= MAX_ZOOM, "zoom must be in %s..%s, got %s", MIN_ZOOM, MAX_ZOOM, zoom);
    }

    /** The model's default preset, viridis over the layer's range, all channels, zoom 1. */
    public static ViewSettings defaults() {
        return new ViewSettings(null, Colormap.VIRIDIS, Normalization.PER_LAYER, ChannelSelection.all(), 1.0);
    }

    /** These settings with another preset ({@code null}: the model's default). */
    public ViewSettings withPreset(Preset p) {
        return new ViewSettings(p, colormap, normalization, channels, zoom);
    }

    /** These settings with another colormap. */
    public ViewSettings withColormap(Colormap c) {
        return new ViewSettings(preset, c, normalization, channels, zoom);
    }

    /** These settings with another normalization. */
    public ViewSettings withNormalization(Normalization n) {
        return new ViewSettings(preset, colormap, n, channels, zoom);
    }

    /** These settings with another channel selection. */
    public ViewSettings withChannels(ChannelSelection c) {
        return new ViewSettings(preset, colormap, normalization, c, zoom);
    }

    /** These settings with another zoom, clamped to {@link #MIN_ZOOM}..{@link #MAX_ZOOM}. */
    public ViewSettings withZoom(double z) {
        return new ViewSettings(preset, colormap, normalization, channels, Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)));
    }
}
