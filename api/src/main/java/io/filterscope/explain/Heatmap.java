package io.filterscope.explain;

import com.google.common.base.Preconditions;
import io.filterscope.render.Colormap;
import io.filterscope.render.Heatmaps;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * A map of importance over an image plane, {@code H × W} values: at a layer's resolution for a
 * class activation map, at the input's for saliency and occlusion. Values are as the method gave
 * them (not normalised); {@link #normalized()} scales them to [0, 1].
 *
 * @param values an {@code H × W} tensor
 */
public record Heatmap(Tensor values) {

    public Heatmap {
        Preconditions.checkArgument(values.shape().rank() == 2, "a heatmap is H×W, got %s", values.shape());
    }

    /** A heatmap of {@code height × width} values in C order (the array is taken, not copied). */
    static Heatmap wrap(int height, int width, float[] values) {
        return new Heatmap(Tensor.wrap(Shape.of(height, width), values));
    }

    /** Rows. */
    public int height() {
        return (int) values.shape().dim(0);
    }

    /** Columns. */
    public int width() {
        return (int) values.shape().dim(1);
    }

    /**
     * The map scaled to [0, 1] by its minimum and maximum; a constant map becomes all zeros (nothing
     * stands out). NaN counts as the minimum.
     */
    public Heatmap normalized() {
        float[] v = values.toArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            if (!Float.isNaN(x)) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        float range = hi - lo;
        for (int i = 0; i < v.length; i++) {
            v[i] = !(range > 0) || Float.isNaN(v[i]) ? 0 : (v[i] - lo) / range;
        }
        return wrap(height(), width(), v);
    }

    /**
     * The map resized to {@code height × width} bilinearly with pixel centres aligned, as PyTorch's
     * {@code interpolate(mode="bilinear", align_corners=False)} does (and as {@link Heatmaps#overlay}
     * draws it), so a 7×7 map lands where its cells belong.
     */
    public Heatmap upsampled(int height, int width) {
        return wrap(height, width, Maps.resize(values.toArray(), height(), width(), height, width));
    }

    /**
     * {@code image} with this map, normalised to [0, 1] and coloured by {@code colormap}, blended over
     * it; see {@link Heatmaps#overlay}.
     *
     * @param alpha weight of the heatmap, 0 (image only) to 1 (heatmap only)
     */
    public BufferedImage overlay(BufferedImage image, Colormap colormap, float alpha) {
        return Heatmaps.overlay(image, normalized().values, colormap, alpha);
    }

    /** The map, normalised to [0, 1], as a {@code H × W} picture in {@code colormap}. */
    public BufferedImage image(Colormap colormap) {
        float[] v = normalized().values.toArray();
        int h = height();
        int w = width();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, colormap.rgb(v[y * w + x]));
            }
        }
        return out;
    }
}
