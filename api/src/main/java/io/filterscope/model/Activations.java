package io.filterscope.model;

import io.filterscope.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * The result of one inference with captured layers: the layer outputs in execution order and the
 * model's final output, so predictions need no second run.
 *
 * <p>A backend may lend the tensors memory it recycles ({@link Tensor#lent}). Closing the
 * activations gives that memory back for the model's next capture at once; afterwards reading any of
 * these tensors (their slices and reshapes included) throws {@link IllegalStateException}, so copy
 * what must outlive them first. Closing is optional: activations that become unreachable give their
 * memory back by themselves, only later.
 *
 * @param layers captured layers in execution order
 * @param output the model's first output (e.g. logits), batch first
 */
public record Activations(List<LayerOutput> layers, Tensor output) implements AutoCloseable {
    public Activations {
        layers = List.copyOf(layers);
    }

    /** The captured output of the named layer, if it was captured. */
    public Optional<LayerOutput> layer(String name) {
        return layers.stream().filter(l -> l.layer().name().equals(name)).findFirst();
    }

    /** Gives lent memory back to the model (see the class comment); does nothing when none was lent. */
    @Override
    public void close() {
        layers.forEach(l -> l.values().release());
        output.release();
    }
}
