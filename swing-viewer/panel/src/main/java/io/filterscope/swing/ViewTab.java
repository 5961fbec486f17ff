package io.filterscope.swing;

/** The views in the middle of a {@link FilterScopePanel}. */
public enum ViewTab {
    /** The selected conv layer's filters. */
    FILTERS,
    /** The selected layer's feature maps for the current image. */
    FEATURE_MAPS,
    /** What the model file says about itself. */
    MODEL
}
