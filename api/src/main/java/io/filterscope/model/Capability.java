package io.filterscope.model;

/** Optional abilities a model may have; explainers check for them and say which one is missing. */
public enum Capability {
    /** Weights of conv-like layers can be read. */
    FILTERS,
    /** Intermediate layer outputs can be captured. */
    ACTIVATIONS,
    /** Gradients of an output with respect to the input or a layer can be computed. */
    GRADIENTS
}
