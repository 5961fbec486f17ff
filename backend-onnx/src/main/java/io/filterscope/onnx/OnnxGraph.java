package io.filterscope.onnx;

import io.filterscope.model.LayerKind;
import io.filterscope.model.Layout;
import io.filterscope.spi.CapturePolicy;
import io.filterscope.onnx.proto.OnnxModel;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import io.filterscope.onnx.proto.OnnxModel.TensorShape;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import io.filterscope.tensor.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The structure of an ONNX graph as FilterScope needs it: who produces and who consumes each tensor,
 * which nodes lie on the data path (and so are layers), each tensor's layout, and the graph as the
 * api's capture policy sees it.
 */
final class OnnxGraph {

    /** Activations that runtimes fuse into the op before them; capturing after them keeps fusion. */
    static final Set<String> ACTIVATIONS = Set.of("Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu",
            "Celu", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Mish", "Gelu", "ThresholdedRelu");
    private static final Set<String> POOLING = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
            "LpPool", "GlobalLpPool", "MaxRoiPool");
    private static final Set<String> NORMALIZATION = Set.of("BatchNormalization", "InstanceNormalization",
            "LayerNormalization", "GroupNormalization", "LRN", "MeanVarianceNormalization");
    /** Ops whose output keeps the channel-first layout regardless of the input's. */
    private static final Set<String> CHANNEL_FIRST_OPS = Set.of("Conv", "ConvTranspose", "FusedConv", "MaxPool",
            "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool", "BatchNormalization",
            "InstanceNormalization", "LRN");
    /** Nodes whose outputs describe shapes, not data: what follows them is not a layer. */
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Size");
    /**
     * Plumbing on the data path that changes no value worth a picture of its own: exporters (Keras
     * through torch, TensorFlow) wrap every conv in layout transposes and casts.
     */
    private static final Set<String> PLUMBING = Set.of("Identity", "Cast", "Transpose", "Squeeze", "Unsqueeze", "Dropout");

    final OnnxModel.Model proto;
    final OnnxModel.Graph graph;
    final Map<String, Tensor> initializers = new HashMap<>();
    final Map<String, Node> producers = new HashMap<>();
    final Map<String, List<Node>> consumers = new HashMap<>();
    final Map<String, Integer> nodeIndex = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();
    final List<ValueInfo> inputs = new ArrayList<>();
    final Map<String, Shape> declaredShapes = new HashMap<>();
    final Map<String, List<String>> dimNames = new HashMap<>();
    final Map<String, Integer> elementTypes = new HashMap<>();
    /** Layer nodes on the data path, in execution order, with their unique names. */
    final LinkedHashMap<String, Node> layerNodes = new LinkedHashMap<>();
    final Map<String, Layout> layouts = new HashMap<>();
    /** Which tensor stands for each layer, and which layers "all spatial" means. */
    final CapturePolicy policy;

