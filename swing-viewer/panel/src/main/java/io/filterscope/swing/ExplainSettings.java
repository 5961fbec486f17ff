package io.filterscope.swing;

import com.google.common.base.Preconditions;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Method;
import io.filterscope.render.Colormap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the {@link ExplainTab} explains and how it draws it. Start from {@link #defaults()} and change
 * what differs; the tab's controls show these values, and {@link ExplainTab#setSettings} applies
 * new ones as the controls would.
 *
 * @param method       the explanation method
 * @param layer        for class activation maps, the layer (a name from {@code Model.layers()}); empty:
 *                     the last layer with a spatial output larger than 1 × 1, as the api's
 *                     {@code Explainer.defaultLayer()} picks it
 * @param classIndex   the output unit (class) to explain; empty: the model's top-1 prediction for
 *                     each image
 * @param colormap     how the heatmap is coloured
 * @param opacity      the heatmap's weight over the image, 0 (image only) to 1 (heatmap only)
 * @param topChannels  Score-CAM only: keep the this many channels that vary most over the map (faster);
 *                     0 keeps every channel, as the paper does
 * @param faithfulness whether to compute the deletion and insertion curves of each heatmap (about a
 *                     hundred more forward passes)
 * @param occlusion    occlusion only: the window, stride and baseline value, as the api takes them
 *                     (0 for the window or stride picks it from the input's size)
 * @param smoothGrad   SmoothGrad only: the noise level and the number of noisy samples (and the
 *                     noise's seed, so the same settings give the same map)
 */
public record ExplainSettings(Method method, Optional<String> layer, OptionalInt classIndex, Colormap colormap, float opacity,
                              int topChannels, boolean faithfulness, ExplainRequest.Occlusion occlusion,
                              ExplainRequest.SmoothGrad smoothGrad) {

    public ExplainSettings {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(classIndex, "classIndex");
        Objects.requireNonNull(colormap, "colormap");
        Objects.requireNonNull(occlusion, "occlusion");
        Objects.requireNonNull(smoothGrad, "smoothGrad");
        Preconditions.checkArgument(opacity >= 0 && opacity <= 1, "opacity must be in [0, 1], got %s", opacity);
        Preconditions.checkArgument(topChannels >= 0, "top channels must be >= 0 (0 keeps all), got %s", topChannels);
        Preconditions.checkArgument(classIndex.isEmpty() || classIndex.getAsInt() >= 0, "class index must be >= 0, got %s", classIndex);
    }

    /**
     * Grad-CAM at the default layer for the top-1 class, inferno at half opacity, every channel, with
     * faithfulness; the api's default occlusion ({@link ExplainRequest.Occlusion#auto()}) and SmoothGrad
     * ({@link ExplainRequest.SmoothGrad#defaults()}) settings.
     */
    public static ExplainSettings defaults() {
        return new ExplainSettings(Method.GRAD_CAM, Optional.empty(), OptionalInt.empty(), Colormap.INFERNO, 0.5f, 0, true,
                ExplainRequest.Occlusion.auto(), ExplainRequest.SmoothGrad.defaults());
    }

    /** The same settings with another method. */
    public ExplainSettings withMethod(Method m) {
        return new ExplainSettings(m, layer, classIndex, colormap, opacity, topChannels, faithfulness, occlusion, smoothGrad);
    }

    /** The same settings at layer {@code name}; {@code null} for the default layer. */
    public ExplainSettings atLayer(String name) {
        return new ExplainSettings(method, Optional.ofNullable(name), classIndex, colormap, opacity, topChannels, faithfulness, occlusion,
                smoothGrad);
    }

    /** The same settings for class {@code index}; {@code null} for the top-1 prediction. */
    public ExplainSettings forClass(Integer index) {
        return new ExplainSettings(method, layer, index == null ? OptionalInt.empty() : OptionalInt.of(index), colormap, opacity,
                topChannels, faithfulness, occlusion, smoothGrad);
    }

    /** The same settings with another colormap. */
    public ExplainSettings withColormap(Colormap c) {
        return new ExplainSettings(method, layer, classIndex, c, opacity, topChannels, faithfulness, occlusion, smoothGrad);
    }

    /** The same settings with another opacity. */
    public ExplainSettings withOpacity(float a) {
        return new ExplainSettings(method, layer, classIndex, colormap, a, topChannels, faithfulness, occlusion, smoothGrad);
    }

    /** The same settings keeping {@code n} channels for Score-CAM (0: all). */
    public ExplainSettings withTopChannels(int n) {
        return new ExplainSettings(method, layer, classIndex, colormap, opacity, n, faithfulness, occlusion, smoothGrad);
    }

    /** The same settings with or without the faithfulness curves. */
    public ExplainSettings withFaithfulness(boolean on) {
        return new ExplainSettings(method, layer, classIndex, colormap, opacity, topChannels, on, occlusion, smoothGrad);
    }

    /** The same settings with other occlusion settings (used when the method is occlusion). */
    public ExplainSettings withOcclusion(ExplainRequest.Occlusion o) {
        return new ExplainSettings(method, layer, classIndex, colormap, opacity, topChannels, faithfulness, o, smoothGrad);
    }

    /** The same settings with other SmoothGrad settings (used when the method is SmoothGrad). */
    public ExplainSettings withSmoothGrad(ExplainRequest.SmoothGrad s) {
        return new ExplainSettings(method, layer, classIndex, colormap, opacity, topChannels, faithfulness, occlusion, s);
    }
}
