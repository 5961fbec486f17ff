package io.filterscope.model;

/** Where the channel axis of an image tensor sits. */
public enum Layout {
    /** batch, channels, height, width — PyTorch and ONNX's own convolution layout. */
    NCHW,
    /** batch, height, width, channels — Keras/TensorFlow's default. */
    NHWC,
    /** Not an image tensor, or the layout could not be told. */
    UNKNOWN;

    /** The axis permutation that turns a tensor in this layout into NCHW. */
    public int[] toNchw() {
        return this == NHWC ? new int[] {0, 3, 1, 2} : new int[] {0, 1, 2, 3};
    }
}
