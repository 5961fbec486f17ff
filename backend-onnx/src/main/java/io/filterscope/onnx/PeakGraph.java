package io.filterscope.onnx;

import io.filterscope.model.Layout;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Model;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The part of a graph up to one layer's tensor, with that tensor's channel peaks as its only outputs:
 * per item and channel the largest value ({@code GlobalMaxPool}), the mean ({@code
 * GlobalAveragePool}) and where the largest lies ({@code ArgMax} over the flattened map), plus the
 * tensor's shape. What {@code Model.peaks} runs for dataset examples.
 *
 * <p>Two things make it cheaper than a capture. The maps never leave ONNX Runtime: a capture writes
 * them out of the runtime's blocked layout and Java scans them once more, which on the bundled model
 * cost a fifth of a batch's inference. And only the nodes the layer needs are kept: ONNX Runtime runs
 * every node of a graph whatever outputs are asked for, so for an early layer almost all of the
 * network is skipped.
 */
final class PeakGraph {
    /** Output names; a graph that has any of them already gets no peak graph ({@link #namesTaken}). */
    static final String MAX = "filterscope.peaks.max";
    static final String MEAN = "filterscope.peaks.mean";
    static final String ARGMAX = "filterscope.peaks.argmax";
    static final String SHAPE = "filterscope.peaks.shape";
    /** Reshape takes its shape as an input from opset 5. */
    static final long MIN_OPSET = 5;
    private static final int INT64 = 7;

    private PeakGraph() {
    }

    /** Whether the graph's opset has the operator forms the peaks use. */
    static boolean supports(OnnxGraph graph) {
        return opset(graph) >= MIN_OPSET;
    }

    private static long opset(OnnxGraph graph) {
        return graph.proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(o -> o.getVersion()).max().orElse(1);
    }

    /**
     * The head of {@code graph} up to {@code tensor} (images in {@code layout}), whose outputs are
     * {@link #MAX} and {@link #MEAN} (N × C × 1 × 1 floats), {@link #ARGMAX} (N × C int64 positions,
     * row-major, the first of equal values) and {@link #SHAPE} (the tensor's N × C × H × W as int64).
     */
    static Model build(OnnxGraph graph, String tensor, Layout layout) {
        Set<String> read = new HashSet<>();
        Set<Node> needed = needed(graph, tensor, read);
        Graph.Builder g = graph.graph.toBuilder().clearNode().clearOutput().clearInitializer().clearInput();
        // The original order is a topological one (ONNX requires it); keep it.
        for (Node n : graph.graph.getNodeList()) {
            if (needed.contains(n)) {
                g.addNode(n);
            }
        }
        // Only the weights the head reads: the others would be loaded for nothing (and ONNX Runtime
        // warns of each). Initializers also listed as inputs (IR < 4) stay listed.
        for (Tensor t : graph.graph.getInitializerList()) {
            if (read.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        for (ValueInfo v : graph.graph.getInputList()) {
            if (!graph.initializers.containsKey(v.getName()) || read.contains(v.getName())) {
                g.addInput(v);
            }
        }
        String maps = tensor;
        if (layout == Layout.NHWC) {
            maps = MAX + ".nchw";
            g.addNode(node("Transpose", List.of(tensor), maps, ints("perm", 0, 3, 1, 2)));
        }
        String flatShape = MAX + ".flat_shape";
        String flat = MAX + ".flat";
        g.addNode(node("GlobalMaxPool", List.of(maps), MAX));
        g.addNode(node("GlobalAveragePool", List.of(maps), MEAN));
        g.addNode(node("Shape", List.of(maps), SHAPE));
        g.addNode(node("Constant", List.of(), flatShape, Attribute.newBuilder().setName("value").setType(Attribute.Type.TENSOR)
                .setT(Tensor.newBuilder().addDims(3).setDataType(INT64).addInt64Data(0).addInt64Data(0).addInt64Data(-1)).build()));
        g.addNode(node("Reshape", List.of(maps, flatShape), flat));
        g.addNode(node("ArgMax", List.of(flat), ARGMAX, Attribute.newBuilder().setName("axis").setType(Attribute.Type.INT).setI(2).build(),
                Attribute.newBuilder().setName("keepdims").setType(Attribute.Type.INT).setI(0).build()));
        for (String out : List.of(MAX, MEAN, ARGMAX, SHAPE)) {
            // No type: ONNX Runtime infers it, as for any graph output.
            g.addOutput(ValueInfo.newBuilder().setName(out));
        }
        return graph.proto.toBuilder().setGraph(g).build();
    }

    /** Whether any of the graph's own tensors has one of the names the peaks add (then none is added). */
    static boolean namesTaken(OnnxGraph graph) {
        Set<String> ours = Set.of(MAX, MEAN, ARGMAX, SHAPE, MAX + ".nchw", MAX + ".flat_shape", MAX + ".flat");
        return ours.stream().anyMatch(n -> graph.producers.containsKey(n) || graph.initializers.containsKey(n)
                || graph.inputs.stream().anyMatch(v -> v.getName().equals(n)));
    }

    /**
     * The nodes {@code tensor} depends on, outer tensors read inside subgraphs (If, Loop) included;
     * every tensor name they read is added to {@code read}.
     */
    private static Set<Node> needed(OnnxGraph graph, String tensor, Set<String> read) {
        Set<Node> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<String> todo = new ArrayDeque<>(List.of(tensor));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (t.isEmpty() || !read.add(t)) {
                continue;
            }
            Node producer = graph.producers.get(t);
            if (producer != null && needed.add(producer)) {
                producer.getInputList().forEach(todo::push);
                for (Attribute a : producer.getAttributeList()) {
                    if (a.hasG()) {
                        readIn(a.getG(), todo);
                    }
                    a.getGraphsList().forEach(sub -> readIn(sub, todo));
                }
            }
        }
        return needed;
    }

    /** Every tensor name a subgraph's nodes read, at any depth: outer ones among them. */
    private static void readIn(Graph sub, Deque<String> todo) {
        for (Node n : sub.getNodeList()) {
            n.getInputList().forEach(todo::push);
            for (Attribute a : n.getAttributeList()) {
                if (a.hasG()) {
                    readIn(a.getG(), todo);
                }
                a.getGraphsList().forEach(g -> readIn(g, todo));
            }
        }
    }

    private static Node node(String op, List<String> inputs, String output, Attribute... attributes) {
        return Node.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output).addAllAttribute(List.of(attributes)).build();
    }

    private static Attribute ints(String name, long... values) {
        Attribute.Builder a = Attribute.newBuilder().setName(name).setType(Attribute.Type.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
