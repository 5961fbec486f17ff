package io.filterscope.model;

/** What a layer does, coarse enough to be shared by every backend. */
public enum LayerKind {
    CONV,
    /** A convolution with groups > 1 (depthwise when groups equals the input channels). */
    GROUPED_CONV,
    TRANSPOSED_CONV,
    POOLING,
    ACTIVATION,
    NORMALIZATION,
    DENSE,
    OTHER;

    /** Whether the layer has convolution weights, i.e. a {@link FilterBank}. */
    public boolean hasFilters() {
        return this == CONV || this == GROUPED_CONV || this == TRANSPOSED_CONV;
    }
}
