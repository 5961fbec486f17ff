package io.filterscope.model;

/** Optional abilities a model may have; explainers check for them and say which one is missing. */
public enum Capability {
    /** Weights of conv-like layers can be read. */
    FILTERS,
    /** Intermediate layer outputs can be captured. */
    ACTIVATIONS,
    /** Gradients of an output with respect to the input or a layer can be computed. */
    GRADIENTS,
    /**
     * The rest of the network can be run from a layer's output ({@link Model#runFrom}), as the
     * forward-only Ablation-CAM needs. A layer whose output does not determine the model's output
     * alone (a skip connection around it, inside a residual block) needs the input as well
     * ({@link Model#runFrom(String, io.filterscope.tensor.Tensor, io.filterscope.tensor.Tensor)}).
     */
    RUN_FROM_LAYER
}