    OnnxGraph(OnnxModel.Model proto) {
        this.proto = proto;
        this.graph = proto.getGraph();
        for (Tensor t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (ValueInfo v : graph.getInputList()) {
            record(v);
            if (!initializers.containsKey(v.getName())) {
                inputs.add(v);
            }
        }
        graph.getValueInfoList().forEach(this::record);
        graph.getOutputList().forEach(v -> {
            record(v);
            graphOutputs.add(v.getName());
        });
        for (int i = 0; i < graph.getNodeCount(); i++) {
            Node n = graph.getNode(i);
            nodeIndex.put(key(n, i), i);
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        findLayers();
        inferLayouts();
        policy = capturePolicy();
    }

    private static String key(Node n, int i) {
        return i + ":" + n.getName();
    }

    private void record(ValueInfo v) {
        if (!v.hasType() || !v.getType().hasTensorType()) {
            return;
        }
        var tt = v.getType().getTensorType();
        elementTypes.put(v.getName(), tt.getElemType());
        if (!tt.hasShape()) {
            return;
        }
        TensorShape s = tt.getShape();
        long[] dims = new long[s.getDimCount()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            TensorShape.Dimension d = s.getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : Shape.UNKNOWN;
            names.add(d.hasDimParam() ? d.getDimParam() : "");
        }
        declaredShapes.put(v.getName(), Shape.of(dims));
        dimNames.put(v.getName(), names);
    }

    /** Nodes fed, directly or not, by a graph input are layers; weight preprocessing is not. */
    private void findLayers() {
        Set<String> data = new HashSet<>();
        inputs.forEach(v -> data.add(v.getName()));
        Set<String> used = new HashSet<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            Node n = graph.getNode(i);
            boolean onDataPath = n.getInputList().stream().anyMatch(data::contains);
            if (!onDataPath || SHAPE_OPS.contains(n.getOpType())) {
                continue;
            }
            data.addAll(n.getOutputList());
            if (PLUMBING.contains(n.getOpType()) || n.getOutputCount() == 0) {
                continue;
            }
            String name = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
            while (!used.add(name)) {
                name = name + "_" + i;
            }
            layerNodes.put(name, n);
        }
    }

    static LayerKind kindOf(Node n) {
        String op = n.getOpType();
        if (op.equals("Conv") || op.equals("FusedConv")) {
            return intAttr(n, "group", 1) > 1 ? LayerKind.GROUPED_CONV : LayerKind.CONV;
        }
        if (op.equals("ConvTranspose")) {
            return LayerKind.TRANSPOSED_CONV;
        }
        if (POOLING.contains(op)) {
            return LayerKind.POOLING;
        }
        if (ACTIVATIONS.contains(op) || op.equals("Softmax") || op.equals("LogSoftmax")) {
            return LayerKind.ACTIVATION;
        }
        if (NORMALIZATION.contains(op)) {
            return LayerKind.NORMALIZATION;
        }
        if (op.equals("Gemm") || op.equals("MatMul")) {
            return LayerKind.DENSE;
        }
        return LayerKind.OTHER;
    }

    /** Layout of every rank-4 data tensor, carried along the graph from the input. */
    private void inferLayouts() {
        for (ValueInfo v : inputs) {
            layouts.put(v.getName(), detectInputLayout(v.getName()));
        }
        for (Node n : graph.getNodeList()) {
            Layout in = n.getInputList().stream().map(layouts::get).filter(l -> l != null && l != Layout.UNKNOWN)
                    .findFirst().orElse(Layout.NCHW);
            Layout out;
            if (CHANNEL_FIRST_OPS.contains(n.getOpType())) {
                out = Layout.NCHW;
            } else if (n.getOpType().equals("Transpose")) {
                out = transposed(in, intsAttr(n, "perm"));
            } else {
                out = in;
            }
            for (String o : n.getOutputList()) {
                layouts.put(o, out);
            }
        }
    }

    private static Layout transposed(Layout in, long[] perm) {
        if (Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
            return in == Layout.NHWC ? Layout.NCHW : Layout.UNKNOWN;
        }
        if (Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
            return in == Layout.NCHW ? Layout.NHWC : Layout.UNKNOWN;
        }
        return Layout.UNKNOWN;
    }

    /**
     * NHWC when the input reaches a Transpose to channel-first before any convolution (how Keras and
     * TensorFlow exports look), NCHW when it reaches a conv or pool directly; else judged from the
     * dimensions.
     */
    private Layout detectInputLayout(String input) {
        Optional<Shape> shape = Optional.ofNullable(declaredShapes.get(input));
        if (shape.isPresent() && shape.get().rank() != 4) {
            return Layout.UNKNOWN;
        }
        Deque<String> todo = new ArrayDeque<>(List.of(input));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty() && seen.size() < 64) {
            String t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            for (Node c : consumers.getOrDefault(t, List.of())) {
                if (c.getOpType().equals("Transpose")) {
                    long[] perm = intsAttr(c, "perm");
                    if (Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
                        return Layout.NHWC;
                    }
                    continue;
                }
                if (CHANNEL_FIRST_OPS.contains(c.getOpType())) {
                    return Layout.NCHW;
                }
                todo.addAll(c.getOutputList());
            }
        }
        if (shape.isPresent()) {
            long c1 = shape.get().dim(1);
            long c3 = shape.get().dim(3);
            boolean last = c3 == 1 || c3 == 3 || c3 == 4;
            boolean first = c1 == 1 || c1 == 3 || c1 == 4;
            if (last && !first) {
                return Layout.NHWC;
            }
        }
        return Layout.NCHW;
    }

    /**
     * The graph as the api's {@link CapturePolicy} sees it: one node per ONNX node, named by its
     * first output (a layer's {@code outputTensor}), reading the first outputs of other nodes. The
     * roles are this backend's only say in the policy: the fusible activations, plumbing, batch
     * normalisation and arithmetic with a constant pass through, and an Add or Sum of two data
     * branches joins a residual block.
     */
    private CapturePolicy capturePolicy() {
        Set<String> ids = new HashSet<>();
        for (Node n : graph.getNodeList()) {
            if (n.getOutputCount() > 0 && !n.getOutput(0).isEmpty()) {
                ids.add(n.getOutput(0));
            }
        }
        List<CapturePolicy.Node> nodes = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Node n : graph.getNodeList()) {
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty() || !done.add(n.getOutput(0))) {
                continue;
            }
            CapturePolicy.Role role = roleOf(n);
            List<String> in = n.getInputList().stream().filter(ids::contains).toList();
            nodes.add(new CapturePolicy.Node(n.getOutput(0), role, role == CapturePolicy.Role.ACTIVATION,
                    graphOutputs.contains(n.getOutput(0)), in));
        }
        return CapturePolicy.of(nodes);
    }

    private CapturePolicy.Role roleOf(Node n) {
        String op = n.getOpType();
        if (ACTIVATIONS.contains(op)) {
            return CapturePolicy.Role.ACTIVATION;
        }
        if (op.equals("BatchNormalization") || PLUMBING.contains(op)) {
            return CapturePolicy.Role.PASS_THROUGH;
        }
        if (Set.of("Add", "Sub", "Mul", "Div", "Sum").contains(op)) {
            long data = n.getInputList().stream().filter(i -> !i.isEmpty() && !isConstant(i)).count();
            if (data <= 1 && !op.equals("Sum")) {
                return CapturePolicy.Role.PASS_THROUGH;
            }
            if (data >= 2 && (op.equals("Add") || op.equals("Sum"))) {
                return CapturePolicy.Role.SUM;
            }
        }
        return CapturePolicy.Role.OTHER;
    }

    private boolean isConstant(String tensor) {
        return initializers.containsKey(tensor) || (producers.containsKey(tensor) && producers.get(tensor).getOpType().equals("Constant"));
    }

    static long intAttr(Node n, String name, long fallback) {
        for (Attribute a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    static long[] intsAttr(Node n, String name) {
        for (Attribute a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return new long[0];
    }

    static Optional<Attribute> attr(Node n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }
}
