package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureBudget;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
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
import io.filterscope.spi.CapturePolicy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J network, opened from a file or wrapped in memory. Weights are read from the live network
 * on every call. One forward pass serves a capture; gradients take one forward and one backward
 * pass (see {@link Passes}). Calls are synchronised on the DL4J network, which keeps per-call state
 * in its layers. Captures and {@link #runFrom} run on the model's {@link CaptureThread}, whichever
 * thread asks, so that their native memory is reused and freed deterministically.
 *
 * <p>Capture modes: DL4J layers apply their activation function inside the layer. Which step
 * stands for a layer post-activation (the default) is the api's {@link CapturePolicy}: the layer's
 * own output when it has an activation function, else the {@code ActivationLayer} it reaches
 * through batch norm or dropout. Pre-activation recomputes the layer with an identity activation
 * in the same pass.
 */
final class Dl4jModel implements Model {
    private final Network net;
    private final ModelMetadata metadata;
    private final InputSpec input;
    private final List<LayerInfo> layers;
    /** The output type of each step, by name. */
    private final Map<String, InputType> types;
    /** Which step stands for each layer, and which layers "all spatial" means. */
    private final CapturePolicy policy;
    /** Step index by step name (a layer's {@code outputTensor}). */
    private final Map<String, Integer> stepIndex = new java.util.HashMap<>();
    private final Passes passes;
    private final Runnable onClose;
    /** Runs captures and {@link #runFrom} passes, whose arrays live in its workspaces. */
    private final CaptureThread captureThread;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Dl4jModel(Network net, InputSpec input, Path file, long fileSize, String format, String producer, String formatVersion,
              Runnable onClose) {
        this.net = net;
        this.input = input;
        this.onClose = onClose;
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        try {
            this.types = net.activationTypes(input.dl4jType());
        } catch (RuntimeException e) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, name + ": the network does not accept input " + input.describe() + " ("
                    + firstLine(e.getMessage()) + "); give the input shape with " + InputSpec.HOW_TO_GIVE, e);
        }
        net.steps().forEach(st -> stepIndex.put(st.name(), st.index()));
        this.policy = capturePolicy(net);
        this.layers = buildLayers();
        this.passes = new Passes(net, name);
        this.captureThread = new CaptureThread(name);
        InputType outType = types.get(net.steps().get(net.outputStep()).name());
        TensorSpec in = new TensorSpec("input", input.shape(), dimNames(input.shape().rank(), input.layout()), elementType());
        TensorSpec out = new TensorSpec(net.steps().get(net.outputStep()).name(), batchShape(outType, true), List.of(), elementType());
        this.metadata = new ModelMetadata(file, fileSize, format, producer, formatVersion, 0, List.of(in), List.of(out), input.layout());
    }

    private String elementType() {
        return net.dataType().name().toLowerCase(java.util.Locale.ROOT).replace("float", "float32").replace("double", "float64");
    }

    private static List<String> dimNames(int rank, Layout layout) {
        if (rank == 4) {
            return layout == Layout.NHWC ? List.of("N", "H", "W", "C") : List.of("N", "C", "H", "W");
        }
        List<String> names = new ArrayList<>(List.of("N"));
        for (int i = 1; i < rank; i++) {
            names.add("");
        }
        return names;
    }

    private List<LayerInfo> buildLayers() {
        List<LayerInfo> out = new ArrayList<>();
        for (Step s : net.steps()) {
            LayerKind kind = s.conf().map(Filters::kindOf).orElse(LayerKind.OTHER);
            Optional<Shape> filterShape = kind.hasFilters()
                    ? Optional.of(Filters.shapeOf((ConvolutionLayer) s.conf().get(), s.layer().get())) : Optional.empty();
            Optional<Shape> shape = Optional.ofNullable(types.get(s.name())).map(t -> batchShape(t, false));
            out.add(new LayerInfo(s.name(), s.name(), s.op(), kind, s.index(), s.name(), shape, filterShape));
        }
        return List.copyOf(out);
    }

    /** The batch shape of an activation type; images N × C × H × W unless {@code ownLayout}. */
    private static Shape batchShape(InputType t, boolean ownLayout) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            if (ownLayout && c.getFormat() == CNN2DFormat.NHWC) {
                return Shape.of(Shape.UNKNOWN, c.getHeight(), c.getWidth(), c.getChannels());
            }
            return Shape.of(Shape.UNKNOWN, c.getChannels(), c.getHeight(), c.getWidth());
        }
        long[] s = t.getShape(true);
        s[0] = Shape.UNKNOWN;
        return Shape.of(s);
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
        return EnumSet.of(Capability.FILTERS, Capability.ACTIVATIONS, Capability.GRADIENTS, Capability.RUN_FROM_LAYER);
    }

    @Override
    public FilterBank filters(String layer) {
        LayerInfo info = layer(layer);
        if (!info.kind().hasFilters()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, fileName() + ": layer '" + layer + "' is a " + info.op()
                    + " layer and has no filters; conv layers: " + String.join(", ",
                    layers.stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).limit(8).toList()));
        }
        checkOpen();
        Step s = net.steps().get(info.index());
        InputType in = s.inputs().get(0) == Step.NETWORK_INPUT ? input.dl4jType()
                : types.get(net.steps().get(s.inputs().get(0)).name());
        if (s.preprocessor().isPresent() && in != null) {
            in = s.preprocessor().get().getOutputType(in);
        }
        synchronized (net.raw()) {
            return Filters.read(info.name(), (ConvolutionLayer) s.conf().get(), s.layer().get(), in);
        }
    }

    @Override
    public Activations capture(Tensor x, CaptureRequest request) {
        checkInput(x);
        Map<LayerInfo, Integer> selected = select(request);
        CaptureBudget.check(metadata.file(), selected.keySet(), x.shape());
        Set<Integer> pre = new LinkedHashSet<>();
        if (request.mode() == CaptureMode.PRE_ACTIVATION) {
            pre.addAll(selected.values());
        }
        int upTo = selected.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return onCaptureThread(() -> {
            // Every array of the pass is made in the capture workspace and copied to the heap
            // before it closes; the next capture reuses its memory.
            try (MemoryWorkspace scope = passes.captureScope()) {
                INDArray in = toInput(x);
                Passes.Forward f;
                synchronized (net.raw()) {
                    f = passes.forward(in, pre, upTo);
                    passes.clear();
                }
                List<LayerOutput> outs = new ArrayList<>();
                for (Map.Entry<LayerInfo, Integer> e : selected.entrySet()) {
                    int step = e.getValue();
                    INDArray a = request.mode() == CaptureMode.PRE_ACTIVATION ? f.preActivation(step) : f.activation(step);
                    outs.add(new LayerOutput(e.getKey(), net.steps().get(step).name(), toTensor(a, step)));
                }
                INDArray out = f.activation(net.outputStep());
                return new Activations(outs, Filters.toTensor(out, Shape.of(out.shape())));
            }
        });
    }

    /**
     * Runs a pass on the model's {@link CaptureThread}; a model closed meanwhile says so. A caller
     * that holds the network's lock runs it itself: a training listener inside DL4J's {@code fit},
     * which is synchronised on the network, would otherwise wait for a thread that waits for it.
     * Its workspaces then stay with that thread until it ends.
     */
    private <T> T onCaptureThread(java.util.function.Supplier<T> pass) {
        if (Thread.holdsLock(net.raw())) {
            return pass.get();
        }
        try {
            return captureThread.call(pass);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            checkOpen();
            throw e;
        }
    }

    /** The workspaces of the model's capture thread, for tests. */
    CaptureThread captureThread() {
        return captureThread;
    }

    /** The step captured for each selected layer, as the api's {@link CapturePolicy} decides. */
    private Map<LayerInfo, Integer> select(CaptureRequest request) {
        Map<LayerInfo, Integer> out = new LinkedHashMap<>();
        policy.select(request, layers, this::layer).forEach((l, step) -> out.put(l, stepIndex.get(step)));
        return out;
    }

    /** The step whose output shows {@code layer} after its activation. */
    private int postActivationStep(LayerInfo layer) {
        return stepIndex.get(policy.postActivation(layer.outputTensor()));
    }

    /**
     * The network as the api's {@link CapturePolicy} sees it: one node per step. This backend's say
     * is only the roles: an {@code ActivationLayer} is an activation, batch normalisation and
     * dropout pass through, an element-wise Add vertex joins a residual block, and a layer with an
     * activation function of its own is already activated.
     */
    static CapturePolicy capturePolicy(Network net) {
        List<CapturePolicy.Node> nodes = new ArrayList<>();
        for (Step s : net.steps()) {
            var conf = s.conf().orElse(null);
            CapturePolicy.Role role;
            if (conf instanceof ActivationLayer) {
                role = CapturePolicy.Role.ACTIVATION;
            } else if (conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization
                    || conf instanceof org.deeplearning4j.nn.conf.layers.DropoutLayer) {
                role = CapturePolicy.Role.PASS_THROUGH;
            } else if (s.vertex().orElse(null) instanceof ElementWiseVertex e && isAdd(e) && s.inputs().size() >= 2) {
                role = CapturePolicy.Role.SUM;
            } else {
                role = CapturePolicy.Role.OTHER;
            }
            List<String> inputs = s.inputs().stream().filter(i -> i != Step.NETWORK_INPUT).map(i -> net.steps().get(i).name()).toList();
            nodes.add(new CapturePolicy.Node(s.name(), role, role == CapturePolicy.Role.ACTIVATION || Passes.hasOwnActivation(s),
                    s.index() == net.outputStep(), inputs));
        }
        return CapturePolicy.of(nodes);
    }

    /** Whether the vertex adds its inputs, as its configuration says. */
    private static boolean isAdd(ElementWiseVertex v) {
        return v.getGraph().getConfiguration().getVertices().get(v.getVertexName())
                instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex c && c.getOp() == org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add;
    }

    @Override
    public Gradients gradients(Tensor x, GradientRequest request) {
        INDArray in = toInput(x);
        List<LayerInfo> wanted = request.layers().stream().map(this::layer).toList();
        int upTo = wanted.stream().mapToInt(this::postActivationStep).max().orElse(0);
        Passes.Backward b;
        int outStep;
        if (request.target() instanceof GradientRequest.ChannelMean channel) {
            LayerInfo target = layer(channel.layer());
            outStep = postActivationStep(target);
            synchronized (net.raw()) {
                try {
                    b = passes.backwardFrom(in, outStep, a -> channelSeed(target, outStep, a, channel.channel()), upTo);
                } finally {
                    passes.clear();
                }
            }
        } else {
            outStep = net.outputStep();
            synchronized (net.raw()) {
                try {
                    b = passes.backward(in, request.outputIndex(), request.score(), upTo);
                } finally {
                    passes.clear();
                }
            }
        }
        List<LayerGradient> grads = new ArrayList<>();
        for (LayerInfo l : wanted) {
            int step = postActivationStep(l);
            INDArray g = b.epsilon(step);
            INDArray a = b.forward().activation(step);
            if (g == null) {
                // The score does not depend on this layer (it is past the output, or on another branch).
                g = Nd4j.zeros(a.dataType(), a.shape());
            }
            grads.add(new LayerGradient(l, toTensor(a, step), toTensor(g, step)));
        }
        Optional<Tensor> inputGrad = request.withInput()
                ? Optional.of(Filters.toTensor(b.inputEpsilon(), x.shape())) : Optional.empty();
        INDArray out = b.forward().activation(outStep);
        Tensor output = request.target() instanceof GradientRequest.ChannelMean ? toTensor(out, outStep) : Filters.toTensor(out, Shape.of(out.shape()));
        return new Gradients(output, inputGrad, grads);
    }

    /**
     * The seed of a channel's mean activation: 1 / (H·W) at every position of the channel in the
     * step's output {@code a} (in the network's own layout), 0 elsewhere.
     */
    private INDArray channelSeed(LayerInfo layer, int step, INDArray a, int channel) {
        boolean last = a.rank() == 4 && types.get(net.steps().get(step).name()) instanceof InputType.InputTypeConvolutional c
                && c.getFormat() == CNN2DFormat.NHWC;
        if (a.rank() != 4 && a.rank() != 2) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, fileName() + ": layer '" + layer.name() + "' outputs "
                    + java.util.Arrays.toString(a.shape()) + "; a channel's mean activation needs an N×C×H×W or N×C output");
        }
        int axis = last ? 3 : 1;
        long channels = a.size(axis);
        if (channel >= channels) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, fileName() + ": channel " + channel + " is out of range; layer '"
                    + layer.name() + "' has " + channels + " channels (0 to " + (channels - 1) + ")");
        }
        long positions = a.rank() == 4 ? a.length() / (a.size(0) * channels) : 1;
        INDArray seed = Nd4j.zeros(a.dataType(), a.shape());
        INDArrayIndex[] at = new INDArrayIndex[a.rank()];
        java.util.Arrays.fill(at, NDArrayIndex.all());
        at[axis] = NDArrayIndex.point(channel);
        seed.get(at).assign(1.0 / positions);
        return seed;
    }

    /** The steps after the layer's (post-activation) step, fed its output: see {@link Passes#forwardFrom}. */
    @Override
    public Tensor runFrom(String layerName, Tensor layerOutput) {
        return runFrom(layerName, layerOutput, null, false);
    }

    /**
     * As {@link #runFrom(String, Tensor)}, with the steps a skip connection carries around the layer
     * computed from {@code input} ({@link Passes#forwardFrom}); where none does, the input is not used.
     */
    @Override
    public Tensor runFrom(String layerName, Tensor layerOutput, Tensor input) {
        return runFrom(layerName, layerOutput, input, true);
    }

    private Tensor runFrom(String layerName, Tensor layerOutput, Tensor x, boolean withInput) {
        checkOpen();
        LayerInfo l = layer(layerName);
        int step = postActivationStep(l);
        InputType t = types.get(net.steps().get(step).name());
        Shape want = t == null ? null : batchShape(t, false);
        Shape got = layerOutput.shape();
        boolean fits = want != null && want.rank() == got.rank() && got.rank() > 0 && got.dim(0) >= 1;
        for (int d = 1; fits && d < got.rank(); d++) {
            fits = want.dim(d) == Shape.UNKNOWN || want.dim(d) == got.dim(d);
        }
        if (!fits) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, fileName() + ": layer '" + l.name() + "' outputs "
                    + (want == null ? "an unknown shape" : want) + ", got " + got + "; give a batch of the layer's output as capture returns it");
        }
        if (withInput) {
            if (x.shape().rank() == 0 || (x.shape().dim(0) != 1 && x.shape().dim(0) != got.dim(0))) {
                throw new FilterScopeException(ErrorKind.INPUT_SHAPE, fileName() + ": the input must be a batch of 1 or " + got.dim(0)
                        + " (the layer output's), got " + x.shape() + "; give the input the layer's output was made from");
            }
            checkInput(x);
        }
        return onCaptureThread(() -> {
            try (MemoryWorkspace scope = passes.captureScope()) {
                INDArray value = Nd4j.create(layerOutput.toArray(), got.toArray(), 'c');
                // Images arrive N × C × H × W; a channels-last layer wants its own layout back.
                if (got.rank() == 4 && t instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC) {
                    value = value.permute(0, 2, 3, 1).dup('c');
                }
                value = value.castTo(net.dataType());
                INDArray in = withInput ? toInput(x) : null;
                Passes.Forward f;
                synchronized (net.raw()) {
                    try {
                        f = passes.forwardFrom(step, value, l.name(), in);
                    } finally {
                        passes.clear();
                    }
                }
                INDArray out = f.activation(net.outputStep());
                return Filters.toTensor(out, Shape.of(out.shape()));
            }
        });
    }

    /** Checks the input's shape against the model's. */
    private void checkInput(Tensor x) {
        checkOpen();
        Shape want = input.shape();
        if (!want.accepts(x.shape()) || x.shape().dim(0) < 1) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, fileName() + ": input must be " + input.describe() + " (" + describeLayout()
                    + "), got " + x.shape() + "; give an image or .npy of that shape");
        }
    }

    /** The input as the network's array, after checking its shape. */
    private INDArray toInput(Tensor x) {
        checkInput(x);
        INDArray floats = Nd4j.create(x.toArray(), x.shape().toArray(), 'c');
        INDArray in = floats.castTo(net.dataType());
        if (in != floats) {
            Arrays4Release.close(floats);
        }
        return in;
    }

    private String describeLayout() {
        return switch (input.layout()) {
            case NCHW -> "batch×channels×height×width";
            case NHWC -> "batch×height×width×channels";
            default -> "batch×features";
        };
    }

    /** An activation-shaped array as a tensor, images turned to N × C × H × W. */
    private Tensor toTensor(INDArray a, int step) {
        InputType t = types.get(net.steps().get(step).name());
        INDArray v = a;
        if (a.rank() == 4 && t instanceof InputType.InputTypeConvolutional c && c.getFormat() == CNN2DFormat.NHWC) {
            v = a.permute(0, 3, 1, 2);
        }
        return Filters.toTensor(v, Shape.of(v.shape()));
    }

    private String fileName() {
        Path f = metadata == null ? Path.of("model") : metadata.file();
        return f.getFileName() == null ? f.toString() : f.getFileName().toString();
    }

    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    /** The network, for tests. */
    Network network() {
        return net;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new FilterScopeException(ErrorKind.MODEL_CLOSED, fileName() + ": the model is closed; open it again");
        }
    }

    /** Frees the network's native memory when this backend loaded it; a wrapped network stays its owner's. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // The capture thread ends first: a pass still running uses the network, and its
            // workspaces are freed as it ends.
            captureThread.close();
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "Dl4jModel[" + metadata.file() + ", " + layers.size() + " layers]";
    }
}
