package io.filterscope.swing;

import io.filterscope.model.LayerInfo;

/** Told when the layer shown by a {@link FilterScopePanel} changes; called on the event dispatch thread. */
@FunctionalInterface
public interface LayerSelectionListener {
    /** {@code layer} is now the selected layer. */
    void layerSelected(LayerInfo layer);
}
