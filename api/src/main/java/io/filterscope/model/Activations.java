package io.filterscope.model;

import io.filterscope.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * The result of one inference with captured layers: the layer outputs in execution order and the
 * model's final output, so predictions need no second run.
 *
 * @param layers captured layers in execution order
 * @param output the model's first output (e.g. logits), batch first
 */
public record Activations(List<LayerOutput> layers, Tensor output) {
    public Activations {
        layers = List.copyOf(layers);
    }

    /** The captured output of the named layer, if it was captured. */
    public Optional<LayerOutput> layer(String name) {
        return layers.stream().filter(l -> l.layer().name().equals(name)).findFirst();
    }
}
