package io.filterscope.model;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Tensor;

/**
 * One layer's output and the gradient of the score with respect to it: what Grad-CAM weighs.
 * Both are {@code N × C × H × W} for spatial layers, whatever the backend's own layout.
 *
 * @param layer      the layer
 * @param activation the layer's output (after its activation function)
 * @param gradient   d score / d activation, the same shape
 */
public record LayerGradient(LayerInfo layer, Tensor activation, Tensor gradient) {
    public LayerGradient {
        Preconditions.checkArgument(activation.shape().equals(gradient.shape()),
                "layer %s: activation %s and gradient %s differ in shape", layer.name(), activation.shape(), gradient.shape());
    }
}
