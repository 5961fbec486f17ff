package io.filterscope.dl4j;

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
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J network, opened from a file or wrapped in memory. Weights are read from the live network
 * on every call. One forward pass serves a capture; gradients take one forward and one backward
 * pass (see {@link Passes}). Calls are synchronised on the DL4J network, which keeps per-call state
 * in its layers.
 *
 * <p>Capture modes: DL4J layers apply their activation function inside the layer. Post-activation
 * (the default) is the layer's output, or the output of an {@code ActivationLayer} that directly
 * follows a layer without an activation of its own. Pre-activation recomputes the layer with an
 * identity activation in the same pass.
 */
final class Dl4jModel implements Model {
    private final Network net;
    private final ModelMetadata metadata;
    private final InputSpec input;
    private final List<LayerInfo> layers;
    /** The output type of each step, by name. */
    private final Map<String, InputType> types;
    /** The step whose output stands for each step post-activation. */
    private final int[] postActivationStep;
    private final Passes passes;
    private final Runnable onClose;
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
            throw new FilterScopeException(name + ": the network does not accept input " + input.describe() + " ("
                    + firstLine(e.getMessage()) + "); give the input shape with -D" + Dl4jBackend.INPUT_SHAPE_PROPERTY + "=CxHxW", e);
        }
        this.postActivationStep = Passes.postActivationSteps(net.steps());
        this.layers = buildLayers();
        this.passes = new Passes(net, name);
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
        return EnumSet.of(Capability.FILTERS, Capability.ACTIVATIONS, Capability.GRADIENTS);
    }

    @Override
    public FilterBank filters(String layer) {
        LayerInfo info = layer(layer);
        if (!info.kind().hasFilters()) {
            throw new FilterScopeException(fileName() + ": layer '" + layer + "' is a " + info.op()
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
        INDArray in = toInput(x);
        Map<LayerInfo, Integer> selected = select(request);
        CaptureBudget.check(metadata.file(), selected.keySet(), x.shape());
        Set<Integer> pre = new LinkedHashSet<>();
        if (request.mode() == CaptureMode.PRE_ACTIVATION) {
            pre.addAll(selected.values());
        }
        Passes.Forward f;
        synchronized (net.raw()) {
            f = passes.forward(in, pre, selected.values().stream().mapToInt(Integer::intValue).max().orElse(0));
            passes.clear();
        }
        try {
            List<LayerOutput> outs = new ArrayList<>();
            for (Map.Entry<LayerInfo, Integer> e : selected.entrySet()) {
                int step = e.getValue();
                INDArray a = request.mode() == CaptureMode.PRE_ACTIVATION ? f.preActivation(step) : f.activation(step);
                outs.add(new LayerOutput(e.getKey(), net.steps().get(step).name(), toTensor(a, step)));
            }
            return new Activations(outs, Filters.toTensor(f.activation(net.outputStep()), Shape.of(f.activation(net.outputStep()).shape())));
        } finally {
            // Everything is copied to the heap: free the pass's native arrays now, not at the next GC.
            f.release();
        }
    }

    /** The step captured for each selected layer: itself pre-activation, its activation's step post-activation. */
    private Map<LayerInfo, Integer> select(CaptureRequest request) {
        boolean post = request.mode() == CaptureMode.POST_ACTIVATION;
        Map<LayerInfo, Integer> out = new LinkedHashMap<>();
        switch (request.selection()) {
            case NONE -> { }
            case NAMED -> request.layers().stream().map(this::layer)
                    .forEach(l -> out.putIfAbsent(l, post ? postActivationStep[l.index()] : l.index()));
            case ALL_SPATIAL -> {
                Set<Integer> seen = new LinkedHashSet<>();
                for (LayerInfo l : layers) {
                    int step = post ? postActivationStep[l.index()] : l.index();
                    if (l.hasSpatialOutput() && seen.add(step)) {
                        out.put(l, step);
                    }
                }
            }
            default -> throw new IllegalStateException("unknown selection " + request.selection());
        }
        return out;
    }

    @Override
    public Gradients gradients(Tensor x, GradientRequest request) {
        INDArray in = toInput(x);
        List<LayerInfo> wanted = request.layers().stream().map(this::layer).toList();
        Passes.Backward b;
        synchronized (net.raw()) {
            try {
                b = passes.backward(in, request.outputIndex(), request.score(),
                        wanted.stream().mapToInt(l -> postActivationStep[l.index()]).max().orElse(0));
            } finally {
                passes.clear();
            }
        }
        List<LayerGradient> grads = new ArrayList<>();
        for (LayerInfo l : wanted) {
            int step = postActivationStep[l.index()];
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
        INDArray out = b.forward().activation(net.outputStep());
        return new Gradients(Filters.toTensor(out, Shape.of(out.shape())), inputGrad, grads);
    }

    /** The input as the network's array, after checking its shape. */
    private INDArray toInput(Tensor x) {
        checkOpen();
        Shape want = input.shape();
        if (!want.accepts(x.shape()) || x.shape().dim(0) < 1) {
            throw new FilterScopeException(fileName() + ": input must be " + input.describe() + " (" + describeLayout()
                    + "), got " + x.shape() + "; give an image or .npy of that shape");
        }
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
            throw new FilterScopeException(fileName() + ": the model is closed; open it again");
        }
    }

    /** Frees the network's native memory when this backend loaded it; a wrapped network stays its owner's. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "Dl4jModel[" + metadata.file() + ", " + layers.size() + " layers]";
    }
}
