package io.filterscope.explain;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Layout;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;

/**
 * Where the height, width and channels of a one-item image input sit (NCHW or NHWC), so the
 * perturbation methods can change pixels whatever the model's layout.
 */
record InputPlane(Shape shape, boolean channelsLast, int channels, int height, int width) {

    static InputPlane of(Tensor input, Layout layout, String file) {
        Shape s = input.shape();
        if (s.rank() != 4) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file + ": input of shape " + s
                    + " is not an image batch (N×C×H×W or N×H×W×C); explanations need an image input");
        }
        if (s.dim(0) != 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file + ": got a batch of " + s.dim(0)
                    + " inputs; explain one input at a time (a batch of 1)");
        }
        boolean last = layout == Layout.NHWC;
        return last ? new InputPlane(s, true, (int) s.dim(3), (int) s.dim(1), (int) s.dim(2))
                : new InputPlane(s, false, (int) s.dim(1), (int) s.dim(2), (int) s.dim(3));
    }

    int pixels() {
        return height * width;
    }

    int size() {
        return channels * height * width;
    }

    /** Flat index of channel {@code c} at pixel {@code p} (= y × W + x) in one item. */
    int index(int c, int p) {
        return channelsLast ? p * channels + c : c * pixels() + p;
    }

    /** {@code item} multiplied pixel-wise by {@code mask} (H × W), every channel alike, into {@code dst} at {@code at}. */
    void multiply(float[] item, float[] mask, float[] dst, int at) {
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels(); p++) {
                int i = index(c, p);
                dst[at + i] = item[i] * mask[p];
            }
        }
    }

    /** Sets pixel {@code p} of the item at {@code at} to {@code value} in every channel. */
    void set(float[] dst, int at, int p, float value) {
        for (int c = 0; c < channels; c++) {
            dst[at + index(c, p)] = value;
        }
    }

    /** Copies pixel {@code p} (every channel) from {@code src} into the item at {@code at}. */
    void copy(float[] src, float[] dst, int at, int p) {
        for (int c = 0; c < channels; c++) {
            int i = index(c, p);
            dst[at + i] = src[i];
        }
    }

    /** The largest absolute value over the channels at each pixel of item {@code item}. */
    float[] maxAbsOverChannels(float[] values, int item) {
        float[] out = new float[pixels()];
        int at = item * size();
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels(); p++) {
                out[p] = Math.max(out[p], Math.abs(values[at + index(c, p)]));
            }
        }
        return out;
    }

    /** A batch of {@code n} items, a copy of the first {@code n} items of {@code data} (which the caller reuses). */
    Tensor batch(float[] data, int n) {
        return Tensor.wrap(shape.with(0, n), java.util.Arrays.copyOf(data, n * size()));
    }
}
