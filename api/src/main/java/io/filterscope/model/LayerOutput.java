package io.filterscope.model;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Tensor;

/**
 * The captured output of one layer for a whole batch, normalised to {@code N × C × H × W} for
 * spatial layers (other ranks are kept as the model produced them).
 *
 * @param layer  the layer
 * @param tensor the captured tensor's name in the model
 * @param values the values for the whole batch
 */
public record LayerOutput(LayerInfo layer, String tensor, Tensor values) {

    /** Whether the values are N × C × H × W maps. */
    public boolean isSpatial() {
        return values.shape().rank() == 4;
    }

    /** The feature maps of batch item {@code item}. */
    public FeatureMaps featureMaps(int item) {
        Preconditions.checkState(isSpatial(), "layer %s has no spatial output (shape %s)", layer.name(), values.shape());
        return FeatureMaps.of(layer.name(), tensor, values.slice(item));
    }
}
