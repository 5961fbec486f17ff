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
 * @param zoom          magnification of the grid on screen, 1 = one image pixel per screen pixel; the
 *                      magnification chosen last by hand when {@code fitToView}
 * @param fitToView     whether each grid is magnified (or shrunk) to fit its tab instead: a whole
 *                      number of screen pixels per image pixel when it is magnified, so tiles stay crisp
 *                      squares. The default, so a small layer's filters are not tiny; setting a zoom
 *                      turns it off.
 */
public record ViewSettings(Preset preset, Colormap colormap, Normalization normalization, ChannelSelection channels, double zoom,
                           boolean fitToView) {
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

    /** Settings at a fixed zoom (not fitted to the view). */
    public ViewSettings(Preset preset, Colormap colormap, Normalization normalization, ChannelSelection channels, double zoom) {
        this(preset, colormap, normalization, channels, zoom, false);
    }

    /** The model's default preset, viridis over the layer's range, all channels, grids fitted to the view. */
    public static ViewSettings defaults() {
        return new ViewSettings(null, Colormap.VIRIDIS, Normalization.PER_LAYER, ChannelSelection.all(), 1.0, true);
    }

    /** These settings with another preset ({@code null}: the model's default). */
    public ViewSettings withPreset(Preset p) {
        return new ViewSettings(p, colormap, normalization, channels, zoom, fitToView);
    }

    /** These settings with another colormap. */
    public ViewSettings withColormap(Colormap c) {
        return new ViewSettings(preset, c, normalization, channels, zoom, fitToView);
    }

    /** These settings with another normalization. */
    public ViewSettings withNormalization(Normalization n) {
        return new ViewSettings(preset, colormap, n, channels, zoom, fitToView);
    }

    /** These settings with another channel selection. */
    public ViewSettings withChannels(ChannelSelection c) {
        return new ViewSettings(preset, colormap, normalization, c, zoom, fitToView);
    }

    /** These settings with a fixed zoom, clamped to {@link #MIN_ZOOM}..{@link #MAX_ZOOM}; no longer fitted to the view. */
    public ViewSettings withZoom(double z) {
        return new ViewSettings(preset, colormap, normalization, channels, Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)), false);
    }

    /** These settings with each grid fitted to its tab ({@link #zoom()} is kept for when a zoom is set again). */
    public ViewSettings withFitToView() {
        return new ViewSettings(preset, colormap, normalization, channels, zoom, true);
    }

    /**
     * The magnification that fits an image of {@code imageWidth} × {@code imageHeight} pixels into
     * {@code width} × {@code height}: a whole number when it is 1 or more (crisp squares), the exact
     * fraction below 1, within {@link #MIN_ZOOM}..{@link #MAX_ZOOM}; 1 when either size is unknown (0).
     */
    public static double fit(int imageWidth, int imageHeight, int width, int height) {
        if (imageWidth <= 0 || imageHeight <= 0 || width <= 0 || height <= 0) {
            return 1;
        }
        double z = Math.min((double) width / imageWidth, (double) height / imageHeight);
        z = z >= 1 ? Math.floor(z) : z;
        return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));
    }
}
