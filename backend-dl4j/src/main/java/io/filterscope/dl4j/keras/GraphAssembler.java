package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Builds a DL4J {@link ComputationGraph} from a Keras 3 model: one vertex per Keras layer, named as
 * the layer, with spatial layers in NHWC ({@link CNN2DFormat#NHWC}) so that tensors, Flatten order and
 * Dense weights are laid out as in Keras and need no permutation; only convolution kernels are
 * reordered into DL4J's parameter layouts. A Dense layer with softmax becomes the Dense vertex
 * (logits) followed by an activation vertex {@code <name>_softmax}.
 *
 * <p>Shapes are tracked here (per example, without the batch axis: {@code [h, w, c]} or {@code [n]})
 * because the legacy HDF5 form of a Sequential model records none, and Flatten needs them.
 */
final class GraphAssembler {
    /** Keras' {@code backend.epsilon()}, the floor of Normalization's standard deviation. */
    private static final double KERAS_EPSILON = 1e-7;

    /** Where the table of supported layers and activations is; refusals point there. */
    static final String TABLE = "docs/keras-layers.md";

    /**
     * One supported Keras layer (or operation on Keras tensors, {@code ops.*}): how it runs in DL4J,
     * what of it is supported, and the method that adds it. The docs table is generated from this.
     */
    record Support(String dl4j, String notes, BiConsumer<GraphAssembler, KerasLayer> add) {
    }

    /** Every supported Keras class, in table order. */
    static final Map<String, Support> LAYERS = registry();

    private static Map<String, Support> registry() {
        Map<String, Support> r = new LinkedHashMap<>();
        r.put("InputLayer", new Support("graph input", "fixed size; images (h, w, c) or vectors", GraphAssembler::input));
        r.put("Conv2D", new Support("ConvolutionLayer; DepthwiseConvolution2D when groups = input channels",
                "padding valid/same, strides, dilation, bias, activation; groups 1 or depthwise", GraphAssembler::conv));
        r.put("DepthwiseConv2D", new Support("DepthwiseConvolution2D", "depth_multiplier, padding, strides, dilation", GraphAssembler::depthwise));
        r.put("SeparableConv2D", new Support("SeparableConvolution2D", "depth_multiplier, padding, strides, dilation", GraphAssembler::separable));
        r.put("Conv2DTranspose", new Support("Deconvolution2D", "no output_padding or dilation", GraphAssembler::transpose));
        r.put("MaxPooling2D", new Support("SubsamplingLayer (max)", "padding valid/same", (a, l) -> a.pool(l, PoolingType.MAX)));
        r.put("AveragePooling2D", new Support("SubsamplingLayer (avg)", "padding valid/same; padding excluded from the mean",
                (a, l) -> a.pool(l, PoolingType.AVG)));
        r.put("GlobalAveragePooling2D", new Support("GlobalPoolingLayer; SpatialMeanVertex with keepdims", "keepdims",
                (a, l) -> a.globalPool(l, PoolingType.AVG)));
        r.put("GlobalMaxPooling2D", new Support("GlobalPoolingLayer (max)", "no keepdims", (a, l) -> a.globalPool(l, PoolingType.MAX)));
        r.put("BatchNormalization", new Support("BatchNormalization", "channel axis; center/scale off", GraphAssembler::batchNorm));
        r.put("LayerNormalization", new Support("LayerNormVertex", "last axis; center/scale off; no rms_scaling", GraphAssembler::layerNorm));
        r.put("Normalization", new Support("ChannelAffineVertex", "last axis; mean/variance from the config or the weights; no invert",
                GraphAssembler::normalization));
        r.put("Rescaling", new Support("ActivationLayer; ChannelAffineVertex for per-channel values", "scalar or per-channel scale/offset",
                GraphAssembler::rescaling));
        r.put("Dense", new Support("DenseLayer; 1×1 ConvolutionLayer on images", "on vectors and on images (the last axis)", GraphAssembler::dense));
        r.put("Flatten", new Support("ReshapeVertex", "", GraphAssembler::flatten));
        r.put("Reshape", new Support("ReshapeOpVertex", "to an image (h, w, c) or a vector; one -1 allowed", GraphAssembler::reshape));
        r.put("Permute", new Support("PermuteVertex", "on images", GraphAssembler::permute));
        r.put("Dropout", new Support("DropoutLayer (identity)", "identity at inference", GraphAssembler::dropout));
        r.put("StochasticDepth", new Support("ActivationLayer (identity)", "keras.applications ConvNeXt; identity at inference",
                GraphAssembler::identity));
        r.put("Activation", new Support("ActivationLayer", "any activation of the table below; softmax on vectors only", GraphAssembler::activation));
        r.put("ReLU", new Support("ActivationLayer", "max_value; no negative_slope or threshold", GraphAssembler::relu));
        r.put("Add", new Support("ElementWiseVertex (add)", "equal shapes", GraphAssembler::addVertex));
        r.put("Multiply", new Support("BroadcastMultiplyVertex", "two inputs that broadcast (squeeze-and-excitation), or equal shapes",
                GraphAssembler::multiply));
        r.put("Concatenate", new Support("MergeVertex", "channel axis", GraphAssembler::concatenate));
        r.put("ZeroPadding2D", new Support("ZeroPaddingLayer", "", GraphAssembler::zeroPadding));
        r.put("Cropping2D", new Support("Cropping2D", "", GraphAssembler::cropping));
        r.put("UpSampling2D", new Support("Upsampling2D", "interpolation nearest", GraphAssembler::upSampling));
        r.put("LayerScale", new Support("ChannelAffineVertex", "keras.applications ConvNeXt", GraphAssembler::layerScale));
        r.put("CustomScaleLayer", new Support("ScaledSumVertex", "keras.applications Inception-ResNet-v2: a + b · scale",
                GraphAssembler::customScale));
        r.put("ops.add", new Support("ElementWiseVertex (add); ShiftVertex with a number", "x + y (equal shapes), x + number",
                (a, l) -> a.arithmetic(l, ElementWiseVertex.Op.Add)));
        r.put("ops.subtract", new Support("ElementWiseVertex (subtract); ShiftVertex with a number", "x - y (equal shapes), x - number",
                (a, l) -> a.arithmetic(l, ElementWiseVertex.Op.Subtract)));
        r.put("ops.multiply", new Support("BroadcastMultiplyVertex; ScaleVertex with a number", "x * y (broadcasting), x * number",
                (a, l) -> a.arithmetic(l, ElementWiseVertex.Op.Product)));
        r.put("ops.true_divide", new Support("ScaleVertex", "x / number", (a, l) -> a.arithmetic(l, null)));
        r.put("ops.divide", new Support("ScaleVertex", "x / number", (a, l) -> a.arithmetic(l, null)));
        return java.util.Collections.unmodifiableMap(r);
    }

    private final Path file;
    private final KerasFile source;
    private final ComputationGraphConfiguration.GraphBuilder graph;
    /** Keras layer → its output shape per example. */
    private final Map<String, int[]> shapes = new HashMap<>();
    /** Keras layer → the vertex holding its output (differs from the name only for split softmax). */
    private final Map<String, String> outputVertex = new HashMap<>();
    private final Map<String, InputType> inputTypes = new LinkedHashMap<>();
    /** vertex → DL4J param key → value in DL4J's layout. */
    private final Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();

    private GraphAssembler(KerasFile source) {
        this.source = source;
        this.file = source.file();
        this.graph = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                // DL4J's default is sigmoid; a layer Keras gives no activation (pooling, padding,
                // BatchNormalization, whose forward pass ignores it anyway) must not carry one.
                .activation(Activation.IDENTITY)
                .updater(new NoOp())
                .weightInit(WeightInit.ZERO)
                .graphBuilder();
    }

    /** The network with the file's weights, initialised. */
    static ComputationGraph assemble(KerasFile source) {
        return new GraphAssembler(source).build(KerasModelSpec.parse(source.modelConfig(), source.file()));
    }

    private ComputationGraph build(KerasModelSpec spec) {
        for (KerasLayer layer : spec.layers()) {
            try {
                add(layer);
            } catch (IllegalArgumentException | IllegalStateException e) {
                // DL4J's builder refuses, e.g. a vertex name taken twice (a Keras layer named like a split softmax).
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' cannot be added to the "
                        + "Deeplearning4j graph (" + Messages.cause(e) + "); rename the layer in Keras and save again", e);
            }
        }
        for (String input : spec.inputs()) {
            if (!inputTypes.containsKey(input)) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": the model input '" + input + "' is not an InputLayer; save the model again with Keras 3");
            }
        }
        graph.addInputs(spec.inputs().toArray(String[]::new));
        graph.setInputTypes(spec.inputs().stream().map(inputTypes::get).toArray(InputType[]::new));
        graph.setOutputs(spec.outputs().stream().map(o -> vertexOf(o, null)).toArray(String[]::new));
        ComputationGraph network;
        try {
            ComputationGraphConfiguration conf = graph.build();
            // Before init allocates what the configuration declares.
            DeclaredParameters.check(String.valueOf(file), DeclaredParameters.of(conf), DeclaredParameters.held(params.values()));
            network = new ComputationGraph(conf);
            network.init();
        } catch (FilterScopeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Deeplearning4j cannot build the network (" + Messages.cause(e)
                    + "); report this with the file", e);
        }
        params.forEach((vertex, values) -> values.forEach((key, value) -> setParam(network, vertex, key, value)));
        // Every parameter must come from the file: one left at its initial value would be a silent error.
        for (org.deeplearning4j.nn.api.Layer l : network.getLayers()) {
            String vertex = l.conf().getLayer().getLayerName();
            for (String key : l.paramTable().keySet()) {
                if (!params.getOrDefault(vertex, Map.of()).containsKey(key)) {
                    throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer '" + vertex + "': DL4J parameter " + key
                            + " has no counterpart in the Keras weights; report this with the file");
                }
            }
        }
        return network;
    }

    private void setParam(ComputationGraph network, String vertex, String key, INDArray value) {
        INDArray param = network.getLayer(vertex).getParam(key);
        if (param == null) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer '" + vertex + "': DL4J has no parameter " + key + "; report this with the file");
        }
        // Vectors may differ in rank ([n] in Keras, [1, n] in DL4J); kernels must match exactly, so a
        // wrong layout cannot slip through as a same-sized reshape.
        boolean vector = value.rank() == 1;
        if (vector ? param.length() != value.length() : !Arrays.equals(param.shape(), value.shape())) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer '" + vertex + "': its weights (DL4J " + key + " "
                    + Arrays.toString(value.shape()) + ") do not fit its config (needs " + Arrays.toString(param.shape())
                    + "); the file's config and weights disagree, save the model again with Keras 3");
        }
        param.assign(vector ? value.reshape(param.shape()).castTo(param.dataType()) : value.castTo(param.dataType()));
    }

    private void add(KerasLayer layer) {
        if (layer.className().equals("Lambda")) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Keras layer Lambda '" + layer.name() + "' holds Python code, which FilterScope "
                    + "never runs; build the model from Keras' built-in layers instead (supported layers: " + TABLE + ")");
        }
        Support support = LAYERS.get(layer.className());
        if (support == null) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Keras layer " + layer.className() + " '" + layer.name()
                    + "' is not supported (supported layers: " + TABLE + ")");
        }
        support.add().accept(this, layer);
    }

    // ---- layers ----

    private void input(KerasLayer layer) {
        JsonNode shape = layer.config().has("batch_shape") ? layer.config().path("batch_shape") : layer.config().path("batch_input_shape");
        int[] dims = new int[Math.max(shape.size() - 1, 0)];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i + 1);
            if (!d.isInt() || d.asInt() <= 0) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": input '" + layer.name() + "' has shape " + shape
                        + "; FilterScope needs a fixed size: build the model with keras.Input(shape=(height, width, channels))");
            }
            dims[i] = d.asInt();
        }
        InputType type = switch (dims.length) {
            case 3 -> InputType.convolutional(dims[0], dims[1], dims[2], CNN2DFormat.NHWC);
            case 1 -> InputType.feedForward(dims[0]);
            default -> throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": input '" + layer.name() + "' has shape " + shape
                    + "; only images (batch, height, width, channels) and vectors (batch, n) are supported");
        };
        inputTypes.put(layer.name(), type);
        shapes.put(layer.name(), dims);
        outputVertex.put(layer.name(), layer.name());
    }

    private void conv(KerasLayer layer) {
        int[] in = spatialInput(layer);
        Conv c = Conv.of(layer, this);
        int groups = layer.config().path("groups").asInt(1);
        int filters = layer.config().path("filters").asInt();
        if (groups != 1) {
            if (groups != in[2] || filters % groups != 0) {
                throw unsupportedOption(layer, "groups=" + groups + " (only 1, or the input channels: a depthwise convolution)");
            }
            groupedAsDepthwise(layer, c, in, filters / groups);
            return;
        }
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.kernel)
                .stride(c.strides).dilation(c.dilation).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .nIn(in[2]).nOut(filters).hasBias(c.useBias);
        IActivation act = spatialActivation(layer);
        addLayer(layer, b.activation(act).build());
        Map<String, INDArray> w = source.weights(layer, c.useBias ? List.of("kernel", "bias") : List.of("kernel"));
        // Keras kernel [kH, kW, in, out] → DL4J W [out, in, kH, kW]
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("kernel").permute(3, 2, 0, 1).dup('c'));
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {c.out(in[0], 0), c.out(in[1], 1), filters});
    }

    private void depthwise(KerasLayer layer) {
        int[] in = spatialInput(layer);
        Conv c = Conv.of(layer, this);
        int multiplier = layer.config().path("depth_multiplier").asInt(1);
        DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder(c.kernel)
                .stride(c.strides).dilation(c.dilation).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .depthMultiplier(multiplier).nIn(in[2]).nOut((long) in[2] * multiplier).hasBias(c.useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        Map<String, INDArray> w = source.weights(layer, c.useBias ? List.of("kernel", "bias") : List.of("kernel"));
        // Keras depthwise kernel [kH, kW, in, multiplier] is DL4J's layout already
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("kernel"));
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {c.out(in[0], 0), c.out(in[1], 1), in[2] * multiplier});
    }

    private void separable(KerasLayer layer) {
        int[] in = spatialInput(layer);
        Conv c = Conv.of(layer, this);
        int multiplier = layer.config().path("depth_multiplier").asInt(1);
        int filters = layer.config().path("filters").asInt();
        if (in[2] == 1) {
            separableOnOneChannel(layer, c, in, multiplier, filters);
            return;
        }
        SeparableConvolution2D.Builder b = new SeparableConvolution2D.Builder(c.kernel)
                .stride(c.strides).dilation(c.dilation).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .depthMultiplier(multiplier).nIn(in[2]).nOut(filters).hasBias(c.useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        List<String> names = c.useBias ? List.of("depthwise_kernel", "pointwise_kernel", "bias") : List.of("depthwise_kernel", "pointwise_kernel");
        Map<String, INDArray> w = source.weights(layer, names);
        // Keras depthwise [kH, kW, in, m] → DL4J W [m, in, kH, kW]; pointwise [1, 1, in·m, out] → pW [out, in·m, 1, 1]
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("depthwise_kernel").permute(3, 2, 0, 1).dup('c'));
        p.put("pW", w.get("pointwise_kernel").permute(3, 2, 0, 1).dup('c'));
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {c.out(in[0], 0), c.out(in[1], 1), filters});
    }

    private void transpose(KerasLayer layer) {
        int[] in = spatialInput(layer);
        Conv c = Conv.of(layer, this);
        JsonNode outputPadding = layer.config().path("output_padding");
        if (!outputPadding.isMissingNode() && !outputPadding.isNull()) {
            throw unsupportedOption(layer, "output_padding=" + outputPadding);
        }
        if (c.dilation[0] != 1 || c.dilation[1] != 1) {
            throw unsupportedOption(layer, "dilation_rate=" + Arrays.toString(c.dilation));
        }
        int filters = layer.config().path("filters").asInt();
        int[] outHw = new int[2];
        for (int a = 0; a < 2; a++) {
            if (c.mode == ConvolutionMode.Same) {
                outHw[a] = in[a] * c.strides[a];
            } else if (c.kernel[a] >= c.strides[a]) {
                outHw[a] = (in[a] - 1) * c.strides[a] + c.kernel[a];
            } else {
                // Keras pads to in·stride here; DL4J stops at (in-1)·stride + kernel.
                throw unsupportedOption(layer, "padding='valid' with kernel_size smaller than strides");
            }
        }
        Deconvolution2D.Builder b = new Deconvolution2D.Builder(c.kernel[0], c.kernel[1])
                .stride(c.strides).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .nIn(in[2]).nOut(filters).hasBias(c.useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        Map<String, INDArray> w = source.weights(layer, c.useBias ? List.of("kernel", "bias") : List.of("kernel"));
        // Keras transpose kernel [kH, kW, out, in] → DL4J W [in, out, kH, kW]
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("kernel").permute(3, 2, 0, 1).dup('c'));
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {outHw[0], outHw[1], filters});
    }

    private void pool(KerasLayer layer, PoolingType type) {
        int[] in = spatialInput(layer);
        requireChannelsLast(layer);
        int[] size = pair(layer, "pool_size");
        int[] strides = layer.config().path("strides").isNull() || layer.config().path("strides").isMissingNode() ? size : pair(layer, "strides");
        ConvolutionMode mode = padding(layer);
        SubsamplingLayer.Builder b = new SubsamplingLayer.Builder(type)
                .kernelSize(size).stride(strides).convolutionMode(mode).dataFormat(CNN2DFormat.NHWC)
                // Keras averages over the window's real pixels only (TensorFlow semantics).
                .avgPoolIncludePadInDivisor(false);
        addLayer(layer, b.build());
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            out[a] = outSize(layer, in[a], size[a], strides[a], 1, mode);
        }
        shapes.put(layer.name(), new int[] {out[0], out[1], in[2]});
    }

    private void globalPool(KerasLayer layer, PoolingType type) {
        int[] in = spatialInput(layer);
        requireChannelsLast(layer);
        if (layer.config().path("keepdims").asBoolean(false)) {
            if (type != PoolingType.AVG) {
                throw unsupportedOption(layer, "keepdims=True");
            }
            opVertex(layer, new SpatialMeanVertex(in[2]), new int[] {1, 1, in[2]});
            return;
        }
        addLayer(layer, new GlobalPoolingLayer.Builder(type).poolingDimensions(1, 2).collapseDimensions(true).build());
        shapes.put(layer.name(), new int[] {in[2]});
    }

    private void batchNorm(KerasLayer layer) {
        int[] in = singleInput(layer);
        JsonNode axis = layer.config().path("axis");
        int ax = axis.isArray() && axis.size() == 1 ? axis.get(0).asInt() : axis.asInt(-1);
        if (ax != -1 && ax != in.length) {
            throw unsupportedOption(layer, "axis=" + axis + " (only the channel axis, -1)");
        }
        boolean center = layer.config().path("center").asBoolean(true);
        boolean scale = layer.config().path("scale").asBoolean(true);
        int channels = in[in.length - 1];
        BatchNormalization.Builder b = new BatchNormalization.Builder()
                .eps(layer.config().path("epsilon").asDouble(1e-3))
                .useLogStd(false)
                .nIn(channels).nOut(channels);
        if (in.length == 3) {
            b.dataFormat(CNN2DFormat.NHWC);
        }
        addLayer(layer, b.build());
        List<String> names = new ArrayList<>();
        if (scale) {
            names.add("gamma");
        }
        if (center) {
            names.add("beta");
        }
        names.add("moving_mean");
        names.add("moving_variance");
        Map<String, INDArray> w = source.weights(layer, names);
        // Without scale/center Keras uses 1 and 0; DL4J always has the parameters, so they get those values.
        Map<String, INDArray> p = new HashMap<>();
        p.put("gamma", scale ? w.get("gamma") : Nd4j.ones(DataType.FLOAT, channels));
        p.put("beta", center ? w.get("beta") : Nd4j.zeros(DataType.FLOAT, channels));
        p.put("mean", w.get("moving_mean"));
        p.put("var", w.get("moving_variance"));
        params.put(layer.name(), p);
        shapes.put(layer.name(), in);
    }

    private void dense(KerasLayer layer) {
        int[] in = singleInput(layer);
        if (in.length == 3) {
            denseOnImage(layer, in);
            return;
        }
        if (in.length != 1) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Dense layer '" + layer.name() + "' is applied to a " + in.length
                    + "-D tensor " + Arrays.toString(in) + "; Dense is supported on vectors and images");
        }
        int units = layer.config().path("units").asInt();
        boolean useBias = layer.config().path("use_bias").asBoolean(true);
        String actName = KerasActivations.name(layer.config().path("activation"));
        IActivation act = activationOf(layer, actName);
        boolean splitSoftmax = actName.equals("softmax");
        DenseLayer.Builder b = new DenseLayer.Builder().nIn(in[0]).nOut(units).hasBias(useBias)
                .activation(splitSoftmax ? Activation.IDENTITY.getActivationFunction() : act);
        addLayer(layer, b.build());
        if (splitSoftmax) {
            // Keep the logits visible: Dense vertex (no activation) → <name>_softmax.
            String softmax = layer.name() + Keras3Reader.SOFTMAX_SUFFIX;
            graph.addLayer(softmax, activationLayer(Activation.SOFTMAX), layer.name());
            outputVertex.put(layer.name(), softmax);
        }
        Map<String, INDArray> w = source.weights(layer, useBias ? List.of("kernel", "bias") : List.of("kernel"));
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("kernel"));
        if (useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {units});
    }

    private void flatten(KerasLayer layer) {
        int[] in = singleInput(layer);
        if (in.length == 3) {
            // NHWC flattened in C order is (h, w, c) order, as Keras flattens channels-last tensors. A
            // ReshapeVertex rather than a PreprocessorVertex: the latter asks the graph for its batch
            // size, so it fails when a backend runs the vertices one at a time.
            int size = in[0] * in[1] * in[2];
            graph.addVertex(layer.name(), new ReshapeVertex('c', new int[] {-1, size}, null), inputVertices(layer));
            shapes.put(layer.name(), new int[] {size});
        } else {
            addLayer(layer, activationLayer(Activation.IDENTITY));
            shapes.put(layer.name(), in);
        }
        outputVertex.put(layer.name(), layer.name());
    }

    private void dropout(KerasLayer layer) {
        int[] in = singleInput(layer);
        // Without a dropout function: Keras' Dropout is the identity at inference, and DL4J's backprop
        // through a configured dropout fails at inference (it looks for the training mask).
        DropoutLayer dropout = new DropoutLayer.Builder().build();
        dropout.setIDropout(null);
        addLayer(layer, dropout);
        shapes.put(layer.name(), in);
    }

    private void activation(KerasLayer layer) {
        int[] in = singleInput(layer);
        String name = KerasActivations.name(layer.config().path("activation"));
        IActivation act = in.length == 1 ? activationOf(layer, name) : spatialActivation(layer);
        addLayer(layer, activationLayer(act));
        shapes.put(layer.name(), in);
    }

    private void relu(KerasLayer layer) {
        int[] in = singleInput(layer);
        JsonNode max = layer.config().path("max_value");
        double slope = layer.config().path("negative_slope").asDouble(0);
        double threshold = layer.config().path("threshold").asDouble(0);
        if (slope != 0 || threshold != 0) {
            throw unsupportedOption(layer, "negative_slope=" + slope + ", threshold=" + threshold);
        }
        IActivation act;
        if (max.isMissingNode() || max.isNull()) {
            act = Activation.RELU.getActivationFunction();
        } else if (max.asDouble() == 6.0) {
            act = Activation.RELU6.getActivationFunction();
        } else {
            act = new ActivationReLU(max.asDouble(), 0.0, 0.0);
        }
        addLayer(layer, activationLayer(act));
        shapes.put(layer.name(), in);
    }

    private void addVertex(KerasLayer layer) {
        List<int[]> ins = inputs(layer);
        for (int[] s : ins) {
            if (!Arrays.equals(s, ins.get(0))) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": Add layer '" + layer.name() + "' adds tensors of different shapes "
                        + Arrays.toString(ins.get(0)) + " and " + Arrays.toString(s) + "; broadcasting adds are not supported");
            }
        }
        graph.addVertex(layer.name(), new ElementWiseVertex(ElementWiseVertex.Op.Add), inputVertices(layer));
        outputVertex.put(layer.name(), layer.name());
        shapes.put(layer.name(), ins.get(0));
    }

    private void concatenate(KerasLayer layer) {
        List<int[]> ins = inputs(layer);
        int rank = ins.get(0).length;
        int axis = layer.config().path("axis").asInt(-1);
        if (axis != -1 && axis != rank) {
            throw unsupportedOption(layer, "axis=" + axis + " (only the channel axis, -1)");
        }
        int total = 0;
        for (int[] s : ins) {
            if (s.length != rank || !Arrays.equals(Arrays.copyOf(s, rank - 1), Arrays.copyOf(ins.get(0), rank - 1))) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": Concatenate layer '" + layer.name() + "' joins shapes "
                        + Arrays.toString(ins.get(0)) + " and " + Arrays.toString(s) + " that differ off the channel axis; save a model whose inputs match");
            }
            total += s[rank - 1];
        }
        MergeVertex merge = new MergeVertex();
        // Channels are the last axis of the batch tensor: 3 for NHWC images, 1 for vectors.
        merge.setMergeAxis(rank);
        graph.addVertex(layer.name(), merge, inputVertices(layer));
        outputVertex.put(layer.name(), layer.name());
        int[] out = ins.get(0).clone();
        out[rank - 1] = total;
        shapes.put(layer.name(), out);
    }

    private void zeroPadding(KerasLayer layer) {
        int[] in = spatialInput(layer);
        requireChannelsLast(layer);
        JsonNode pad = layer.config().path("padding");
        int top;
        int bottom;
        int left;
        int right;
        if (pad.isInt()) {
            top = bottom = left = right = pad.asInt();
        } else if (pad.size() == 2 && pad.get(0).isInt()) {
            top = bottom = pad.get(0).asInt();
            left = right = pad.get(1).asInt();
        } else if (pad.size() == 2 && pad.get(0).size() == 2 && pad.get(1).size() == 2) {
            top = pad.get(0).get(0).asInt();
            bottom = pad.get(0).get(1).asInt();
            left = pad.get(1).get(0).asInt();
            right = pad.get(1).get(1).asInt();
        } else {
            throw unsupportedOption(layer, "padding=" + pad);
        }
        addLayer(layer, new ZeroPaddingLayer.Builder(top, bottom, left, right).dataFormat(CNN2DFormat.NHWC).build());
        shapes.put(layer.name(), new int[] {in[0] + top + bottom, in[1] + left + right, in[2]});
    }

    private void rescaling(KerasLayer layer) {
        int[] in = singleInput(layer);
        JsonNode scale = layer.config().path("scale");
        JsonNode offset = layer.config().path("offset");
        if (!scale.isNumber() || !(offset.isNumber() || offset.isMissingNode())) {
            // Per-channel values (EfficientNet's ImageNet variant divides by the channel deviations).
            int channels = in[in.length - 1];
            double[] s = fromJson(layer, scale, channels);
            double[] o = offset.isMissingNode() ? filled(channels, 0) : fromJson(layer, offset, channels);
            opVertex(layer, new ChannelAffineVertex(in, s, o), in);
            return;
        }
        addLayer(layer, activationLayer(new ScaleOffsetActivation(scale.asDouble(), offset.asDouble(0))));
        shapes.put(layer.name(), in);
    }

    /**
     * DL4J 1.0.0-M2.1's SeparableConvolution2D computes wrong values (or fails) on a one-channel NHWC
     * input. With one input channel a separable convolution is an ordinary one whose kernel is
     * {@code Σⱼ depthwise[kH, kW, 0, j] · pointwise[0, 0, j, out]}, so it runs as that.
     */
    private void separableOnOneChannel(KerasLayer layer, Conv c, int[] in, int multiplier, int filters) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.kernel)
                .stride(c.strides).dilation(c.dilation).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .nIn(1).nOut(filters).hasBias(c.useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        List<String> names = c.useBias ? List.of("depthwise_kernel", "pointwise_kernel", "bias") : List.of("depthwise_kernel", "pointwise_kernel");
        Map<String, INDArray> w = source.weights(layer, names);
        // [kH·kW, m] × [m, out] → [kH, kW, out] → DL4J W [out, 1, kH, kW]
        INDArray dw = w.get("depthwise_kernel").dup('c').reshape('c', (long) c.kernel[0] * c.kernel[1], multiplier);
        INDArray pw = w.get("pointwise_kernel").dup('c').reshape('c', multiplier, filters);
        INDArray kernel = dw.mmul(pw).reshape('c', c.kernel[0], c.kernel[1], filters).permute(2, 0, 1).dup('c')
                .reshape('c', filters, 1, c.kernel[0], c.kernel[1]);
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", kernel);
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {c.out(in[0], 0), c.out(in[1], 1), filters});
    }

    /**
     * Conv2D with groups = input channels is a depthwise convolution: Keras' kernel
     * {@code [kH, kW, 1, in·m]} (output o in group o / m) is DL4J's {@code [kH, kW, in, m]} in C order.
     */
    private void groupedAsDepthwise(KerasLayer layer, Conv c, int[] in, int multiplier) {
        DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder(c.kernel)
                .stride(c.strides).dilation(c.dilation).convolutionMode(c.mode).dataFormat(CNN2DFormat.NHWC)
                .depthMultiplier(multiplier).nIn(in[2]).nOut((long) in[2] * multiplier).hasBias(c.useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        Map<String, INDArray> w = source.weights(layer, c.useBias ? List.of("kernel", "bias") : List.of("kernel"));
        Map<String, INDArray> p = new HashMap<>();
        p.put("W", w.get("kernel").dup('c').reshape('c', c.kernel[0], c.kernel[1], in[2], multiplier));
        if (c.useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {c.out(in[0], 0), c.out(in[1], 1), in[2] * multiplier});
    }

    /** Dense on an image acts on the last axis at every pixel: a 1×1 convolution with the same kernel. */
    private void denseOnImage(KerasLayer layer, int[] in) {
        int units = layer.config().path("units").asInt();
        boolean useBias = layer.config().path("use_bias").asBoolean(true);
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(1, 1).stride(1, 1).convolutionMode(ConvolutionMode.Truncate)
                .dataFormat(CNN2DFormat.NHWC).nIn(in[2]).nOut(units).hasBias(useBias);
        addLayer(layer, b.activation(spatialActivation(layer)).build());
        Map<String, INDArray> w = source.weights(layer, useBias ? List.of("kernel", "bias") : List.of("kernel"));
        Map<String, INDArray> p = new HashMap<>();
        // Keras kernel [in, units] → DL4J W [units, in, 1, 1]
        p.put("W", w.get("kernel").transpose().dup('c').reshape('c', units, in[2], 1, 1));
        if (useBias) {
            p.put("b", w.get("bias"));
        }
        params.put(layer.name(), p);
        shapes.put(layer.name(), new int[] {in[0], in[1], units});
    }

    private void identity(KerasLayer layer) {
        int[] in = singleInput(layer);
        addLayer(layer, activationLayer(Activation.IDENTITY));
        shapes.put(layer.name(), in);
    }

    private void opVertex(KerasLayer layer, KerasOpVertex op, int[] out) {
        graph.addVertex(layer.name(), op, inputVertices(layer));
        outputVertex.put(layer.name(), layer.name());
        shapes.put(layer.name(), out);
    }

    /** The last axis, as Keras' {@code axis} writes it for a tensor of per-example rank {@code rank}: -1, rank, or [that]. */
    private void requireLastAxis(KerasLayer layer, int rank) {
        JsonNode axis = layer.config().path("axis");
        JsonNode a = axis.isArray() && axis.size() == 1 ? axis.get(0) : axis;
        if (!(a.isMissingNode() || (a.isInt() && (a.asInt() == -1 || a.asInt() == rank)))) {
            throw unsupportedOption(layer, "axis=" + axis + " (only the last axis, -1)");
        }
    }

    private void layerNorm(KerasLayer layer) {
        int[] in = singleInput(layer);
        requireLastAxis(layer, in.length);
        if (layer.config().path("rms_scaling").asBoolean(false)) {
            throw unsupportedOption(layer, "rms_scaling=True");
        }
        boolean center = layer.config().path("center").asBoolean(true);
        boolean scale = layer.config().path("scale").asBoolean(true);
        List<String> names = new ArrayList<>();
        if (scale) {
            names.add("gamma");
        }
        if (center) {
            names.add("beta");
        }
        int channels = in[in.length - 1];
        Map<String, INDArray> w = names.isEmpty() ? Map.of() : source.weights(layer, names);
        double[] gamma = scale ? vector(layer, w.get("gamma"), channels) : filled(channels, 1);
        double[] beta = center ? vector(layer, w.get("beta"), channels) : filled(channels, 0);
        opVertex(layer, new LayerNormVertex(in, gamma, beta, layer.config().path("epsilon").asDouble(1e-3)), in);
    }

    /** Keras: {@code (x − mean) / max(√variance, 1e-7)}, per channel. */
    private void normalization(KerasLayer layer) {
        int[] in = singleInput(layer);
        requireLastAxis(layer, in.length);
        if (layer.config().path("invert").asBoolean(false)) {
            throw unsupportedOption(layer, "invert=True");
        }
        int channels = in[in.length - 1];
        JsonNode mean = layer.config().path("mean");
        JsonNode variance = layer.config().path("variance");
        double[] m;
        double[] v;
        if (!mean.isMissingNode() && !mean.isNull() && !variance.isMissingNode() && !variance.isNull()) {
            m = fromJson(layer, mean, channels);
            v = fromJson(layer, variance, channels);
        } else {
            Map<String, INDArray> w = source.weights(layer, List.of("mean", "variance"), 1);
            m = vector(layer, w.get("mean"), channels);
            v = vector(layer, w.get("variance"), channels);
        }
        double[] scale = new double[channels];
        double[] offset = new double[channels];
        for (int i = 0; i < channels; i++) {
            double std = Math.max(Math.sqrt(v[i]), KERAS_EPSILON);
            scale[i] = 1.0 / std;
            offset[i] = -m[i] / std;
        }
        opVertex(layer, new ChannelAffineVertex(in, scale, offset), in);
    }

    private void layerScale(KerasLayer layer) {
        int[] in = singleInput(layer);
        int channels = in[in.length - 1];
        double[] gamma = vector(layer, source.weights(layer, List.of("gamma")).get("gamma"), channels);
        opVertex(layer, new ChannelAffineVertex(in, gamma, filled(channels, 0)), in);
    }

    private void customScale(KerasLayer layer) {
        List<int[]> ins = inputs(layer);
        if (ins.size() != 2 || !Arrays.equals(ins.get(0), ins.get(1))) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": CustomScaleLayer '" + layer.name() + "' needs two inputs of one shape; save the model again with Keras 3");
        }
        opVertex(layer, new ScaledSumVertex(ins.get(0), layer.config().path("scale").asDouble(1)), ins.get(0));
    }

    private void multiply(KerasLayer layer) {
        List<int[]> ins = inputs(layer);
        if (ins.size() == 2) {
            opVertex(layer, new BroadcastMultiplyVertex(broadcast(layer, ins.get(0), ins.get(1))), broadcast(layer, ins.get(0), ins.get(1)));
            return;
        }
        for (int[] s : ins) {
            if (!Arrays.equals(s, ins.get(0))) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Multiply layer '" + layer.name() + "' multiplies " + ins.size()
                        + " tensors of different shapes; broadcasting is supported for two inputs");
            }
        }
        graph.addVertex(layer.name(), new ElementWiseVertex(ElementWiseVertex.Op.Product), inputVertices(layer));
        outputVertex.put(layer.name(), layer.name());
        shapes.put(layer.name(), ins.get(0));
    }

    private int[] broadcast(KerasLayer layer, int[] a, int[] b) {
        if (a.length != b.length) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' combines shapes "
                    + Arrays.toString(a) + " and " + Arrays.toString(b) + " of different rank; only equal ranks broadcast here");
        }
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i] && a[i] != 1 && b[i] != 1) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' combines shapes "
                        + Arrays.toString(a) + " and " + Arrays.toString(b) + ", which do not broadcast");
            }
            out[i] = Math.max(a[i], b[i]);
        }
        return out;
    }

    /** {@code x op y} between two tensors, or {@code x op number}; {@code op} null for division by a number. */
    private void arithmetic(KerasLayer layer, ElementWiseVertex.Op op) {
        List<int[]> ins = inputs(layer);
        List<Double> constants = layer.constants();
        boolean tensorFirst = layer.call().size() > 0 && !layer.call().get(0).isNumber();
        if (ins.size() == 1 && constants.size() == 1 && tensorFirst) {
            double c = constants.get(0);
            org.deeplearning4j.nn.conf.graph.GraphVertex v;
            if (op == ElementWiseVertex.Op.Add) {
                v = new ShiftVertex(c);
            } else if (op == ElementWiseVertex.Op.Subtract) {
                v = new ShiftVertex(-c);
            } else if (op == ElementWiseVertex.Op.Product) {
                v = new ScaleVertex(c);
            } else {
                v = new ScaleVertex(1.0 / c);
            }
            graph.addVertex(layer.name(), v, inputVertices(layer));
            outputVertex.put(layer.name(), layer.name());
            shapes.put(layer.name(), ins.get(0));
            return;
        }
        if (ins.size() == 2 && constants.isEmpty() && op != null) {
            if (op == ElementWiseVertex.Op.Product) {
                int[] out = broadcast(layer, ins.get(0), ins.get(1));
                opVertex(layer, new BroadcastMultiplyVertex(out), out);
                return;
            }
            if (Arrays.equals(ins.get(0), ins.get(1))) {
                graph.addVertex(layer.name(), new ElementWiseVertex(op), inputVertices(layer));
                outputVertex.put(layer.name(), layer.name());
                shapes.put(layer.name(), ins.get(0));
                return;
            }
        }
        throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": the operation " + layer.className() + " '" + layer.name() + "' on " + ins.size()
                + " tensors and the numbers " + constants + " is not supported (supported: " + TABLE + ")");
    }

    private void reshape(KerasLayer layer) {
        int[] in = singleInput(layer);
        JsonNode target = layer.config().path("target_shape");
        int size = Arrays.stream(in).reduce(1, (x, y) -> x * y);
        int[] out = new int[target.size()];
        int unknown = -1;
        int known = 1;
        for (int i = 0; i < out.length; i++) {
            out[i] = target.get(i).asInt();
            if (out[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (out[i] <= 0) {
                throw unsupportedOption(layer, "target_shape=" + target);
            } else {
                known *= out[i];
            }
        }
        if (unknown >= 0) {
            out[unknown] = known == 0 ? 0 : size / known;
        }
        if (Arrays.stream(out).reduce(1, (x, y) -> x * y) != size || (out.length != 3 && out.length != 1)) {
            throw unsupportedOption(layer, "target_shape=" + target + " for an input of shape " + Arrays.toString(in)
                    + " (only to an image (h, w, c) or a vector)");
        }
        opVertex(layer, new ReshapeOpVertex(out), out);
    }

    private void permute(KerasLayer layer) {
        int[] in = spatialInput(layer);
        JsonNode dims = layer.config().path("dims");
        int[] d = new int[dims.size()];
        int[] out = new int[d.length];
        boolean[] seen = new boolean[d.length + 1];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asInt();
            if (d[i] < 1 || d[i] > in.length || seen[d[i]]) {
                throw unsupportedOption(layer, "dims=" + dims);
            }
            seen[d[i]] = true;
            out[i] = in[d[i] - 1];
        }
        if (d.length != in.length) {
            throw unsupportedOption(layer, "dims=" + dims);
        }
        opVertex(layer, new PermuteVertex(out, d), out);
    }

    private void cropping(KerasLayer layer) {
        int[] in = spatialInput(layer);
        requireChannelsLast(layer);
        int[] tblr = fourSides(layer, layer.config().path("cropping"));
        int h = in[0] - tblr[0] - tblr[1];
        int w = in[1] - tblr[2] - tblr[3];
        if (h <= 0 || w <= 0) {
            throw unsupportedOption(layer, "cropping=" + layer.config().path("cropping") + " on a " + in[0] + "×" + in[1] + " input");
        }
        addLayer(layer, new Cropping2D.Builder(tblr).dataFormat(CNN2DFormat.NHWC).build());
        shapes.put(layer.name(), new int[] {h, w, in[2]});
    }

    private void upSampling(KerasLayer layer) {
        int[] in = spatialInput(layer);
        requireChannelsLast(layer);
        String interpolation = layer.config().path("interpolation").asText("nearest");
        if (!interpolation.equals("nearest")) {
            throw unsupportedOption(layer, "interpolation='" + interpolation + "' (only nearest)");
        }
        int[] size = pair(layer, "size");
        addLayer(layer, new Upsampling2D.Builder().size(size).dataFormat(CNN2DFormat.NHWC).build());
        shapes.put(layer.name(), new int[] {in[0] * size[0], in[1] * size[1], in[2]});
    }

    /** Keras' padding/cropping forms: n, (h, w) or ((top, bottom), (left, right)). */
    private int[] fourSides(KerasLayer layer, JsonNode v) {
        if (v.isInt()) {
            return new int[] {v.asInt(), v.asInt(), v.asInt(), v.asInt()};
        } else if (v.size() == 2 && v.get(0).isInt()) {
            return new int[] {v.get(0).asInt(), v.get(0).asInt(), v.get(1).asInt(), v.get(1).asInt()};
        } else if (v.size() == 2 && v.get(0).size() == 2 && v.get(1).size() == 2) {
            return new int[] {v.get(0).get(0).asInt(), v.get(0).get(1).asInt(), v.get(1).get(0).asInt(), v.get(1).get(1).asInt()};
        }
        throw unsupportedOption(layer, v.toString());
    }

    private double[] vector(KerasLayer layer, INDArray values, int channels) {
        if (values.length() == 1) {
            return filled(channels, values.getDouble(0));
        }
        if (values.length() != channels) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer " + layer.className() + " '" + layer.name() + "' has " + values.length()
                    + " values for " + channels + " channels; save the model again with Keras 3");
        }
        return values.castTo(DataType.DOUBLE).dup().data().asDouble();
    }

    private double[] fromJson(KerasLayer layer, JsonNode values, int channels) {
        if (values.isNumber()) {
            return filled(channels, values.asDouble());
        }
        if (values.size() != channels && values.size() != 1) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer " + layer.className() + " '" + layer.name() + "' has " + values.size()
                    + " values for " + channels + " channels; save the model again with Keras 3");
        }
        double[] out = new double[channels];
        for (int i = 0; i < channels; i++) {
            out[i] = values.get(values.size() == 1 ? 0 : i).asDouble();
        }
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        Arrays.fill(out, value);
        return out;
    }

    // ---- helpers ----

    private void addLayer(KerasLayer layer, Layer dl4jLayer) {
        graph.addLayer(layer.name(), dl4jLayer, inputVertices(layer));
        outputVertex.put(layer.name(), layer.name());
    }

    /**
     * An activation vertex that leaves its input alone (see {@link PreservingActivation}). Identity
     * writes nothing and stays DL4J's own; softmax stays an {@code ActivationSoftmax}.
     */
    private static ActivationLayer activationLayer(IActivation activation) {
        IActivation safe;
        if (activation instanceof ActivationIdentity) {
            safe = activation;
        } else if (activation instanceof ActivationSoftmax) {
            safe = new PreservingSoftmax();
        } else {
            safe = new PreservingActivation(activation);
        }
        return new ActivationLayer.Builder().activation(safe).build();
    }

    private static ActivationLayer activationLayer(Activation activation) {
        return activationLayer(activation.getActivationFunction());
    }

    private String[] inputVertices(KerasLayer layer) {
        return layer.inputs().stream().map(i -> vertexOf(i, layer)).toArray(String[]::new);
    }

    private String vertexOf(String kerasLayer, KerasLayer user) {
        String v = outputVertex.get(kerasLayer);
        if (v == null) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": " + (user == null ? "the model output" : "layer '" + user.name() + "'")
                    + " uses '" + kerasLayer + "', which is not defined before it; save the model again with Keras 3");
        }
        return v;
    }

    private List<int[]> inputs(KerasLayer layer) {
        if (layer.inputs().isEmpty()) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer " + layer.className() + " '" + layer.name() + "' has no input; save the model again with Keras 3");
        }
        List<int[]> out = new ArrayList<>();
        for (String i : layer.inputs()) {
            vertexOf(i, layer);
            out.add(shapes.get(i));
        }
        return out;
    }

    private int[] singleInput(KerasLayer layer) {
        List<int[]> ins = inputs(layer);
        if (ins.size() != 1) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' takes " + ins.size()
                    + " inputs; it is supported with one");
        }
        return ins.get(0);
    }

    private int[] spatialInput(KerasLayer layer) {
        int[] in = singleInput(layer);
        if (in.length != 3) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' gets a tensor of shape "
                    + Arrays.toString(in) + "; it is supported on images (height, width, channels)");
        }
        return in;
    }

    /** Softmax over an NHWC tensor would run over DL4J's axis 1 (height), so it is refused there. */
    private IActivation spatialActivation(KerasLayer layer) {
        String name = KerasActivations.name(layer.config().path("activation"));
        if (name.equals("softmax")) {
            throw unsupportedOption(layer, "activation='softmax' on an image tensor");
        }
        return activationOf(layer, name);
    }

    private IActivation activationOf(KerasLayer layer, String name) {
        return KerasActivations.of(name).orElseThrow(() -> new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '"
                + layer.name() + "' uses activation '" + name + "', which is not supported (supported: " + KerasActivations.SUPPORTED
                + "; see " + TABLE + ")"));
    }

    private void requireChannelsLast(KerasLayer layer) {
        String format = layer.config().path("data_format").asText("channels_last");
        if (!format.equals("channels_last")) {
            throw unsupportedOption(layer, "data_format='" + format + "' (only channels_last)");
        }
    }

    ConvolutionMode padding(KerasLayer layer) {
        String padding = layer.config().path("padding").asText("valid");
        return switch (padding) {
            case "same" -> ConvolutionMode.Same;
            case "valid" -> ConvolutionMode.Truncate;
            default -> throw unsupportedOption(layer, "padding='" + padding + "'");
        };
    }

    int[] pair(KerasLayer layer, String key) {
        JsonNode v = layer.config().path(key);
        if (v.isInt()) {
            return new int[] {v.asInt(), v.asInt()};
        }
        if (v.isArray() && v.size() == 2) {
            return new int[] {v.get(0).asInt(), v.get(1).asInt()};
        }
        if (v.isArray() && v.size() == 1) {
            return new int[] {v.get(0).asInt(), v.get(0).asInt()};
        }
        throw unsupportedOption(layer, key + "=" + v);
    }

    int outSize(KerasLayer layer, int in, int kernel, int stride, int dilation, ConvolutionMode mode) {
        int effective = dilation * (kernel - 1) + 1;
        int out = mode == ConvolutionMode.Same ? (in + stride - 1) / stride : (in - effective) / stride + 1;
        if (out <= 0 || (mode != ConvolutionMode.Same && in < effective)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + layer.className() + " '" + layer.name() + "' has a "
                    + effective + "-pixel window on a " + in + "-pixel input; the model's input is too small for it");
        }
        return out;
    }

    FilterScopeException unsupportedOption(KerasLayer layer, String option) {
        return new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": Keras layer " + layer.className() + " '" + layer.name() + "' uses " + option
                + ", which is not supported; save a model without it");
    }

    /** The geometry every convolution shares. */
    private record Conv(int[] kernel, int[] strides, int[] dilation, ConvolutionMode mode, boolean useBias,
                        KerasLayer layer, GraphAssembler owner) {
        static Conv of(KerasLayer layer, GraphAssembler owner) {
            owner.requireChannelsLast(layer);
            return new Conv(owner.pair(layer, "kernel_size"), owner.pair(layer, "strides"),
                    layer.config().has("dilation_rate") ? owner.pair(layer, "dilation_rate") : new int[] {1, 1},
                    owner.padding(layer), layer.config().path("use_bias").asBoolean(true), layer, owner);
        }

        int out(int in, int axis) {
            return owner.outSize(layer, in, kernel[axis], strides[axis], dilation[axis], mode);
        }
    }
}
