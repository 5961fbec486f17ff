package io.filterscope.onnx;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Model;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import io.filterscope.tensor.Shape;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of a graph after one tensor, as a model of its own whose inputs are that tensor and the
 * tensors that cross the cut beside it (a skip connection around a layer inside a residual block),
 * and whose output is the model's first: what {@code Model.runFrom} runs (Ablation-CAM feeds it
 * batches of a layer's output with channels zeroed). Only the nodes the output needs are kept, so
 * the part before the cut costs nothing.
 */
final class TailGraph {
    private static final int FLOAT = 1;

    private TailGraph() {
    }

    /** Where the first branch that bypasses {@code cut} meets what is computed from it: "at 'node'". */
    private static String join(OnnxGraph graph, String cut) {
        Set<String> fromCut = new HashSet<>(List.of(cut));
        Set<String> fromInput = new HashSet<>();
        graph.inputs.forEach(v -> fromInput.add(v.getName()));
        fromInput.remove(cut);
        for (Node n : graph.graph.getNodeList()) {
            boolean c = n.getInputList().stream().anyMatch(fromCut::contains);
            boolean in = n.getInputList().stream().anyMatch(t -> !t.equals(cut) && fromInput.contains(t));
            if (c && in) {
                return "at '" + TensorData.ExternalData.printable(n.getName().isEmpty() ? n.getOpType() : n.getName()) + "'";
            }
            if (c) {
                fromCut.addAll(n.getOutputList());
            } else if (in) {
                fromInput.addAll(n.getOutputList());
            }
        }
        return "later";
    }

    /**
     * The tensors besides {@code cut} that the output needs from before the cut: those computed from
     * the model input without passing through {@code cut} (the input itself included) that a node
     * after the cut reads. Empty when the cut alone determines the output. Tensors that do not depend
     * on the input (constants) are not among them: the tail computes those itself.
     */
    static List<String> crossing(OnnxGraph graph, String cut) {
        // No list: a tensor with neither producer nor input; build refuses, naming the join.
        List<String> crossing = walk(graph, cut, true).crossing();
        return crossing == null ? List.of() : crossing;
    }

    /** The tail's nodes and the tensors crossing into it, from the output back to the cut. */
    private record Walk(Set<Node> nodes, List<String> crossing) {
    }

    private static Walk walk(OnnxGraph graph, String cut, boolean allowCrossing) {
        Set<String> fromCut = new HashSet<>(List.of(cut));
        Set<String> fromInput = new HashSet<>();
        graph.inputs.forEach(v -> fromInput.add(v.getName()));
        for (Node n : graph.graph.getNodeList()) {
            if (n.getInputList().stream().anyMatch(fromCut::contains)) {
                fromCut.addAll(n.getOutputList());
            }
            if (n.getInputList().stream().anyMatch(fromInput::contains)) {
                fromInput.addAll(n.getOutputList());
            }
        }
        String output = graph.graph.getOutput(0).getName();
        Set<Node> needed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Set<String> crossing = new java.util.LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(output));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (t.isEmpty() || t.equals(cut) || graph.initializers.containsKey(t) || !seen.add(t)) {
                continue;
            }
            if (allowCrossing && fromInput.contains(t) && !fromCut.contains(t)) {
                crossing.add(t);
                continue;
            }
            Node producer = graph.producers.get(t);
            if (producer == null) {
                // A graph input other than the cut: the output depends on the model input around the layer.
                return new Walk(needed, null);
            }
            if (needed.add(producer)) {
                producer.getInputList().forEach(todo::push);
            }
        }
        return new Walk(needed, List.copyOf(crossing));
    }

    /**
     * The tail of {@code graph} from {@code cut} (a tensor the graph computes), its input declared
     * with {@code cutShape} in the tensor's own layout and a free batch dimension; each tensor of
     * {@code crossing} (from {@link #crossing}, or empty) is an input too, declared with its element
     * type and no shape.
     *
     * @param layer the layer the cut stands for, for messages
     * @throws FilterScopeException of kind {@link ErrorKind#UNSUPPORTED} when the output needs
     *         another input than the cut and {@code crossing} is empty (a branch around it), or the
     *         cut is not float
     */
    static Model build(OnnxGraph graph, String cut, Shape cutShape, List<String> crossing, Path file, String layer) {
        int type = graph.elementTypes.getOrDefault(cut, FLOAT);
        if (type != FLOAT) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": layer '" + TensorData.ExternalData.printable(layer)
                    + "' outputs element type " + type + "; the network can be run from float32 layer outputs only");
        }
        String output = graph.graph.getOutput(0).getName();
        Walk walk = walk(graph, cut, !crossing.isEmpty());
        if (walk.crossing() == null) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": the output does not depend on layer '"
                    + TensorData.ExternalData.printable(layer) + "' alone (a branch from the input around it joins " + join(graph, cut)
                    + "), so the network cannot be run from its output alone; give the input too (runFrom(layer, layerOutput, input))"
                    + " or choose a later layer, such as one after the join");
        }
        Set<Node> needed = walk.nodes();
        for (Node producer : needed) {
            // A node with a subgraph (If, Loop) may read outer tensors its input list does not name.
            for (var attr : producer.getAttributeList()) {
                if (attr.hasG() || attr.getGraphsCount() > 0) {
                    throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": node '"
                            + TensorData.ExternalData.printable(producer.getName()) + "' (" + producer.getOpType()
                            + ") after layer '" + TensorData.ExternalData.printable(layer)
                            + "' has a subgraph; the network cannot be run from that layer");
                }
            }
        }
        Graph.Builder g = graph.graph.toBuilder().clearNode().clearInput().clearOutput().clearValueInfo().clearInitializer();
        Set<String> read = new HashSet<>();
        // The original order is a topological one (ONNX requires it); keep it.
        for (Node n : graph.graph.getNodeList()) {
            if (needed.contains(n)) {
                g.addNode(n);
                read.addAll(n.getInputList());
            }
        }
        // Only the weights the tail reads: a cut late in the network needs few of them.
        for (io.filterscope.onnx.proto.OnnxModel.Tensor t : graph.graph.getInitializerList()) {
            if (read.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        long[] dims = cutShape.toArray();
        if (dims.length > 0) {
            dims[0] = Shape.UNKNOWN;
        }
        g.addInput(Backprop.valueInfo(cut, FLOAT, dims));
        for (String t : walk.crossing()) {
            // Shapes differ with the input's size: the type alone.
            g.addInput(ValueInfo.newBuilder().setName(t).setType(io.filterscope.onnx.proto.OnnxModel.TypeInfo.newBuilder()
                    .setTensorType(io.filterscope.onnx.proto.OnnxModel.TypeInfo.TensorType.newBuilder()
                            .setElemType(graph.elementTypes.getOrDefault(t, FLOAT)))));
        }
        // Initializers listed as inputs too (IR < 4) stay listed: ONNX Runtime expects that of such files.
        for (ValueInfo v : graph.graph.getInputList()) {
            if (graph.initializers.containsKey(v.getName()) && read.contains(v.getName())) {
                g.addInput(v);
            }
        }
        for (ValueInfo v : graph.graph.getValueInfoList()) {
            if (!v.getName().equals(cut) && !walk.crossing().contains(v.getName())) {
                g.addValueInfo(v);
            }
        }
        g.addOutput(ValueInfo.newBuilder().setName(output));
        return graph.proto.toBuilder().setGraph(g).build();
    }
}
