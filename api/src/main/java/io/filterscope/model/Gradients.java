package io.filterscope.model;

import io.filterscope.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Gradients of one target (an output unit, or a layer channel's mean activation), from one forward
 * and one backward pass.
 *
 * @param output the model's output for the batch (as {@link Model#run} would give it); for a
 *               {@link GradientRequest.ChannelMean} target, the target layer's activation
 *               (N × C × H × W), since the model is run only as far as that layer
 * @param input  d score / d input, in the input's own shape and layout; empty unless requested
 * @param layers the requested layers, in request order
 */
public record Gradients(Tensor output, Optional<Tensor> input, List<LayerGradient> layers) {
    public Gradients {
        layers = List.copyOf(layers);
    }

    /** The gradient of the layer with this name, if it was requested. */
    public Optional<LayerGradient> layer(String name) {
        return layers.stream().filter(l -> l.layer().name().equals(name)).findFirst();
    }
}
