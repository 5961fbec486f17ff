package io.filterscope.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureBudget;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.model.FilterBank;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerGradient;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.OperatorSetId;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An ONNX model: layers and weights read from the file, inference through ONNX Runtime. */
final class OnnxModel implements Model {
    private final Path file;
    private final OnnxGraph graph;
    private final Weights weights;
    private final Sessions sessions;
    private final ModelMetadata metadata;
    private final List<LayerInfo> layers;
    private final Map<String, Node> nodesByLayer;
    /** Shapes of layer outputs and model outputs, declared or inferred by ONNX Runtime. */
    private final Map<String, Shape> shapes;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** The backward pass, and why the model has none (empty when it has). */
    private final Backprop backprop;
    private final Optional<String> noGradients;
    /** Gradient plans by request form; each plan's session is in {@link #sessions} under the same key. */
    private final Map<GradientKey, Backprop.Plan> plans = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GradientKey, Backprop.Plan> eldest) {
            return size() > 8;
        }
    });

    /**
     * What a gradient graph depends on: the seed (which output unit, which channel) is fed, so it is
     * not part of it. {@code at} is the layer tensor the graph is cut at for a channel target, empty
     * for an output unit.
     */
    private record GradientKey(List<Long> inputShape, boolean logit, Optional<String> at, boolean withInput, Set<String> layerTensors) {
    }
    private static final int FLOAT = 1;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OnnxModel.class);
    /** Recycled output memory for captures. */
    private final OutputPool outputs;
    /** Output types and shapes per session, as ONNX Runtime inferred them (asked once per session). */
    private final Map<OrtSession, Map<String, NodeInfo>> outputInfo = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** Captures whose outputs ONNX Runtime refused to take pinned (shapes known only after the run). */
    private final Set<OutputPool.Key> unpinnable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private OnnxModel(Path file, OnnxGraph graph, Sessions sessions, long fileSize) {
        this.file = file;
        this.graph = graph;
        this.sessions = sessions;
        this.outputs = new OutputPool(sessions.environment());
        this.peakOutputs = new PeakOutputs(sessions.environment());
        this.weights = new Weights(graph, file);
        this.nodesByLayer = graph.layerNodes;
        this.shapes = outputShapes();
        this.layers = buildLayers();
        this.metadata = buildMetadata(fileSize);
        this.backprop = graph.inputs.size() == 1 ? new Backprop(graph, file) : null;
        this.noGradients = backprop != null ? backprop.unsupported() : Optional.of("a model with one input");
    }

    static OnnxModel open(Path file, OpenOptions options) {
        OnnxFile.Parsed parsed = OnnxFile.parse(file);
        var proto = parsed.model();
        // Refuse data files outside the model's folder before anything (ONNX Runtime included) reads them.
        TensorData.ExternalData.checkAll(file, proto);
        OnnxGraph graph = new OnnxGraph(proto);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        Sessions sessions = new Sessions(file, proto, parsed.weights(), options);
        try {
            return new OnnxModel(file, graph, sessions, size);
        } catch (RuntimeException e) {
            sessions.close();
            throw e;
        }
    }

    /** Shapes as declared in the file, completed by ONNX Runtime's inference where the file is silent. */
    private Map<String, Shape> outputShapes() {
        Map<String, Shape> shapes = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (ValueInfo v : graph.graph.getOutputList()) {
            if (!graph.declaredShapes.containsKey(v.getName())) {
                missing.add(v.getName());
            }
        }
        for (Node n : nodesByLayer.values()) {
            for (String out : List.of(n.getOutput(0), graph.policy.postActivation(n.getOutput(0)))) {
                Shape s = graph.declaredShapes.get(out);
                if (s != null) {
                    shapes.put(out, s);
                } else if (!missing.contains(out)) {
                    missing.add(out);
                }
            }
        }
        if (!missing.isEmpty()) {
            try (OrtSession probe = sessions.probe(missing)) {
                for (Map.Entry<String, NodeInfo> e : probe.getOutputInfo().entrySet()) {
                    if (e.getValue().getInfo() instanceof TensorInfo ti) {
                        shapes.putIfAbsent(e.getKey(), Shape.of(ti.getShape()));
                    }
                }
            } catch (OrtException e) {
                throw new FilterScopeException(Messages.loadFailure(e), file + ": ONNX Runtime cannot load the model (" + Messages.firstLine(e.getMessage()) + ")", e);
            }
        }
        return shapes;
    }

    private List<LayerInfo> buildLayers() {
        List<LayerInfo> out = new ArrayList<>();
        int index = 0;
        for (Map.Entry<String, Node> e : nodesByLayer.entrySet()) {
            Node n = e.getValue();
            LayerKind kind = OnnxGraph.kindOf(n);
            Optional<Shape> filterShape = Optional.empty();
            if (kind.hasFilters()) {
                filterShape = filterShape(n);
            }
            Optional<Shape> outShape = Optional.ofNullable(shapes.get(n.getOutput(0))).map(s -> toNchw(s, n.getOutput(0)));
            out.add(new LayerInfo(e.getKey(), n.getName(), n.getOpType(), kind, index++, n.getOutput(0), outShape, filterShape));
        }
        return List.copyOf(out);
    }

    /** The filter shape from the stored dims alone, without decoding the weights. */
    private Optional<Shape> filterShape(Node n) {
        Shape w = weights.shapeOf(n.getInput(1)).orElse(graph.declaredShapes.get(n.getInput(1)));
        if (w == null) {
            return Optional.empty();
        }
        if (w.rank() == 3) {
            w = Shape.of(w.dim(0), w.dim(1), 1, w.dim(2));
        }
        if (n.getOpType().equals("ConvTranspose") && w.rank() == 4) {
            long groups = OnnxGraph.intAttr(n, "group", 1);
            w = Shape.of(w.dim(1) * groups, w.dim(0) / groups, w.dim(2), w.dim(3));
        }
        return Optional.of(w);
    }

    private Shape toNchw(Shape s, String tensor) {
        if (s.rank() != 4 || layoutOf(tensor) != Layout.NHWC) {
            return s;
        }
        int[] perm = Layout.NHWC.toNchw();
        return Shape.of(s.dim(perm[0]), s.dim(perm[1]), s.dim(perm[2]), s.dim(perm[3]));
    }

    private ModelMetadata buildMetadata(long fileSize) {
        var p = graph.proto;
        String producer = (p.getProducerName() + " " + p.getProducerVersion()).trim();
        long opset = p.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetId::getVersion).findFirst().orElse(0);
        List<TensorSpec> inputs = graph.inputs.stream().map(this::spec).toList();
        List<TensorSpec> outputs = graph.graph.getOutputList().stream().map(this::spec).toList();
        Layout layout = inputs.isEmpty() ? Layout.UNKNOWN : graph.layouts.getOrDefault(inputs.get(0).name(), Layout.UNKNOWN);
        return new ModelMetadata(file, fileSize, "ONNX", producer, "IR " + p.getIrVersion(), opset, inputs, outputs, layout);
    }

    private TensorSpec spec(ValueInfo v) {
        Shape s = graph.declaredShapes.getOrDefault(v.getName(), shapes.getOrDefault(v.getName(), Shape.of(new long[0])));
        List<String> names = graph.dimNames.getOrDefault(v.getName(), List.of());
        return new TensorSpec(v.getName(), s, names, elementTypeName(graph.elementTypes.getOrDefault(v.getName(), 0)));
    }

    private static String elementTypeName(int type) {
        return switch (type) {
            case 1 -> "float32";
            case 2 -> "uint8";
            case 3 -> "int8";
            case 6 -> "int32";
            case 7 -> "int64";
            case 10 -> "float16";
            case 11 -> "float64";
            case 16 -> "bfloat16";
            default -> "type " + type;
        };
    }

    @Override
    public ModelMetadata metadata() {
        return metadata;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers;
    }

    @Override
    public Set<Capability> capabilities() {
        // Gradients only when every node from the input to the output has a backward rule (Backprop).
        return noGradients.isEmpty() ? EnumSet.of(Capability.FILTERS, Capability.ACTIVATIONS, Capability.GRADIENTS, Capability.RUN_FROM_LAYER)
                : EnumSet.of(Capability.FILTERS, Capability.ACTIVATIONS, Capability.RUN_FROM_LAYER);
    }

    /**
     * One forward and one backward pass in one ONNX Runtime session: the model's graph with the
     * backward pass appended as ONNX nodes ({@link Backprop}), made once per input shape and request
     * form and cached like capture sessions. The output unit is fed as a one-hot seed, so asking for
     * another class reuses the session.
     */
    @Override
    public Gradients gradients(Tensor input, GradientRequest request) {
        checkOpen();
        TensorSpec in = metadata.input();
        if (!in.shape().accepts(input.shape()) || input.shape().rank() == 0 || input.shape().dim(0) < 1) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file.getFileName() + ": input '" + in.name() + "' must be " + in.describeShape()
                    + ", got " + input.shape() + "; give an image or .npy of that shape");
        }
        if (noGradients.isPresent()) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": gradients need " + noGradients.get());
        }
        Map<LayerInfo, String> tensorOf = new java.util.LinkedHashMap<>();
        for (String name : request.layers()) {
            LayerInfo l = layer(name);
            tensorOf.put(l, graph.policy.postActivation(l.outputTensor()));
        }
        long batch = input.shape().dim(0);
        GradientKey key = keyFor(input.shape(), request);
        Backprop.Plan plan = plan(key);
        float[] seed;
        long[] seedShape;
        if (request.target() instanceof GradientRequest.OutputUnit unit) {
            long classes = plan.scoreShape()[1];
            if (unit.index() >= classes) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file.getFileName() + ": output index " + unit.index()
                        + " is out of range; the model has " + classes + " outputs (0.." + (classes - 1) + ")");
            }
            seedShape = new long[] {batch, classes};
            seed = new float[Math.toIntExact(batch * classes)];
            for (int n = 0; n < batch; n++) {
                seed[(int) (n * classes + unit.index())] = 1f;
            }
        } else {
            GradientRequest.ChannelMean channel = (GradientRequest.ChannelMean) request.target();
            seedShape = plan.scoreShape();
            seed = channelSeed(layer(channel.layer()), key.at().orElseThrow(), seedShape, channel.channel());
        }
        // toTensor copies each value out of ONNX Runtime's memory, so the tensors outlive the result.
        try (Sessions.Lease lease = sessions.acquire(key, plan::model);
             OnnxTensor x = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(input.toArray()), input.shape().toArray());
             OnnxTensor s = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(seed), seedShape);
             OrtSession.Result result = lease.session().run(Map.of(in.name(), x, Backprop.SEED, s))) {
            Tensor output = toTensor(result, plan.output());
            if (request.target() instanceof GradientRequest.ChannelMean && output.shape().rank() == 4 && layoutOf(plan.output()) == Layout.NHWC) {
                output = output.transpose(Layout.NHWC.toNchw());
            }
            Optional<Tensor> inputGrad = Optional.empty();
            if (request.withInput()) {
                inputGrad = Optional.of(plan.inputGradient().isPresent() ? toTensor(result, plan.inputGradient().get())
                        : Tensor.zeros(input.shape()));
            }
            List<LayerGradient> grads = new ArrayList<>();
            for (Map.Entry<LayerInfo, String> e : tensorOf.entrySet()) {
                Tensor a = toTensor(result, e.getValue());
                String gName = plan.layerGradients().get(e.getValue());
                // No gradient flows into a layer the score does not depend on: zeros.
                Tensor g = gName == null ? Tensor.zeros(a.shape()) : toTensor(result, gName);
                if (a.shape().rank() == 4 && layoutOf(e.getValue()) == Layout.NHWC) {
                    a = a.transpose(Layout.NHWC.toNchw());
                    g = g.transpose(Layout.NHWC.toNchw());
                }
                grads.add(new LayerGradient(e.getKey(), a, g));
            }
            return new Gradients(output, inputGrad, grads);
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": the gradient pass failed for input " + input.shape() + " ("
                    + Messages.firstLine(e.getMessage()) + ")", e);
        }
    }

    /** The plan cache's key for a request on an input of this shape (the layers named must exist). */
    private GradientKey keyFor(Shape inputShape, GradientRequest request) {
        Set<String> layerTensors = new java.util.TreeSet<>();
        for (String name : request.layers()) {
            layerTensors.add(graph.policy.postActivation(layer(name).outputTensor()));
        }
        List<Long> shapeKey = java.util.Arrays.stream(inputShape.toArray()).boxed().toList();
        if (request.target() instanceof GradientRequest.OutputUnit unit) {
            return new GradientKey(shapeKey, unit.score() == GradientRequest.Score.LOGIT, Optional.empty(), request.withInput(), layerTensors);
        }
        GradientRequest.ChannelMean channel = (GradientRequest.ChannelMean) request.target();
        return new GradientKey(shapeKey, true, Optional.of(graph.policy.postActivation(layer(channel.layer()).outputTensor())),
                request.withInput(), layerTensors);
    }

    /**
     * The graph {@link #gradients} runs for an input of {@code inputShape} and {@code request}
     * (forward and backward nodes, before ONNX Runtime sees it), for {@link GradientGraphs}.
     */
    GradientGraphs.Graph gradientGraph(Shape inputShape, GradientRequest request) {
        checkOpen();
        if (noGradients.isPresent()) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": gradients need " + noGradients.get());
        }
        GradientKey key = keyFor(inputShape, request);
        Backprop.Plan plan = plan(key);
        Map<String, String> layers = new java.util.LinkedHashMap<>();
        for (String name : request.layers()) {
            String t = graph.policy.postActivation(layer(name).outputTensor());
            layers.put(name, t);
        }
        Map<String, String> layerGradients = new java.util.LinkedHashMap<>();
        layers.forEach((name, t) -> {
            if (plan.layerGradients().containsKey(t)) {
                layerGradients.put(name, plan.layerGradients().get(t));
            }
        });
        return new GradientGraphs.Graph(plan.model().toByteArray(), metadata.input().name(), Backprop.SEED, plan.scoreShape(), plan.output(),
                plan.inputGradient(), layers, layerGradients);
    }

    private Backprop.Plan plan(GradientKey key) {
        synchronized (plans) {
            Backprop.Plan plan = plans.get(key);
            if (plan == null) {
                long[] shape = key.inputShape().stream().mapToLong(Long::longValue).toArray();
                var fixed = backprop.withInputShape(shape);
                Map<String, long[]> shapes = sessions.inferShapes(fixed, backprop.tensorsNeedingShapes());
                // Sizes computed inside the graph (pads, reshape targets) can leave inference without
                // an answer: one run on zeros of this shape gives those.
                List<String> open = backprop.tensorsNeedingShapes().stream()
                        .filter(t -> !shapes.containsKey(t) || java.util.Arrays.stream(shapes.get(t)).anyMatch(d -> d < 0)).toList();
                if (!open.isEmpty()) {
                    shapes.putAll(sessions.runShapes(fixed, open, metadata.input().name(), shape));
                }
                plan = key.at().isPresent()
                        ? backprop.planAt(shape, shapes, checkedTarget(key.at().get(), shapes.get(key.at().get())), key.withInput(), key.layerTensors())
                        : backprop.plan(shape, shapes, key.logit(), key.withInput(), key.layerTensors());
                plans.put(key, plan);
            }
            return plan;
        }
    }

    /** The cache key of a tail session: the tensor it starts from and whether the tensors crossing beside it are inputs ({@link TailGraph}). */
    private record TailKey(String cut, boolean withCrossing) {
    }

    /**
     * The tensors crossing a cut beside it, as the last input given to {@link #runFrom(String, Tensor, Tensor)}
     * made them: Ablation-CAM runs the tail once per batch of ablations, all on one input.
     */
    private record CrossingValues(String cut, Shape inputShape, float[] input, Map<String, Tensor> values) {
        boolean isFor(String c, Tensor x) {
            return cut.equals(c) && inputShape.equals(x.shape()) && java.util.Arrays.equals(input, x.toArray());
        }
    }

    /** The tensors crossing each cut beside it ({@link TailGraph#crossing}), found once per cut. */
    private final Map<String, List<String>> crossingByCut = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile CrossingValues lastCrossing;

    /**
     * Runs the tail of the graph from the layer's tensor (the one {@link #capture} gives for it) in a
     * session of its own, made once per layer and cached like the capture sessions: its only input is
     * that tensor, so nothing before the layer is computed again.
     */
    @Override
    public Tensor runFrom(String layerName, Tensor layerOutput) {
        checkOpen();
        LayerInfo l = layer(layerName);
        return runTail(l, checkedLayerOutput(l, layerOutput), List.of(), Map.of());
    }

    /**
     * As {@link #runFrom(String, Tensor)}, and where tensors computed before the layer go around it
     * (a skip connection inside a residual block), the model is run once on {@code input} to get them
     * ({@link TailGraph#crossing}); they are fed to the tail beside the layer's output, so only that
     * output is replaced. The last input's crossing tensors are kept for the next call.
     */
    @Override
    public Tensor runFrom(String layerName, Tensor layerOutput, Tensor input) {
        checkOpen();
        LayerInfo l = layer(layerName);
        Tensor value = checkedLayerOutput(l, layerOutput);
        String cut = graph.policy.postActivation(l.outputTensor());
        List<String> crossing = crossingByCut.computeIfAbsent(cut, c -> TailGraph.crossing(graph, c));
        if (crossing.isEmpty()) {
            return runTail(l, value, crossing, Map.of());
        }
        TensorSpec in = metadata.input();
        long rows = layerOutput.shape().dim(0);
        if (!in.shape().accepts(input.shape()) || input.shape().rank() == 0 || (input.shape().dim(0) != 1 && input.shape().dim(0) != rows)) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file.getFileName() + ": input '" + in.name() + "' must be " + in.describeShape()
                    + " with a batch of 1 or " + rows + " (the layer output's), got " + input.shape()
                    + "; give the input the layer's output was made from");
        }
        for (String t : crossing) {
            int type = graph.elementTypes.getOrDefault(t, FLOAT);
            if (type != FLOAT) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": tensor '" + TensorData.ExternalData.printable(t)
                        + "' of element type " + type + " goes around layer '" + TensorData.ExternalData.printable(l.name())
                        + "'; the network can be run from a layer only when float32 tensors alone go around it; choose a later layer");
            }
        }
        CrossingValues known = lastCrossing;
        if (known == null || !known.isFor(cut, input)) {
            known = new CrossingValues(cut, input.shape(), input.toArray().clone(), crossingValues(l, crossing, input));
            lastCrossing = known;
        }
        Map<String, Tensor> fed = new HashMap<>();
        for (Map.Entry<String, Tensor> e : known.values().entrySet()) {
            fed.put(e.getKey(), repeated(e.getValue(), rows));
        }
        return runTail(l, value, crossing, fed);
    }

    /** The crossing tensors' values for {@code input}, from one run of the whole model. */
    private Map<String, Tensor> crossingValues(LayerInfo l, List<String> crossing, Tensor input) {
        String in = metadata.input().name();
        Map<String, Tensor> values = new HashMap<>();
        List<String> computed = crossing.stream().filter(t -> !t.equals(in)).toList();
        if (crossing.contains(in)) {
            values.put(in, Tensor.wrap(input.shape(), input.toArray().clone()));
        }
        if (computed.isEmpty()) {
            return values;
        }
        try (Sessions.Lease lease = sessions.acquire(computed);
             DirectInput direct = directCopy(input);
             OnnxTensor x = OnnxTensor.createTensor(sessions.environment(), direct.floats(), input.shape().toArray());
             OrtSession.Result result = lease.session().run(Map.of(in, x), new LinkedHashSet<>(computed))) {
            for (String t : computed) {
                Tensor v = toTensor(result, t);
                if (v.shape().rank() == 0 || v.shape().dim(0) != input.shape().dim(0)) {
                    throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": tensor '" + TensorData.ExternalData.printable(t)
                            + "' goes around layer '" + TensorData.ExternalData.printable(l.name()) + "' with shape " + v.shape()
                            + ", not batch first; choose a later layer");
                }
                values.put(t, Tensor.wrap(v.shape(), v.toArray().clone()));
            }
            return values;
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": running the model for the tensors around layer '"
                    + TensorData.ExternalData.printable(l.name()) + "' failed for input " + input.shape() + " (" + Messages.firstLine(e.getMessage()) + ")", e);
        }
    }

    /** {@code t} (a batch of 1 or of {@code rows}) as a batch of {@code rows}: a single row repeated. */
    private static Tensor repeated(Tensor t, long rows) {
        if (t.shape().dim(0) == rows) {
            return t;
        }
        float[] one = t.toArray();
        float[] all = new float[Math.multiplyExact(one.length, Math.toIntExact(rows))];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(one, 0, all, r * one.length, one.length);
        }
        return Tensor.wrap(t.shape().with(0, rows), all);
    }

    /** {@code layerOutput}, checked against the layer's shape, in the tensor's own layout. */
    private Tensor checkedLayerOutput(LayerInfo l, Tensor layerOutput) {
        String cut = graph.policy.postActivation(l.outputTensor());
        Shape own = shapes.get(cut);
        Shape nchw = own == null ? null : toNchw(own, cut);
        Shape got = layerOutput.shape();
        boolean fits = nchw != null && nchw.rank() == got.rank() && got.rank() > 0 && got.dim(0) >= 1;
        for (int d = 1; fits && d < got.rank(); d++) {
            fits = nchw.dim(d) == Shape.UNKNOWN || nchw.dim(d) == got.dim(d);
        }
        if (!fits) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file.getFileName() + ": layer '" + TensorData.ExternalData.printable(l.name())
                    + "' outputs " + (nchw == null ? "a shape not known before a run" : nchw) + ", got " + got
                    + "; give a batch of the layer's output as capture returns it");
        }
        // Images arrive N × C × H × W; the graph wants the tensor in its own layout.
        return got.rank() == 4 && layoutOf(cut) == Layout.NHWC ? layerOutput.transpose(0, 2, 3, 1) : layerOutput;
    }

    /** Runs the tail from the layer's tensor ({@code value}, own layout), fed {@code crossingValues} beside it. */
    private Tensor runTail(LayerInfo l, Tensor value, List<String> crossing, Map<String, Tensor> crossingValues) {
        String cut = graph.policy.postActivation(l.outputTensor());
        Shape own = shapes.get(cut);
        String outputName = graph.graph.getOutput(0).getName();
        if (cut.equals(outputName)) {
            return Tensor.wrap(value.shape(), value.toArray());
        }
        Map<String, OnnxTensor> feeds = new HashMap<>();
        List<DirectInput> copies = new ArrayList<>();
        try (Sessions.Lease lease = sessions.acquire(new TailKey(cut, !crossing.isEmpty()), () -> TailGraph.build(graph, cut, own, crossing, file, l.name()))) {
            DirectInput direct = directCopy(value);
            copies.add(direct);
            feeds.put(cut, OnnxTensor.createTensor(sessions.environment(), direct.floats(), value.shape().toArray()));
            for (Map.Entry<String, Tensor> e : crossingValues.entrySet()) {
                DirectInput beside = directCopy(e.getValue());
                copies.add(beside);
                feeds.put(e.getKey(), OnnxTensor.createTensor(sessions.environment(), beside.floats(), e.getValue().shape().toArray()));
            }
            try (OrtSession.Result result = lease.session().run(feeds)) {
                return toTensor(result, outputName);
            }
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": running the network from layer '"
                    + TensorData.ExternalData.printable(l.name()) + "' failed for " + value.shape() + " (" + Messages.firstLine(e.getMessage()) + ")", e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
            copies.forEach(DirectInput::close);
        }
    }

    /** {@code tensor}, once its static shape is known to be N × C × H × W or N × C. */
    private String checkedTarget(String tensor, long[] shape) {
        if (shape == null || (shape.length != 4 && shape.length != 2) || java.util.Arrays.stream(shape).anyMatch(d -> d < 1)) {
            String layer = layers.stream().filter(l -> graph.policy.postActivation(l.outputTensor()).equals(tensor)).map(LayerInfo::name)
                    .findFirst().orElse(tensor);
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file.getFileName() + ": layer '" + layer + "' outputs "
                    + (shape == null ? "a tensor of unknown shape" : java.util.Arrays.toString(shape))
                    + "; a channel's mean activation needs an N×C×H×W or N×C output");
        }
        return tensor;
    }

    /**
     * The seed of a channel's mean activation: 1 / (H·W) at every position of the channel, in the
     * tensor's own layout ({@code shape} is its static shape), 0 elsewhere.
     */
    private float[] channelSeed(LayerInfo layer, String tensor, long[] shape, int channel) {
        boolean last = shape.length == 4 && layoutOf(tensor) == Layout.NHWC;
        long channels = shape[last ? 3 : 1];
        if (channel >= channels) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file.getFileName() + ": channel " + channel + " is out of range; layer '"
                    + layer.name() + "' has " + channels + " channels (0 to " + (channels - 1) + ")");
        }
        long positions = shape.length == 4 ? shape[last ? 1 : 2] * shape[last ? 2 : 3] : 1;
        float[] seed = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        float share = (float) (1.0 / positions);
        for (int i = 0; i < seed.length; i++) {
            long c = last ? i % channels : (i / positions) % channels;
            if (c == channel) {
                seed[i] = share;
            }
        }
        return seed;
    }

    /** The execution provider inference actually runs on. */
    ExecutionProvider executionProvider() {
        return sessions.provider();
    }

    @Override
    public FilterBank filters(String layer) {
        LayerInfo info = layer(layer);
        if (!info.kind().hasFilters()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file.getFileName() + ": layer '" + TensorData.ExternalData.printable(layer) + "' is a " + TensorData.ExternalData.printable(info.op())
                    + " layer and has no filters; conv layers: " + String.join(", ",
                    layers.stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).limit(8).toList()));
        }
        checkOpen();
        return weights.filterBank(info.name(), nodesByLayer.get(info.name()));
    }

    @Override
    public Activations capture(Tensor input, CaptureRequest request) {
        checkOpen();
        TensorSpec in = checkedInput(input);
        Map<LayerInfo, String> tensorOf = selectLayers(request);
        CaptureBudget.check(file, tensorOf.keySet(), input.shape());
        Set<String> extra = new LinkedHashSet<>(tensorOf.values());
        String outputName = graph.graph.getOutput(0).getName();
        try (Sessions.Lease lease = sessions.acquire(extra);
             DirectInput direct = directCopy(input);
             OnnxTensor x = OnnxTensor.createTensor(sessions.environment(), direct.floats(), input.shape().toArray())) {
            Map<String, Tensor> values = run(lease.session(), extra, in.name(), x, input.shape(), outputName);
            Tensor output = values.get(outputName);
            List<LayerOutput> outs = new ArrayList<>();
            for (Map.Entry<LayerInfo, String> e : tensorOf.entrySet()) {
                Tensor v = values.get(e.getValue());
                if (v.shape().rank() == 4 && layoutOf(e.getValue()) == Layout.NHWC) {
                    v = v.transpose(Layout.NHWC.toNchw());
                }
                outs.add(new LayerOutput(e.getKey(), e.getValue(), v));
            }
            return new Activations(outs, output);
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": inference failed for input " + input.shape() + " ("
                    + Messages.firstLine(e.getMessage()) + "); the model wants '" + in.name() + "' as " + in.describeShape(), e);
        }
    }

    /** The model's input, once {@code input} fits it. */
    private TensorSpec checkedInput(Tensor input) {
        TensorSpec in = metadata.input();
        if (!in.shape().accepts(input.shape())) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file.getFileName() + ": input '" + in.name() + "' must be " + in.describeShape()
                    + ", got " + input.shape() + "; give an image or .npy of that shape");
        }
        return in;
    }

    /**
     * The peaks computed inside ONNX Runtime by a graph of their own ({@link PeakGraph}): only the
     * nodes the layer needs run, and the maps are reduced where they are made instead of being copied
     * out. Where ONNX Runtime's reductions cannot be trusted to keep {@link ChannelPeaks}'
     * definitions (a map holding NaN, which each runtime reduces its own way), and for layers or
     * graphs the peak graph does not fit (a tensor whose rank is not known to be 4 before a run, an
     * opset before 5), the layer is captured and reduced here instead.
     */
    @Override
    public ChannelPeaks peaks(Tensor input, String layerName) {
        checkOpen();
        TensorSpec in = checkedInput(input);
        LayerInfo l = layer(layerName);
        Optional<PeakKey> key = peakKeys.computeIfAbsent(l.name(), n -> peakKey(l));
        if (key.isEmpty()) {
            return Model.super.peaks(input, layerName);
        }
        PeakKey peak = key.get();
        PeakOutputs.Slot slot = null;
        try (Sessions.Lease lease = sessions.acquire(peak, () -> PeakGraph.build(graph, peak.tensor(), peak.layout()));
             DirectInput direct = directCopy(input);
             OnnxTensor x = OnnxTensor.createTensor(sessions.environment(), direct.floats(), input.shape().toArray())) {
            long items = input.shape().rank() > 0 ? input.shape().dim(0) : -1;
            PeakOutputs.Key slotKey = new PeakOutputs.Key(peak, items, peak.channels());
            RawPeaks raw;
            if (items > 0 && peak.channels() > 0 && !unpinnablePeaks.contains(slotKey)) {
                slot = peakOutputs.take(slotKey);
                try (OrtSession.Result ignored = lease.session().run(Map.of(in.name(), x), Set.of(), slot.pinned)) {
                    raw = new RawPeaks(PeakOutputs.Slot.read(slot.shape), PeakOutputs.Slot.read(slot.max), PeakOutputs.Slot.read(slot.mean),
                            PeakOutputs.Slot.read(slot.argmax));
                } catch (OrtException e) {
                    // An output shape guessed before the run was wrong: copy the outputs out from now on.
                    slot.close();
                    slot = null;
                    unpinnablePeaks.add(slotKey);
                    LOG.debug("{}: pinned peak outputs refused ({}); copying them instead", file.getFileName(), Messages.firstLine(e.getMessage()));
                    return peaks(input, layerName);
                }
            } else {
                try (OrtSession.Result result = lease.session().run(Map.of(in.name(), x))) {
                    raw = new RawPeaks(longs(result, PeakGraph.SHAPE), floats(result, PeakGraph.MAX), floats(result, PeakGraph.MEAN),
                            longs(result, PeakGraph.ARGMAX));
                }
            }
            ChannelPeaks peaks = raw.toPeaks(l.name());
            return peaks != null ? peaks : Model.super.peaks(input, layerName);
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": inference failed for input " + input.shape() + " ("
                    + Messages.firstLine(e.getMessage()) + "); the model wants '" + in.name() + "' as " + in.describeShape(), e);
        } finally {
            if (slot != null) {
                peakOutputs.giveBack(slot);
            }
        }
    }

    /** What a peak graph's run gave, before it is checked. */
    private record RawPeaks(long[] shape, float[] max, float[] mean, long[] argmax) {
        /**
         * The peaks, or null where they must be computed from the maps instead: a map holding NaN
         * (its mean is NaN), which ONNX Runtime's max and argmax each treat their own way, maps
         * with no positions, or a tensor that turned out not to be N × C × H × W.
         */
        ChannelPeaks toPeaks(String layer) {
            if (shape.length != 4 || shape[2] * shape[3] == 0) {
                return null;
            }
            for (float v : mean) {
                if (Float.isNaN(v)) {
                    return null;
                }
            }
            int[] position = new int[argmax.length];
            for (int i = 0; i < position.length; i++) {
                position[i] = Math.toIntExact(argmax[i]);
            }
            return ChannelPeaks.of(layer, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), Math.toIntExact(shape[2]),
                    Math.toIntExact(shape[3]), max, mean, position);
        }
    }

    /**
     * A layer's tensor, its layout and its channel count (-1 when only a run tells): the cache key of
     * its peak graph's session.
     */
    private record PeakKey(String tensor, Layout layout, long channels) {
    }

    /** Reused output buffers of peak graph runs. */
    private final PeakOutputs peakOutputs;
    /** Peak graphs and batch sizes whose outputs ONNX Runtime refused to write in place. */
    private final Set<PeakOutputs.Key> unpinnablePeaks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Per layer, the peak graph's key, or empty where the layer is captured and reduced in Java instead. */
    private final Map<String, Optional<PeakKey>> peakKeys = new java.util.concurrent.ConcurrentHashMap<>();

    private Optional<PeakKey> peakKey(LayerInfo l) {
        String tensor = selectLayers(CaptureRequest.layers(l.name())).get(l);
        Shape own = tensor == null ? null : shapes.get(tensor);
        if (own == null || own.rank() != 4 || graph.elementTypes.getOrDefault(tensor, FLOAT) != FLOAT
                || !PeakGraph.supports(graph) || PeakGraph.namesTaken(graph)) {
            return Optional.empty();
        }
        Layout layout = layoutOf(tensor);
        return Optional.of(new PeakKey(tensor, layout, own.dim(layout == Layout.NHWC ? 3 : 1)));
    }

    private float[] floats(OrtSession.Result result, String name) throws OrtException {
        return toTensor(result, name).toArray();
    }

    private long[] longs(OrtSession.Result result, String name) throws OrtException {
        Optional<OnnxValue> v = result.get(name);
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor t) || t.getInfo().type != ai.onnxruntime.OnnxJavaType.INT64) {
            throw new FilterScopeException(ErrorKind.INFERENCE_FAILED, file.getFileName() + ": ONNX Runtime returned no int64 tensor '" + name + "'");
        }
        var b = t.getByteBuffer().order(ByteOrder.nativeOrder()).asLongBuffer();
        long[] out = new long[b.remaining()];
        b.get(out);
        return out;
    }

    /** The input's values in a direct buffer, which ONNX Runtime reads in place (a heap buffer it would copy once more). */
    private static DirectInput directCopy(Tensor input) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.multiplyExact(input.size(), Float.BYTES)).order(ByteOrder.nativeOrder());
        FloatBuffer b = bytes.asFloatBuffer();
        b.put(input.buffer());
        return new DirectInput(bytes, b.rewind());
    }

    /**
     * An input copied off-heap for one run, freed when the run is over rather than at a collection:
     * a batch of 32 ImageNet images is 19 MB, and captures in a loop piled such copies up until the
     * collector ran (docs/benchmarks.md, capture memory).
     */
    private record DirectInput(ByteBuffer bytes, FloatBuffer floats) implements AutoCloseable {
        @Override
        public void close() {
            Sessions.free(bytes);
        }
    }

    /**
     * Runs {@code session} and returns every tensor in {@code extra} and {@code outputName}. Float
     * outputs whose shapes are known before the run are written by ONNX Runtime into recycled
     * buffers and handed out without a copy ({@link OutputPool}); the rest are copied out as before.
     */
    private Map<String, Tensor> run(OrtSession session, Set<String> extra, String inputName, OnnxTensor x, Shape inputShape, String outputName)
            throws OrtException {
        Set<String> wanted = new LinkedHashSet<>(extra);
        wanted.add(outputName);
        OutputPool.Key key = new OutputPool.Key(Set.copyOf(extra), java.util.Arrays.stream(inputShape.toArray()).boxed().toList());
        Map<String, Shape> pinnable = unpinnable.contains(key) ? Map.of() : pinnableShapes(session, wanted, inputShape);
        OutputPool.Slab slab = pinnable.isEmpty() ? null : outputs.take(key, pinnable);
        OrtSession.Result result;
        try {
            if (slab == null) {
                result = session.run(Map.of(inputName, x));
            } else {
                // Given pinned outputs, ONNX Runtime computes those and only the outputs named besides.
                Set<String> unpinned = new LinkedHashSet<>(wanted);
                unpinned.removeAll(pinnable.keySet());
                result = session.run(Map.of(inputName, x), unpinned, slab.pinned());
            }
        } catch (OrtException e) {
            if (slab == null) {
                throw e;
            }
            // A shape guessed before the run was wrong (a dynamic dimension that is not the batch): run without pinning from now on.
            slab.close();
            unpinnable.add(key);
            LOG.debug("{}: pinned outputs refused ({}); copying outputs instead", file.getFileName(), Messages.firstLine(e.getMessage()));
            return run(session, extra, inputName, x, inputShape, outputName);
        }
        try (result) {
            Map<String, Tensor> values = new HashMap<>();
            if (slab != null) {
                values.putAll(outputs.lend(key, slab));
                slab = null;
            }
            for (String name : wanted) {
                if (!values.containsKey(name)) {
                    values.put(name, toTensor(result, name));
                }
            }
            return values;
        } finally {
            if (slab != null) {
                outputs.giveBack(key, slab);
            }
        }
    }

    /**
     * The outputs ONNX Runtime can write into buffers given before the run: float tensors whose shape
     * the session knows, the batch dimension taken from the input.
     */
    private Map<String, Shape> pinnableShapes(OrtSession session, Set<String> wanted, Shape inputShape) throws OrtException {
        Map<String, NodeInfo> infos = outputInfo.computeIfAbsent(session, s -> {
            try {
                return s.getOutputInfo();
            } catch (OrtException e) {
                return Map.of();
            }
        });
        Map<String, Shape> out = new java.util.LinkedHashMap<>();
        for (String name : wanted) {
            NodeInfo info = infos.get(name);
            if (info == null || !(info.getInfo() instanceof TensorInfo ti) || ti.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                continue;
            }
            long[] dims = ti.getShape();
            if (dims.length > 0 && dims[0] < 0 && inputShape.rank() > 0) {
                dims[0] = inputShape.dim(0);
            }
            if (java.util.Arrays.stream(dims).allMatch(d -> d >= 0)) {
                out.put(name, Shape.of(dims));
            }
        }
        return out;
    }

    /** The layers to capture, each with its tensor: the api's {@link io.filterscope.spi.CapturePolicy} decides. */
    private Map<LayerInfo, String> selectLayers(CaptureRequest request) {
        return graph.policy.select(request, layers, this::layer);
    }

    private Layout layoutOf(String tensor) {
        return graph.layouts.getOrDefault(tensor, Layout.NCHW);
    }

    private Tensor toTensor(OrtSession.Result result, String name) throws OrtException {
        Optional<OnnxValue> v = result.get(name);
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
            throw new FilterScopeException(ErrorKind.INFERENCE_FAILED, file.getFileName() + ": ONNX Runtime returned no tensor '" + TensorData.ExternalData.printable(name) + "'");
        }
        long[] dims = t.getInfo().getShape();
        return switch (t.getInfo().type) {
            // One bulk copy out of native memory, read in place afterwards. (getFloatBuffer() would
            // copy element by element through a byte-swapping view: ten times slower.)
            case FLOAT -> Tensor.wrap(Shape.of(dims), t.getByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
            case DOUBLE -> {
                var db = t.getByteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer();
                float[] a = new float[db.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) db.get(i);
                }
                yield Tensor.wrap(Shape.of(dims), a);
            }
            case INT64 -> {
                var lb = t.getByteBuffer().order(ByteOrder.nativeOrder()).asLongBuffer();
                float[] a = new float[lb.remaining()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = lb.get(i);
                }
                yield Tensor.wrap(Shape.of(dims), a);
            }
            default -> throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": tensor '" + TensorData.ExternalData.printable(name) + "' is of type "
                    + t.getInfo().type + ", which FilterScope cannot show");
        };
    }

    /** How many sets of capture output buffers wait for reuse; for tests of the pool. */
    int freeOutputSlabs() {
        return outputs.freeSlabs();
    }

    /** How many sets of peak output buffers wait for reuse; for tests. */
    int freePeakSlots() {
        return peakOutputs.freeSlots();
    }

    /** How many capture kinds ONNX Runtime refused pinned outputs for; for tests. */
    int unpinnableCount() {
        return unpinnable.size();
    }

    /** How many sessions are cached; for tests of the cache. */
    int cachedSessions() {
        return sessions.cachedSessions();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new FilterScopeException(ErrorKind.MODEL_CLOSED, file.getFileName() + ": the model is closed; open it again");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sessions.close();
            outputs.close();
            peakOutputs.close();
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + file + ", " + layers.size() + " layers]";
    }
}
