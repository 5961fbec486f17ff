package io.filterscope.model;

import io.filterscope.tensor.Shape;
import java.util.List;
import java.util.Optional;

/**
 * One layer of a model: a node whose output is worth seeing.
 *
 * @param name        stable, unique name used everywhere (CLI, files, API); the node name when the
 *                    model gives a unique one, otherwise derived from the operator and position
 * @param nodeName    the name in the model file, possibly empty
 * @param op          the operator as the format names it ("Conv", "Relu", "Conv2D")
 * @param kind        the coarse kind
 * @param index       position in execution order, from 0
 * @param outputTensor the name of the tensor the layer produces
 * @param outputShape  output shape where known, {@link Shape#UNKNOWN} in dynamic dimensions
 * @param filterShape  for conv-like layers the weight shape out × in/groups × kH × kW
 */
public record LayerInfo(
        String name,
        String nodeName,
        String op,
        LayerKind kind,
        int index,
        String outputTensor,
        Optional<Shape> outputShape,
        Optional<Shape> filterShape) {

    /** Whether the output is an image-like C×H×W map per batch item (rank 4). */
    public boolean hasSpatialOutput() {
        return outputShape.map(s -> s.rank() == 4).orElse(false);
    }

    /** The names of {@code layers}, in order. */
    public static List<String> names(List<LayerInfo> layers) {
        return layers.stream().map(LayerInfo::name).toList();
    }
}
