package io.filterscope.onnx;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Model;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.OperatorSetId;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import io.filterscope.onnx.proto.OnnxModel.TensorShape;
import io.filterscope.onnx.proto.OnnxModel.TypeInfo;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reverse-mode differentiation of an ONNX graph, written as more ONNX nodes: the backward pass is
 * appended to the model's own graph, so one ONNX Runtime session runs the forward pass and the
 * backward pass together, on whatever execution provider the model runs on, with no Python and no
 * training build of ONNX Runtime.
 *
 * <p>The differentiated score is {@code Σₙ score[n, k]}: the seed, a one-hot {@code N × K} tensor
 * that the caller feeds as the graph input {@link #SEED}, is the gradient of the score with respect
 * to the score tensor. The score tensor is the graph's first output, or, for logits, the input of a
 * final Softmax or LogSoftmax.
 *
 * <p>Only the nodes between the model input and the score tensor are differentiated ("the path"); a
 * node on it whose operator has no rule here makes the whole model lack gradients
 * ({@link #unsupported}), so {@link io.filterscope.model.Capability#GRADIENTS} is reported only
 * when every node on the path has a rule. Rules that depend on sizes (the output padding of a
 * transposed convolution, the split of a Concat, broadcasting) read the static shapes ONNX Runtime
 * infers for the concrete input shape, so a plan is made per input shape.
 */
final class Backprop {
    /** The graph input that takes the seed, d score / d score tensor. */
    static final String SEED = "filterscope_grad/seed";
    /** Prefix of every tensor the backward pass adds. */
    private static final String PREFIX = "filterscope_grad/";
    /** Ops with a backward rule here. */
    static final Set<String> SUPPORTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "Relu", "Clip", "LeakyRelu", "Sigmoid",
            "Tanh", "HardSigmoid", "HardSwish", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Add", "Sub",
            "Mul", "Div", "Concat", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Softmax", "LogSoftmax", "Pad",
            "Identity", "Dropout", "Cast", "ReduceMean", "ReduceSum", "Resize", "GlobalMaxPool", "PRelu", "Elu", "Gelu", "Erf", "Slice",
            "Gather", "Split");
    /** Nodes whose outputs describe shapes, not data: no gradient flows through them. */
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Size");
    /** The lowest opset whose operator forms (axes and sizes as inputs) the backward nodes use. */
    static final long MIN_OPSET = 13;
    /** ScatterElements with reduction="add", which MaxPool's backward needs, came with opset 16. */
    private static final long SCATTER_ADD_OPSET = 16;

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    /** What a plan's session returns, and how to feed it. */
    record Plan(Model model, String output, long[] scoreShape, Optional<String> inputGradient, Map<String, String> layerGradients) {
    }

    private final OnnxGraph g;
    private final Path file;
    private final String input;
    /** Tensors that depend on the model input through data (not shape) edges. */
    private final Set<String> data = new HashSet<>();

    Backprop(OnnxGraph graph, Path file) {
        this.g = graph;
        this.file = file;
        this.input = graph.inputs.get(0).getName();
        data.add(input);
        for (Node n : graph.graph.getNodeList()) {
            if (!SHAPE_OPS.contains(n.getOpType()) && n.getInputList().stream().anyMatch(data::contains)) {
                data.addAll(n.getOutputList());
            }
        }
    }

    /** The model's default-domain opset version. */
    long opset() {
        return g.proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetId::getVersion).findFirst().orElse(0);
    }

    /** The graph's first output. */
    String output() {
        return g.graph.getOutput(0).getName();
    }

    /** The tensor the score is taken from: the first output, or the input of a final softmax for logits. */
    String scoreTensor(boolean logit) {
        String out = output();
        Node p = g.producers.get(out);
        if (logit && p != null && (p.getOpType().equals("Softmax") || p.getOpType().equals("LogSoftmax")) && data.contains(p.getInput(0))) {
            return p.getInput(0);
        }
        return out;
    }

    /**
     * Why gradients cannot be had, in words that finish "gradients need ...": empty when every node
     * between the input and the output has a backward rule. Attribute checks that need shapes happen
     * when a plan is made.
     */
    Optional<String> unsupported() {
        if (opset() < MIN_OPSET) {
            return Optional.of("opset " + MIN_OPSET + " or later, the model has opset " + opset() + "; export it again with a newer opset");
        }
        return withoutRule(path(scoreTensor(false)), "the output");
    }

    /** The first node of {@code path} without a backward rule, in words that finish "gradients need ...". */
    private Optional<String> withoutRule(List<Node> path, String to) {
        for (Node n : path) {
            if (!SUPPORTED.contains(n.getOpType()) || !n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")
                    || !resizeIsBlockCopy(n) && !resizeIsLinear(n)) {
                return Optional.of("a backward rule for every operator between the input and " + to + "; " + describe(n)
                        + (n.getOpType().equals("Resize") ? " other than nearest-neighbour upsampling by whole factors or linear"
                                + " interpolation" : "")
                        + " has none (see docs/onnx-gradients.md for those that have); use a forward-only explanation such as Score-CAM or occlusion");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a Resize (if it is one) copies each input element to a block of the output: nearest
     * mode with coordinates that map output i·s + j to input i (asymmetric with floor, as PyTorch
     * exports nearest upsampling, or half-pixel with rounding). Whole scale factors are checked with
     * the shapes, when a plan is made.
     */
    private static boolean resizeIsBlockCopy(Node n) {
        if (!n.getOpType().equals("Resize")) {
            return true;
        }
        String mode = OnnxGraph.attr(n, "mode").map(a -> a.getS().toStringUtf8()).orElse("nearest");
        String coords = OnnxGraph.attr(n, "coordinate_transformation_mode").map(a -> a.getS().toStringUtf8()).orElse("half_pixel");
        String nearest = OnnxGraph.attr(n, "nearest_mode").map(a -> a.getS().toStringUtf8()).orElse("round_prefer_floor");
        if (!mode.equals("nearest")) {
            return false;
        }
        return coords.equals("asymmetric") ? nearest.equals("floor")
                : (coords.equals("half_pixel") || coords.equals("pytorch_half_pixel")) && nearest.startsWith("round_prefer_");
    }

    /**
     * Whether a Resize is linear interpolation whose weights depend on the sizes alone: linear mode,
     * half-pixel, PyTorch's half-pixel, align-corners or asymmetric coordinates, no antialiasing.
     */
    static boolean resizeIsLinear(Node n) {
        if (!n.getOpType().equals("Resize")) {
            return false;
        }
        String mode = OnnxGraph.attr(n, "mode").map(a -> a.getS().toStringUtf8()).orElse("nearest");
        String coords = OnnxGraph.attr(n, "coordinate_transformation_mode").map(a -> a.getS().toStringUtf8()).orElse("half_pixel");
        return mode.equals("linear") && OnnxGraph.intAttr(n, "antialias", 0) == 0
                && Set.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric").contains(coords);
    }

    private static String describe(Node n) {
        String op = n.getDomain().isEmpty() ? n.getOpType() : n.getDomain() + "." + n.getOpType();
        return "operator " + op + (n.getName().isEmpty() ? "" : " (node '" + n.getName() + "')");
    }

    /** The data nodes the score depends on, in graph order. */
    private List<Node> path(String score) {
        Set<String> needed = new HashSet<>(List.of(score));
        List<Node> nodes = g.graph.getNodeList();
        List<Node> out = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (SHAPE_OPS.contains(n.getOpType()) || n.getOutputList().stream().noneMatch(needed::contains)
                    || n.getInputList().stream().noneMatch(data::contains)) {
                continue;
            }
            out.add(0, n);
            n.getInputList().stream().filter(data::contains).forEach(needed::add);
        }
        return out;
    }

    /** Every tensor whose static shape a plan may need. */
    Set<String> tensorsNeedingShapes() {
        Set<String> out = new HashSet<>();
        for (Node n : g.graph.getNodeList()) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** The model with its input fixed to {@code inputShape}, for shape inference. */
    Model withInputShape(long[] inputShape) {
        Graph.Builder gb = g.graph.toBuilder();
        for (int i = 0; i < gb.getInputCount(); i++) {
            if (gb.getInput(i).getName().equals(input)) {
                gb.setInput(i, valueInfo(input, FLOAT, inputShape));
            }
        }
        return g.proto.toBuilder().setGraph(gb).build();
    }

    /**
     * The plan for an output unit: the model with the backward pass appended, for an input of
     * {@code inputShape}.
     *
     * @param shapes      static shapes of the graph's tensors for that input (-1 where unknown)
     * @param logit       whether the score is taken before a final softmax
     * @param withInput   whether to output d score / d input
     * @param layerTensors tensors whose values and gradients to output
     */
    Plan plan(long[] inputShape, Map<String, long[]> shapes, boolean logit, boolean withInput, Set<String> layerTensors) {
        shapes.put(input, inputShape);
        String score = scoreTensor(logit);
        long[] scoreShape = shapes.get(score);
        if (scoreShape == null || scoreShape.length != 2) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": the score tensor '" + score + "' has shape "
                    + (scoreShape == null ? "unknown" : Arrays.toString(scoreShape)) + "; gradients need a batch × classes output");
        }
        return plan(inputShape, shapes, score, scoreShape, false, withInput, layerTensors);
    }

    /**
     * The plan for a layer's tensor as the score (its seed, d score / d tensor, has the tensor's own
     * shape and layout): the graph is cut after the tensor, whose value becomes the plan's output,
     * so the layers past it are not run.
     *
     * @param layer the tensor; the caller has checked its static shape
     */
    Plan planAt(long[] inputShape, Map<String, long[]> shapes, String layer, boolean withInput, Set<String> layerTensors) {
        shapes.put(input, inputShape);
        if (!data.contains(layer)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file.getFileName() + ": tensor '" + layer
                    + "' does not depend on the input, so it has no gradient; choose a layer between the input and the output");
        }
        Optional<String> missing = withoutRule(path(layer), "tensor '" + layer + "'");
        if (missing.isPresent()) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": gradients need " + missing.get());
        }
        return plan(inputShape, shapes, layer, shapes.get(layer), true, withInput, layerTensors);
    }

    private Plan plan(long[] inputShape, Map<String, long[]> shapes, String score, long[] scoreShape, boolean cut, boolean withInput,
                      Set<String> layerTensors) {
        Builder b = new Builder(shapes);
        b.grads.computeIfAbsent(score, k -> new ArrayList<>()).add(SEED);
        List<Node> path = path(score);
        for (int i = path.size() - 1; i >= 0; i--) {
            Node n = path.get(i);
            String gy = b.gradient(n.getOutput(0));
            // A Split's first part may be unused while another is: its rule fills in the missing ones.
            if (gy == null && !(n.getOpType().equals("Split") && n.getOutputList().stream().anyMatch(o -> b.gradient(o) != null))) {
                continue;
            }
            b.backward(n, gy);
        }
        Optional<String> inputGrad = Optional.empty();
        if (withInput) {
            inputGrad = Optional.ofNullable(b.gradient(input));
        }
        Map<String, String> layerGrads = new LinkedHashMap<>();
        for (String t : layerTensors) {
            String gt = b.gradient(t);
            if (gt != null) {
                layerGrads.put(t, gt);
            }
        }
        List<String> extra = new ArrayList<>(layerTensors);
        inputGrad.ifPresent(extra::add);
        extra.addAll(layerGrads.values());
        Graph.Builder gb = withInputShape(inputShape).getGraph().toBuilder();
        gb.addInput(valueInfo(SEED, FLOAT, scoreShape));
        List<Node> backward = live(b.nodes, extra);
        Set<String> present = new HashSet<>();
        if (cut) {
            // Only the score tensor and what is asked for are outputs; forward nodes that none of them
            // needs (the rest of the model) are dropped, and so are the weights only those nodes read.
            gb.clearOutput();
            List<String> wanted = new ArrayList<>(List.of(score));
            wanted.addAll(extra);
            List<Node> all = new ArrayList<>(g.graph.getNodeList());
            all.addAll(backward);
            List<Node> kept = live(all, wanted);
            Set<String> read = new HashSet<>();
            kept.forEach(n -> read.addAll(n.getInputList()));
            List<Tensor> weights = gb.getInitializerList().stream().filter(t -> read.contains(t.getName())).toList();
            gb.clearInitializer().addAllInitializer(weights);
            // Models of IR version 3 also list their weights as graph inputs: those left unread go too.
            List<ValueInfo> inputs = gb.getInputList().stream().filter(i -> i.getName().equals(input) || i.getName().equals(SEED)
                    || read.contains(i.getName())).toList();
            gb.clearInput().addAllInput(inputs);
            gb.clearNode().addAllNode(kept);
            gb.addOutput(ValueInfo.newBuilder().setName(score));
            present.add(score);
        } else {
            gb.addAllNode(backward);
        }
        // Only the constants the kept backward nodes read: ONNX Runtime would load the rest for nothing (and warn of each).
        Set<String> readByNodes = new HashSet<>();
        gb.getNodeList().forEach(n -> readByNodes.addAll(n.getInputList()));
        b.constants.stream().filter(t -> readByNodes.contains(t.getName())).forEach(gb::addInitializer);
        gb.getOutputList().forEach(o -> present.add(o.getName()));
        for (String t : extra) {
            if (present.add(t)) {
                gb.addOutput(ValueInfo.newBuilder().setName(t));
            }
        }
        Model.Builder mb = g.proto.toBuilder().setGraph(gb);
        if (b.needsScatterAdd && opset() < SCATTER_ADD_OPSET) {
            // Opsets 13 to 15 differ from 16 only in types admitted and in RoiAlign's default
            // coordinate mode, which no differentiable path here contains: raising the import
            // keeps the forward nodes' meaning and admits ScatterElements(reduction="add").
            for (int i = 0; i < mb.getOpsetImportCount(); i++) {
                OperatorSetId o = mb.getOpsetImport(i);
                if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                    mb.setOpsetImport(i, o.toBuilder().setVersion(SCATTER_ADD_OPSET));
                }
            }
        }
        return new Plan(mb.build(), cut ? score : output(), scoreShape, inputGrad, layerGrads);
    }

    /**
     * The backward nodes that {@code outputs} depend on: a request for a late layer's gradient (Grad-CAM)
     * does not pay for the backward pass down to the input.
     */
    private static List<Node> live(List<Node> nodes, List<String> outputs) {
        Set<String> needed = new HashSet<>(outputs);
        List<Node> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                kept.add(0, n);
                needed.addAll(n.getInputList());
            }
        }
        return kept;
    }

    static ValueInfo valueInfo(String name, int type, long[] dims) {
        TensorShape.Builder s = TensorShape.newBuilder();
        for (long d : dims) {
            s.addDim(d >= 0 ? TensorShape.Dimension.newBuilder().setDimValue(d) : TensorShape.Dimension.newBuilder().setDimParam("d"));
        }
        return ValueInfo.newBuilder().setName(name)
                .setType(TypeInfo.newBuilder().setTensorType(TypeInfo.TensorType.newBuilder().setElemType(type).setShape(s))).build();
    }

    /** Accumulates the backward nodes. */
    private final class Builder {
        final Map<String, long[]> shapes;
        final Map<String, List<String>> grads = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final List<Tensor> constants = new ArrayList<>();
        final Map<String, String> constantNames = new HashMap<>();
        boolean needsScatterAdd;
        int counter;

        Builder(Map<String, long[]> shapes) {
            this.shapes = shapes;
        }

        /** The summed gradient of {@code t}, or null when nothing flows into it. */
        String gradient(String t) {
            List<String> parts = grads.get(t);
            if (parts == null || parts.isEmpty()) {
                return null;
            }
            if (parts.size() > 1) {
                String sum = emit("Sum", parts, List.of(), "sum");
                parts.clear();
                parts.add(sum);
            }
            return parts.get(0);
        }

        void add(String t, String grad) {
            if (data.contains(t)) {
                grads.computeIfAbsent(t, k -> new ArrayList<>()).add(grad);
            }
        }

        String emit(String op, List<String> in, List<Attribute> attrs, String hint) {
            return emitN(op, in, attrs, hint, 1).get(0);
        }

        List<String> emitN(String op, List<String> in, List<Attribute> attrs, String hint, int outputs) {
            String base = PREFIX + (counter++) + "/" + hint;
            List<String> outs = new ArrayList<>();
            for (int i = 0; i < outputs; i++) {
                outs.add(outputs == 1 ? base : base + "_" + i);
            }
            nodes.add(Node.newBuilder().setOpType(op).setName(base).addAllInput(in).addAllOutput(outs).addAllAttribute(attrs).build());
            return outs;
        }

        String scalar(float v) {
            return constant("f" + v, Tensor.newBuilder().setDataType(FLOAT).addFloatData(v));
        }

        String ints(long... v) {
            Tensor.Builder t = Tensor.newBuilder().setDataType(INT64).addDims(v.length);
            for (long x : v) {
                t.addInt64Data(x);
            }
            return constant("i" + Arrays.toString(v), t);
        }

        private String constant(String key, Tensor.Builder t) {
            return constantNames.computeIfAbsent(key, k -> {
                String name = PREFIX + "const/" + constants.size();
                constants.add(t.setName(name).build());
                return name;
            });
        }

        long[] shape(String t) {
            long[] s = shapes.get(t);
            if (s == null) {
                Tensor init = g.initializers.get(t);
                if (init != null) {
                    return init.getDimsList().stream().mapToLong(Long::longValue).toArray();
                }
            }
            return s;
        }

        long[] knownShape(String t, Node n) {
            long[] s = shape(t);
            if (s == null || Arrays.stream(s).anyMatch(d -> d < 0)) {
                throw refuse(n, "the shape of '" + t + "' is not known for this input");
            }
            return s;
        }

        FilterScopeException refuse(Node n, String why) {
            return new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": cannot differentiate " + describe(n) + ": " + why
                    + "; use a forward-only explanation such as Score-CAM or occlusion");
        }

        void backward(Node n, String gy) {
            String x = n.getInput(0);
            String y = n.getOutput(0);
            switch (n.getOpType()) {
                case "Identity", "Dropout" -> add(x, gy);
                case "Cast" -> {
                    if (OnnxGraph.intAttr(n, "to", 0) != FLOAT) {
                        throw refuse(n, "only casts to float32 are differentiated");
                    }
                    add(x, gy);
                }
                case "Flatten", "Reshape", "Squeeze", "Unsqueeze" -> add(x, emit("Reshape", List.of(gy, emit("Shape", List.of(x), List.of(), "shape")), List.of(), "reshape"));
                case "Transpose" -> transpose(n, gy);
                case "Relu" -> add(x, emit("Where", List.of(emit("Greater", List.of(x, scalar(0)), List.of(), "pos"), gy, scalar(0)), List.of(), "relu"));
                case "LeakyRelu" -> {
                    float alpha = floatAttr(n, "alpha", 0.01f);
                    String neg = emit("Mul", List.of(gy, scalar(alpha)), List.of(), "leak");
                    add(x, emit("Where", List.of(emit("Greater", List.of(x, scalar(0)), List.of(), "pos"), gy, neg), List.of(), "leakyrelu"));
                }
                case "Clip" -> clip(n, gy);
                case "Sigmoid" -> add(x, emit("Mul", List.of(gy, emit("Mul", List.of(y, emit("Sub", List.of(scalar(1), y), List.of(), "one_minus")),
                        List.of(), "dsig")), List.of(), "sigmoid"));
                case "Tanh" -> add(x, emit("Mul", List.of(gy, emit("Sub", List.of(scalar(1), emit("Mul", List.of(y, y), List.of(), "sq")), List.of(),
                        "dtanh")), List.of(), "tanh"));
                case "HardSigmoid" -> {
                    float alpha = floatAttr(n, "alpha", 0.2f);
                    float beta = floatAttr(n, "beta", 0.5f);
                    String t = emit("Add", List.of(emit("Mul", List.of(x, scalar(alpha)), List.of(), "ax"), scalar(beta)), List.of(), "axb");
                    String inside = emit("And", List.of(emit("Greater", List.of(t, scalar(0)), List.of(), "gt0"),
                            emit("Less", List.of(t, scalar(1)), List.of(), "lt1")), List.of(), "inside");
                    add(x, emit("Where", List.of(inside, emit("Mul", List.of(gy, scalar(alpha)), List.of(), "scaled"), scalar(0)), List.of(), "hardsigmoid"));
                }
                case "HardSwish" -> {
                    // As PyTorch: 0 below -3, g·(x/3 + 1/2) up to 3 inclusive, g above.
                    String slope = emit("Add", List.of(emit("Div", List.of(x, scalar(3)), List.of(), "x3"), scalar(0.5f)), List.of(), "slope");
                    String mid = emit("Where", List.of(emit("LessOrEqual", List.of(x, scalar(3)), List.of(), "le3"),
                            emit("Mul", List.of(gy, slope), List.of(), "gslope"), gy), List.of(), "upper");
                    add(x, emit("Where", List.of(emit("Less", List.of(x, scalar(-3)), List.of(), "lt_3"), scalar(0), mid), List.of(), "hardswish"));
                }
                case "Softmax" -> {
                    long axis = OnnxGraph.intAttr(n, "axis", -1);
                    String dot = emit("ReduceSum", List.of(emit("Mul", List.of(gy, y), List.of(), "gy"), ints(axis)), List.of(intAttr("keepdims", 1)), "dot");
                    add(x, emit("Mul", List.of(y, emit("Sub", List.of(gy, dot), List.of(), "centred")), List.of(), "softmax"));
                }
                case "LogSoftmax" -> {
                    long axis = OnnxGraph.intAttr(n, "axis", -1);
                    String total = emit("ReduceSum", List.of(gy, ints(axis)), List.of(intAttr("keepdims", 1)), "total");
                    String p = emit("Exp", List.of(y), List.of(), "p");
                    add(x, emit("Sub", List.of(gy, emit("Mul", List.of(p, total), List.of(), "ptotal")), List.of(), "logsoftmax"));
                }
                case "BatchNormalization" -> {
                    // Inference: y = (x − mean)/√(var + ε)·scale + B, so dx = g·scale/√(var + ε): the
                    // same node with zero mean and bias applied to g.
                    if (OnnxGraph.intAttr(n, "training_mode", 0) != 0) {
                        throw refuse(n, "training-mode batch normalisation");
                    }
                    List<Attribute> attrs = n.getAttributeList().stream().filter(a -> a.getName().equals("epsilon")).toList();
                    String zeros = emit("Mul", List.of(n.getInput(3), scalar(0)), List.of(), "zeros");
                    add(x, emit("BatchNormalization", List.of(gy, n.getInput(1), zeros, zeros, n.getInput(4)), attrs, "batchnorm"));
                }
                case "GlobalAveragePool" -> {
                    long[] xs = knownShape(x, n);
                    long area = 1;
                    for (int i = 2; i < xs.length; i++) {
                        area *= xs[i];
                    }
                    String spread = emit("Expand", List.of(gy, ints(xs)), List.of(), "spread");
                    add(x, emit("Mul", List.of(spread, scalar(1f / area)), List.of(), "globalavgpool"));
                }
                case "MaxPool" -> maxPool(n, gy);
                case "GlobalMaxPool" -> {
                    // A max pool whose one window is the whole map, through the same indices and scatter.
                    long[] xs = knownShape(x, n);
                    scatterToMaxima(x, gy, List.of(intsAttr("kernel_shape", Arrays.copyOfRange(xs, 2, xs.length))));
                }
                case "PRelu" -> {
                    if (data.contains(n.getInput(1))) {
                        throw refuse(n, "a slope computed from the input");
                    }
                    String neg = emit("Mul", List.of(gy, n.getInput(1)), List.of(), "slope");
                    add(x, emit("Where", List.of(emit("Greater", List.of(x, scalar(0)), List.of(), "pos"), gy, neg), List.of(), "prelu"));
                }
                case "Elu" -> {
                    // As PyTorch: g for x > 0, else g·(y + α) (= g·α·eˣ).
                    float alpha = floatAttr(n, "alpha", 1f);
                    String neg = emit("Mul", List.of(gy, emit("Add", List.of(y, scalar(alpha)), List.of(), "y_alpha")), List.of(), "neg");
                    add(x, emit("Where", List.of(emit("Greater", List.of(x, scalar(0)), List.of(), "pos"), gy, neg), List.of(), "elu"));
                }
                case "Erf" -> {
                    // d erf(x) = 2/√π · e^(−x²)
                    String e = emit("Exp", List.of(emit("Neg", List.of(emit("Mul", List.of(x, x), List.of(), "sq")), List.of(), "neg_sq")), List.of(), "exp");
                    add(x, emit("Mul", List.of(gy, emit("Mul", List.of(e, scalar((float) (2 / Math.sqrt(Math.PI)))), List.of(), "derf")),
                            List.of(), "erf"));
                }
                case "Gelu" -> gelu(n, gy);
                case "Slice" -> slice(n, gy);
                case "Gather" -> gather(n, gy);
                case "Split" -> split(n);
                case "AveragePool" -> averagePool(n, gy);
                case "Conv" -> conv(n, gy);
                case "ConvTranspose" -> convTranspose(n, gy);
                case "Gemm" -> gemm(n, gy);
                case "MatMul" -> matMul(n, gy);
                case "Add", "Sub" -> {
                    add(x, unbroadcast(gy, x, y, n));
                    if (n.getInputCount() > 1 && data.contains(n.getInput(1))) {
                        String gb = n.getOpType().equals("Sub") ? emit("Neg", List.of(gy), List.of(), "neg") : gy;
                        add(n.getInput(1), unbroadcast(gb, n.getInput(1), y, n));
                    }
                }
                case "Mul" -> {
                    String a = n.getInput(0);
                    String bIn = n.getInput(1);
                    if (data.contains(a)) {
                        add(a, unbroadcast(emit("Mul", List.of(gy, bIn), List.of(), "mul_a"), a, y, n));
                    }
                    if (data.contains(bIn)) {
                        add(bIn, unbroadcast(emit("Mul", List.of(gy, a), List.of(), "mul_b"), bIn, y, n));
                    }
                }
                case "Div" -> {
                    String a = n.getInput(0);
                    String bIn = n.getInput(1);
                    if (data.contains(a)) {
                        add(a, unbroadcast(emit("Div", List.of(gy, bIn), List.of(), "div_a"), a, y, n));
                    }
                    if (data.contains(bIn)) {
                        // d(a/b)/db = −a/b² = −y/b
                        String t = emit("Neg", List.of(emit("Div", List.of(emit("Mul", List.of(gy, y), List.of(), "gyy"), bIn), List.of(), "gyy_b")),
                                List.of(), "div_b");
                        add(bIn, unbroadcast(t, bIn, y, n));
                    }
                }
                case "Concat" -> concat(n, gy);
                case "ReduceMean", "ReduceSum" -> reduce(n, gy);
                case "Resize" -> resize(n, gy);
                case "Pad" -> pad(n, gy);
                default -> throw refuse(n, "no backward rule");
            }
        }

        private void transpose(Node n, String gy) {
            long[] perm = OnnxGraph.intsAttr(n, "perm");
            if (perm.length == 0) {
                int r = knownRank(n.getInput(0), n);
                perm = new long[r];
                for (int i = 0; i < r; i++) {
                    perm[i] = r - 1 - i;
                }
            }
            long[] inverse = new long[perm.length];
            for (int i = 0; i < perm.length; i++) {
                inverse[(int) perm[i]] = i;
            }
            add(n.getInput(0), emit("Transpose", List.of(gy), List.of(intsAttr("perm", inverse)), "transpose"));
        }

        private int knownRank(String t, Node n) {
            long[] s = shape(t);
            if (s == null) {
                throw refuse(n, "the rank of '" + t + "' is not known");
            }
            return s.length;
        }

        private void clip(Node n, String gy) {
            // As PyTorch's hardtanh (ReLU6): the gradient passes where min < x < max.
            String x = n.getInput(0);
            String mask = null;
            if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
                mask = emit("Greater", List.of(x, n.getInput(1)), List.of(), "above_min");
            }
            if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                String below = emit("Less", List.of(x, n.getInput(2)), List.of(), "below_max");
                mask = mask == null ? below : emit("And", List.of(mask, below), List.of(), "inside");
            }
            add(x, mask == null ? gy : emit("Where", List.of(mask, gy, scalar(0)), List.of(), "clip"));
        }

        private void maxPool(Node n, String gy) {
            List<Attribute> attrs = n.getAttributeList().stream().filter(a -> !a.getName().equals("storage_order")).toList();
            scatterToMaxima(n.getInput(0), gy, attrs);
        }

        /**
         * The same pooling again ({@code attrs}), for its Indices (flat positions in N×C×H×W), then the
         * gradient scattered to them, adding where overlapping windows chose the same element.
         */
        private void scatterToMaxima(String x, String gy, List<Attribute> attrs) {
            List<String> pooled = emitN("MaxPool", List.of(x), attrs, "maxpool_indices", 2);
            String indices = emit("Reshape", List.of(pooled.get(1), ints(-1)), List.of(), "flat_indices");
            String flatG = emit("Reshape", List.of(gy, ints(-1)), List.of(), "flat_g");
            String size = emit("Reshape", List.of(emit("Size", List.of(x), List.of(), "size"), ints(1)), List.of(), "size1");
            Attribute zero = Attribute.newBuilder().setName("value").setType(Attribute.Type.TENSOR)
                    .setT(Tensor.newBuilder().setDataType(FLOAT).addDims(1).addFloatData(0f)).build();
            String zeros = emit("ConstantOfShape", List.of(size), List.of(zero), "zeros");
            String scattered = emit("ScatterElements", List.of(zeros, indices, flatG),
                    List.of(intAttr("axis", 0), Attribute.newBuilder().setName("reduction").setType(Attribute.Type.STRING)
                            .setS(com.google.protobuf.ByteString.copyFromUtf8("add")).build()), "scatter");
            needsScatterAdd = true;
            add(x, emit("Reshape", List.of(scattered, emit("Shape", List.of(x), List.of(), "shape")), List.of(), "maxpool"));
        }

        private void gelu(Node n, String gy) {
            String x = n.getInput(0);
            String approximate = OnnxGraph.attr(n, "approximate").map(a -> a.getS().toStringUtf8()).orElse("none");
            String d;
            if (approximate.equals("tanh")) {
                // y = x/2·(1 + t), t = tanh(k·(x + c·x³)): dy/dx = (1 + t)/2 + x/2·(1 − t²)·k·(1 + 3c·x²)
                float k = (float) Math.sqrt(2 / Math.PI);
                float c = 0.044715f;
                String x2 = emit("Mul", List.of(x, x), List.of(), "x2");
                String inner = emit("Mul", List.of(emit("Add", List.of(x, emit("Mul", List.of(emit("Mul", List.of(x2, x), List.of(), "x3"),
                        scalar(c)), List.of(), "cx3")), List.of(), "sum"), scalar(k)), List.of(), "inner");
                String t = emit("Tanh", List.of(inner), List.of(), "t");
                String left = emit("Mul", List.of(emit("Add", List.of(t, scalar(1)), List.of(), "one_t"), scalar(0.5f)), List.of(), "left");
                String sech2 = emit("Sub", List.of(scalar(1), emit("Mul", List.of(t, t), List.of(), "t2")), List.of(), "sech2");
                String du = emit("Mul", List.of(emit("Add", List.of(emit("Mul", List.of(x2, scalar(3 * c)), List.of(), "c3x2"), scalar(1)),
                        List.of(), "poly"), scalar(k)), List.of(), "du");
                String right = emit("Mul", List.of(emit("Mul", List.of(emit("Mul", List.of(x, scalar(0.5f)), List.of(), "half_x"), sech2),
                        List.of(), "xs"), du), List.of(), "right");
                d = emit("Add", List.of(left, right), List.of(), "dgelu");
            } else if (approximate.equals("none")) {
                // y = x·Φ(x): dy/dx = Φ(x) + x·φ(x), Φ(x) = (1 + erf(x/√2))/2, φ(x) = e^(−x²/2)/√(2π)
                String cdf = emit("Mul", List.of(emit("Add", List.of(emit("Erf", List.of(emit("Mul", List.of(x, scalar((float) (1 / Math.sqrt(2)))),
                        List.of(), "x_sqrt2")), List.of(), "erf"), scalar(1)), List.of(), "one_erf"), scalar(0.5f)), List.of(), "cdf");
                String pdf = emit("Mul", List.of(emit("Exp", List.of(emit("Mul", List.of(emit("Mul", List.of(x, x), List.of(), "x2"), scalar(-0.5f)),
                        List.of(), "half_x2")), List.of(), "exp"), scalar((float) (1 / Math.sqrt(2 * Math.PI)))), List.of(), "pdf");
                d = emit("Add", List.of(cdf, emit("Mul", List.of(x, pdf), List.of(), "x_pdf")), List.of(), "dgelu");
            } else {
                throw refuse(n, "approximate='" + approximate + "'");
            }
            add(x, emit("Mul", List.of(gy, d), List.of(), "gelu"));
        }

        private void slice(Node n, String gy) {
            // Step 1 with constant bounds: the gradient is padded back to the input's shape by what was cut.
            String x = n.getInput(0);
            long[] xs = knownShape(x, n);
            long[] starts = constantInput(n, 1, "starts");
            long[] ends = constantInput(n, 2, "ends");
            long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? constantInput(n, 3, "axes") : null;
            long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? constantInput(n, 4, "steps") : null;
            long[] pads = new long[2 * xs.length];
            for (int i = 0; i < starts.length; i++) {
                int ax = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + xs.length : axes[i]);
                if (steps != null && steps[i] != 1) {
                    throw refuse(n, "a step other than 1");
                }
                long dim = xs[ax];
                long s = Math.max(0, Math.min(dim, starts[i] < 0 ? starts[i] + dim : starts[i]));
                long e = Math.max(s, Math.min(dim, ends[i] < 0 ? ends[i] + dim : ends[i]));
                pads[ax] = s;
                pads[ax + xs.length] = dim - e;
            }
            add(x, emit("Pad", List.of(gy, ints(pads)), List.of(), "slice"));
        }

        private long[] constantInput(Node n, int i, String what) {
            return constantInts(n.getInput(i)).orElseThrow(() -> refuse(n, what + " that are not constants"));
        }

        private void gather(Node n, String gy) {
            // Constant indices: with the gathered axis flattened to K picks, dx = M·g for the D × K matrix M
            // with a 1 at (index k, k); repeated indices add up, as in PyTorch.
            String x = n.getInput(0);
            if (data.contains(n.getInput(1))) {
                throw refuse(n, "indices computed from the input");
            }
            long[] xs = knownShape(x, n);
            long[] idx = constantInput(n, 1, "indices");
            long axis = OnnxGraph.intAttr(n, "axis", 0);
            int ax = (int) (axis < 0 ? axis + xs.length : axis);
            long dim = xs[ax];
            long pre = 1;
            long post = 1;
            for (int i = 0; i < ax; i++) {
                pre *= xs[i];
            }
            for (int i = ax + 1; i < xs.length; i++) {
                post *= xs[i];
            }
            int k = idx.length;
            float[] m = new float[Math.toIntExact(dim * k)];
            for (int j = 0; j < k; j++) {
                long at = idx[j] < 0 ? idx[j] + dim : idx[j];
                if (at < 0 || at >= dim) {
                    throw refuse(n, "index " + idx[j] + " outside an axis of " + dim);
                }
                m[(int) (at * k + j)] = 1f;
            }
            Tensor.Builder w = Tensor.newBuilder().setDataType(FLOAT).addDims(dim).addDims(k);
            for (float v : m) {
                w.addFloatData(v);
            }
            String picks = constant("gather" + counter, w);
            String g3 = emit("Reshape", List.of(gy, ints(pre, k, post)), List.of(), "picked");
            String spread = emit("MatMul", List.of(picks, g3), List.of(), "spread");
            add(x, emit("Reshape", List.of(spread, ints(xs)), List.of(), "gather"));
        }

        private void split(Node n) {
            // The parts' gradients side by side again; an unused part contributes zeros.
            long[] xs = knownShape(n.getInput(0), n);
            long axis = OnnxGraph.intAttr(n, "axis", 0);
            int ax = (int) (axis < 0 ? axis + xs.length : axis);
            List<String> parts = new ArrayList<>();
            for (String out : n.getOutputList()) {
                String go = gradient(out);
                if (go == null) {
                    Attribute zero = Attribute.newBuilder().setName("value").setType(Attribute.Type.TENSOR)
                            .setT(Tensor.newBuilder().setDataType(FLOAT).addDims(1).addFloatData(0f)).build();
                    go = emit("ConstantOfShape", List.of(ints(knownShape(out, n))), List.of(zero), "unused_part");
                }
                parts.add(go);
            }
            add(n.getInput(0), emit("Concat", parts, List.of(intAttr("axis", ax)), "split"));
        }

        /** Pads, strides, dilations and output padding of a convolution from {@code in} to {@code out}. */
        private record Geometry(long[] pads, long[] strides, long[] dilations, long[] outputPadding) {
        }

        private Geometry geometry(Node n, long[] in, long[] out, long[] kernel) {
            int k = kernel.length;
            long[] strides = orOnes(OnnxGraph.intsAttr(n, "strides"), k);
            long[] dilations = orOnes(OnnxGraph.intsAttr(n, "dilations"), k);
            long[] pads = OnnxGraph.intsAttr(n, "pads");
            if (pads.length == 0) {
                pads = new long[2 * k];
            }
            String autoPad = OnnxGraph.attr(n, "auto_pad").map(a -> a.getS().toStringUtf8()).orElse("NOTSET");
            if (autoPad.equals("VALID")) {
                pads = new long[2 * k];
            } else if (autoPad.startsWith("SAME")) {
                pads = new long[2 * k];
                for (int i = 0; i < k; i++) {
                    long total = Math.max((out[i + 2] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i + 2], 0);
                    long small = total / 2;
                    pads[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[i + k] = total - pads[i];
                }
            }
            long[] outputPadding = new long[k];
            for (int i = 0; i < k; i++) {
                // The input rows past the last full window: the transposed pass must restore them (as zeros).
                outputPadding[i] = in[i + 2] + pads[i] + pads[i + k] - ((out[i + 2] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1);
                if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(strides[i], dilations[i])) {
                    throw refuse(n, "its output size does not follow from its input size (" + Arrays.toString(in) + " → " + Arrays.toString(out) + ")");
                }
            }
            return new Geometry(pads, strides, dilations, outputPadding);
        }

        private void conv(Node n, String gy) {
            String x = n.getInput(0);
            if (n.getInputCount() > 1 && data.contains(n.getInput(1))) {
                throw refuse(n, "weights computed from the input");
            }
            long[] xs = knownShape(x, n);
            long[] ys = knownShape(n.getOutput(0), n);
            long[] ws = knownShape(n.getInput(1), n);
            long[] kernel = Arrays.copyOfRange(ws, 2, ws.length);
            Geometry geo = geometry(n, xs, ys, kernel);
            // d conv / d x is the transposed convolution with the same weights and geometry.
            List<Attribute> attrs = new ArrayList<>(List.of(intAttr("group", OnnxGraph.intAttr(n, "group", 1)), intsAttr("strides", geo.strides),
                    intsAttr("dilations", geo.dilations), intsAttr("pads", geo.pads), intsAttr("kernel_shape", kernel)));
            if (Arrays.stream(geo.outputPadding).anyMatch(p -> p != 0)) {
                attrs.add(intsAttr("output_padding", geo.outputPadding));
            }
            add(x, emit("ConvTranspose", List.of(gy, n.getInput(1)), attrs, "conv"));
        }

        private void convTranspose(Node n, String gy) {
            String x = n.getInput(0);
            if (data.contains(n.getInput(1))) {
                throw refuse(n, "weights computed from the input");
            }
            if (OnnxGraph.attr(n, "output_shape").isPresent()
                    || !OnnxGraph.attr(n, "auto_pad").map(a -> a.getS().toStringUtf8()).orElse("NOTSET").equals("NOTSET")) {
                throw refuse(n, "output_shape or auto_pad");
            }
            long[] ws = knownShape(n.getInput(1), n);
            int k = ws.length - 2;
            long[] pads = OnnxGraph.intsAttr(n, "pads");
            List<Attribute> attrs = List.of(intAttr("group", OnnxGraph.intAttr(n, "group", 1)),
                    intsAttr("strides", orOnes(OnnxGraph.intsAttr(n, "strides"), k)),
                    intsAttr("dilations", orOnes(OnnxGraph.intsAttr(n, "dilations"), k)),
                    intsAttr("pads", pads.length == 0 ? new long[2 * k] : pads),
                    intsAttr("kernel_shape", Arrays.copyOfRange(ws, 2, ws.length)));
            // The adjoint of a transposed convolution is the convolution with the same weights; the
            // output padding only adds rows the convolution's floor division drops again.
            add(x, emit("Conv", List.of(gy, n.getInput(1)), attrs, "convtranspose"));
        }

        private void averagePool(Node n, String gy) {
            String x = n.getInput(0);
            long[] xs = knownShape(x, n);
            long[] ys = knownShape(n.getOutput(0), n);
            long[] kernel = OnnxGraph.intsAttr(n, "kernel_shape");
            Geometry geo = geometry(n, xs, ys, kernel);
            boolean padded = Arrays.stream(geo.pads).anyMatch(p -> p != 0);
            if (OnnxGraph.attr(n, "dilations").isPresent() && Arrays.stream(geo.dilations).anyMatch(d -> d != 1)) {
                throw refuse(n, "dilated average pooling");
            }
            if (padded && OnnxGraph.intAttr(n, "count_include_pad", 0) == 0) {
                throw refuse(n, "padding left out of the average (count_include_pad=0)");
            }
            long count = 1;
            for (long kk : kernel) {
                count *= kk;
            }
            // Every window divides by the kernel size: the gradient is a transposed convolution of
            // each channel alone with a kernel of 1/count.
            long[] one = new long[2 + kernel.length];
            one[0] = 1;
            one[1] = 1;
            System.arraycopy(kernel, 0, one, 2, kernel.length);
            Tensor.Builder w = Tensor.newBuilder().setDataType(FLOAT);
            for (long d : one) {
                w.addDims(d);
            }
            for (long i = 0; i < count; i++) {
                w.addFloatData(1f / count);
            }
            String weight = constant("avg" + Arrays.toString(kernel), w);
            long[] flat = new long[ys.length];
            flat[0] = -1;
            flat[1] = 1;
            System.arraycopy(ys, 2, flat, 2, ys.length - 2);
            String g1 = emit("Reshape", List.of(gy, ints(flat)), List.of(), "per_channel");
            List<Attribute> attrs = new ArrayList<>(List.of(intsAttr("strides", geo.strides), intsAttr("pads", geo.pads), intsAttr("kernel_shape", kernel)));
            if (Arrays.stream(geo.outputPadding).anyMatch(p -> p != 0)) {
                attrs.add(intsAttr("output_padding", geo.outputPadding));
            }
            String spread = emit("ConvTranspose", List.of(g1, weight), attrs, "avg_spread");
            add(x, emit("Reshape", List.of(spread, ints(xs)), List.of(), "averagepool"));
        }

        private void gemm(Node n, String gy) {
            String a = n.getInput(0);
            String bIn = n.getInput(1);
            if (data.contains(bIn)) {
                throw refuse(n, "a second operand computed from the input");
            }
            long transA = OnnxGraph.intAttr(n, "transA", 0);
            long transB = OnnxGraph.intAttr(n, "transB", 0);
            float alpha = floatAttr(n, "alpha", 1f);
            // Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A: dA' = α·g·B'ᵀ, and dA = dA'ᵀ when transposed.
            String ga = transA == 0
                    ? emit("Gemm", List.of(gy, bIn), List.of(floatAttr("alpha", alpha), intAttr("transB", transB == 0 ? 1 : 0)), "gemm")
                    : emit("Gemm", List.of(bIn, gy), List.of(floatAttr("alpha", alpha), intAttr("transA", transB), intAttr("transB", 1)), "gemm");
            add(a, ga);
        }

        private void matMul(Node n, String gy) {
            String a = n.getInput(0);
            String bIn = n.getInput(1);
            long[] bs = shape(bIn);
            if (data.contains(bIn) || bs == null || bs.length != 2) {
                throw refuse(n, "a second operand that is not a constant matrix");
            }
            String bt = emit("Transpose", List.of(bIn), List.of(intsAttr("perm", new long[] {1, 0})), "bt");
            add(a, emit("MatMul", List.of(gy, bt), List.of(), "matmul"));
        }

        private void resize(Node n, String gy) {
            if (resizeIsLinear(n)) {
                linearResize(n, gy);
                return;
            }
            // Each input element was copied to an s×s block (resizeIsBlockCopy): its gradient is the
            // block's sum, an average pool times the block size.
            String x = n.getInput(0);
            long[] xs = knownShape(x, n);
            long[] ys = knownShape(n.getOutput(0), n);
            if (!resizeIsBlockCopy(n) || xs.length < 3 || xs[0] != ys[0] || xs[1] != ys[1]) {
                throw refuse(n, "only nearest-neighbour upsampling of the spatial axes is differentiated");
            }
            long[] factor = new long[xs.length - 2];
            long block = 1;
            for (int i = 2; i < xs.length; i++) {
                if (ys[i] % xs[i] != 0) {
                    throw refuse(n, "a scale that is not a whole number (" + xs[i] + " to " + ys[i] + ")");
                }
                factor[i - 2] = ys[i] / xs[i];
                block *= factor[i - 2];
            }
            String pooled = emit("AveragePool", List.of(gy), List.of(intsAttr("kernel_shape", factor), intsAttr("strides", factor)), "block_mean");
            add(x, emit("Mul", List.of(pooled, scalar(block)), List.of(), "resize"));
        }

        /**
         * Linear interpolation is y = R_H · x · R_Wᵀ per image (and the identity along N and C, which
         * must not change): dx = R_Hᵀ · g · R_W, two MatMuls with constant matrices built from the
         * sizes and the coordinate mode as ONNX defines them, clamping at the border as ONNX Runtime and
         * PyTorch do.
         */
        private void linearResize(Node n, String gy) {
            String x = n.getInput(0);
            long[] xs = knownShape(x, n);
            long[] ys = knownShape(n.getOutput(0), n);
            if (xs.length != 4 || xs[0] != ys[0] || xs[1] != ys[1]) {
                throw refuse(n, "linear interpolation of other than the two spatial axes of N×C×H×W");
            }
            String coords = OnnxGraph.attr(n, "coordinate_transformation_mode").map(a -> a.getS().toStringUtf8()).orElse("half_pixel");
            float[] scales = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? constantFloats(n.getInput(2)).orElse(new float[0]) : new float[0];
            double sh = scales.length == 4 ? scales[2] : (double) ys[2] / xs[2];
            double sw = scales.length == 4 ? scales[3] : (double) ys[3] / xs[3];
            String rw = interpolation(n, "w", xs[3], ys[3], sw, coords, false);       // Wo × Wi
            String rht = interpolation(n, "hT", xs[2], ys[2], sh, coords, true);     // Hi × Ho
            String gw = emit("MatMul", List.of(gy, rw), List.of(), "resize_w");
            add(x, emit("MatMul", List.of(rht, gw), List.of(), "resize"));
        }

        /** The out × in matrix of linear interpolation weights along one axis, or its transpose. */
        private String interpolation(Node n, String hint, long in, long out, double scale, String coords, boolean transposed) {
            float[] m = new float[Math.toIntExact(in * out)];
            for (int o = 0; o < out; o++) {
                double src = switch (coords) {
                    case "align_corners" -> out == 1 ? 0 : o * (double) (in - 1) / (out - 1);
                    case "asymmetric" -> o / scale;
                    case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
                    default -> (o + 0.5) / scale - 0.5;
                };
                src = Math.max(0, Math.min(in - 1, src));
                int i0 = (int) Math.floor(src);
                int i1 = (int) Math.min(i0 + 1, in - 1);
                double l = src - i0;
                int r0 = transposed ? (int) (i0 * out + o) : (int) (o * in + i0);
                int r1 = transposed ? (int) (i1 * out + o) : (int) (o * in + i1);
                m[r0] += (float) (1 - l);
                m[r1] += (float) l;
            }
            Tensor.Builder w = Tensor.newBuilder().setDataType(FLOAT).addDims(transposed ? in : out).addDims(transposed ? out : in);
            for (float v : m) {
                w.addFloatData(v);
            }
            return constant("resize_" + hint + counter++, w);
        }

        /** The values of a constant float tensor (an initializer or a Constant node's), if it is one. */
        private Optional<float[]> constantFloats(String t) {
            Tensor v = g.initializers.get(t);
            Node p = g.producers.get(t);
            if (v == null && p != null && p.getOpType().equals("Constant")) {
                v = OnnxGraph.attr(p, "value").map(Attribute::getT).orElse(null);
            }
            return v == null ? Optional.empty() : Optional.of(new TensorData(file).floats(v));
        }

        private void reduce(Node n, String gy) {
            // The gradient spread back over the reduced axes (divided by their size for a mean).
            String x = n.getInput(0);
            long[] xs = knownShape(x, n);
            long[] axes = OnnxGraph.intsAttr(n, "axes");
            if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
                axes = constantInts(n.getInput(1)).orElseThrow(() -> refuse(n, "axes that are not a constant"));
            }
            if (axes.length == 0) {
                if (OnnxGraph.intAttr(n, "noop_with_empty_axes", 0) != 0) {
                    add(x, gy);
                    return;
                }
                axes = new long[xs.length];
                for (int i = 0; i < xs.length; i++) {
                    axes[i] = i;
                }
            }
            long[] kept = xs.clone();
            long count = 1;
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + xs.length : a);
                count *= xs[ax];
                kept[ax] = 1;
            }
            String g1 = emit("Reshape", List.of(gy, ints(kept)), List.of(), "keepdims");
            String spread = emit("Expand", List.of(g1, ints(xs)), List.of(), "spread");
            add(x, n.getOpType().equals("ReduceMean") ? emit("Mul", List.of(spread, scalar(1f / count)), List.of(), "reducemean") : spread);
        }

        /** The values of a constant int tensor: an initializer or a Constant node's. */
        private Optional<long[]> constantInts(String t) {
            Tensor v = g.initializers.get(t);
            Node p = g.producers.get(t);
            if (v == null && p != null && p.getOpType().equals("Constant")) {
                v = OnnxGraph.attr(p, "value").map(Attribute::getT).orElse(null);
            }
            if (v == null) {
                return Optional.empty();
            }
            float[] f = new TensorData(file).floats(v);
            long[] out = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = (long) f[i];
            }
            return Optional.of(out);
        }

        private void concat(Node n, String gy) {
            long axis = OnnxGraph.intAttr(n, "axis", 0);
            long[] ys = knownShape(n.getOutput(0), n);
            int ax = (int) (axis < 0 ? axis + ys.length : axis);
            long[] sizes = new long[n.getInputCount()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = knownShape(n.getInput(i), n)[ax];
            }
            List<String> parts = emitN("Split", List.of(gy, ints(sizes)), List.of(intAttr("axis", ax)), "concat", sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                add(n.getInput(i), parts.get(i));
            }
        }

        private void pad(Node n, String gy) {
            String mode = OnnxGraph.attr(n, "mode").map(a -> a.getS().toStringUtf8()).orElse("constant");
            if (!mode.equals("constant")) {
                throw refuse(n, "padding mode '" + mode + "' (only constant padding is differentiated)");
            }
            if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
                throw refuse(n, "padding of selected axes");
            }
            // Constant padding by p is adjoint to padding by −p: Pad crops where pads are negative,
            // so the padded border is cut off again (and a cropped border comes back as zeros).
            String x = n.getInput(0);
            String negated = emit("Neg", List.of(n.getInput(1)), List.of(), "neg_pads");
            add(x, emit("Pad", List.of(gy, negated), List.of(), "pad"));
        }

        /** {@code grad} (shaped like {@code out}) summed over the axes {@code in} was broadcast along. */
        private String unbroadcast(String grad, String in, String out, Node n) {
            long[] is = shape(in);
            long[] os = shape(out);
            if (is == null || os == null) {
                throw refuse(n, "operand shapes that are not known");
            }
            if (Arrays.equals(is, os)) {
                return grad;
            }
            List<Long> axes = new ArrayList<>();
            int lead = os.length - is.length;
            for (int i = 0; i < os.length; i++) {
                int j = i - lead;
                if (j < 0) {
                    axes.add((long) i);
                } else if (is[j] == 1 && os[i] != 1) {
                    axes.add((long) i);
                } else if (is[j] != os[i]) {
                    throw refuse(n, "operand shapes " + Arrays.toString(is) + " and " + Arrays.toString(os) + " that are not known to broadcast");
                }
            }
            if (axes.isEmpty()) {
                return grad;
            }
            String summed = emit("ReduceSum", List.of(grad, ints(axes.stream().mapToLong(Long::longValue).toArray())),
                    List.of(intAttr("keepdims", 1)), "unbroadcast");
            return emit("Reshape", List.of(summed, emit("Shape", List.of(in), List.of(), "shape")), List.of(), "unbroadcast_shape");
        }
    }

    private static long[] orOnes(long[] v, int k) {
        if (v.length > 0) {
            return v;
        }
        long[] ones = new long[k];
        Arrays.fill(ones, 1);
        return ones;
    }

    static float floatAttr(Node n, String name, float fallback) {
        return OnnxGraph.attr(n, name).map(Attribute::getF).orElse(fallback);
    }

    private static Attribute intAttr(String name, long v) {
        return Attribute.newBuilder().setName(name).setType(Attribute.Type.INT).setI(v).build();
    }

    private static Attribute floatAttr(String name, float v) {
        return Attribute.newBuilder().setName(name).setType(Attribute.Type.FLOAT).setF(v).build();
    }

    private static Attribute intsAttr(String name, long[] v) {
        Attribute.Builder a = Attribute.newBuilder().setName(name).setType(Attribute.Type.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }
}
