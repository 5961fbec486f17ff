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
import io.filterscope.model.FilterBank;
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

    private OnnxModel(Path file, OnnxGraph graph, Sessions sessions, long fileSize) {
        this.file = file;
        this.graph = graph;
        this.sessions = sessions;
        this.weights = new Weights(graph, file);
        this.nodesByLayer = graph.layerNodes;
        this.shapes = outputShapes();
        this.layers = buildLayers();
        this.metadata = buildMetadata(fileSize);
    }

    static OnnxModel open(Path file, OpenOptions options) {
        var proto = OnnxFile.read(file);
        // Refuse data files outside the model's folder before anything (ONNX Runtime included) reads them.
        TensorData.ExternalData.checkAll(file, proto);
        OnnxGraph graph = new OnnxGraph(proto);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        Sessions sessions = new Sessions(file, proto, options);
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
        return EnumSet.of(Capability.FILTERS, Capability.ACTIVATIONS);
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
        TensorSpec in = metadata.input();
        if (!in.shape().accepts(input.shape())) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file.getFileName() + ": input '" + in.name() + "' must be " + in.describeShape()
                    + ", got " + input.shape() + "; give an image or .npy of that shape");
        }
        Map<LayerInfo, String> tensorOf = selectLayers(request);
        CaptureBudget.check(file, tensorOf.keySet(), input.shape());
        Set<String> extra = new LinkedHashSet<>(tensorOf.values());
        String outputName = graph.graph.getOutput(0).getName();
        try (Sessions.Lease lease = sessions.acquire(extra);
             OnnxTensor x = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(input.toArray()), input.shape().toArray());
             OrtSession.Result result = lease.session().run(Map.of(in.name(), x))) {
            Map<String, Tensor> values = new HashMap<>();
            for (String name : extra) {
                values.put(name, toTensor(result, name));
            }
            Tensor output = toTensor(result, outputName);
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
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + file + ", " + layers.size() + " layers]";
    }
}
