package io.filterscope.dl4j;

import static io.filterscope.dl4j.Arrays4.assertClose;
import static io.filterscope.dl4j.Arrays4.nchw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Networks saved by DL4J, opened through {@link FilterScope#open}, checked against DL4J itself. */
class Dl4jModelTest {
    @TempDir
    Path dir;

    private static final List<String> CHAIN = List.of("conv1", "bn", "pool", "dw", "sep", "deconv", "conv2", "gap", "dense", "out");

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void aChainListsEveryLayerWithKindOpAndShape(CNN2DFormat format) throws Exception {
        MultiLayerNetwork net = TestNets.chain(format, DataType.FLOAT, false);
        INDArray x = TestNets.input(2, format, DataType.FLOAT, 1);
        List<INDArray> ff = net.feedForward(x, false);
        try (Model m = open(TestNets.save(net, dir.resolve("chain.zip")))) {
            assertEquals(CHAIN, LayerInfo.names(m.layers()));
            assertEquals(List.of(LayerKind.CONV, LayerKind.NORMALIZATION, LayerKind.POOLING, LayerKind.GROUPED_CONV, LayerKind.CONV,
                    LayerKind.TRANSPOSED_CONV, LayerKind.CONV, LayerKind.POOLING, LayerKind.DENSE, LayerKind.DENSE),
                    m.layers().stream().map(LayerInfo::kind).toList());
            assertEquals(List.of("ConvolutionLayer", "BatchNormalization", "SubsamplingLayer", "DepthwiseConvolution2D",
                    "SeparableConvolution2D", "Deconvolution2D", "ConvolutionLayer", "GlobalPoolingLayer", "DenseLayer", "OutputLayer"),
                    m.layers().stream().map(LayerInfo::op).toList());
            for (LayerInfo l : m.layers()) {
                // The declared shape is what DL4J really produces, in N × C × H × W.
                Shape real = nchw(ff.get(l.index() + 1), format).shape();
                assertEquals(real.with(0, Shape.UNKNOWN), l.outputShape().orElseThrow(), l.name());
            }
            assertEquals(Shape.of(4, 2, 3, 3), m.layer("conv1").filterShape().orElseThrow());
            assertEquals(Shape.of(8, 1, 3, 3), m.layer("dw").filterShape().orElseThrow());
            assertEquals(Shape.of(5, 8, 2, 2), m.layer("sep").filterShape().orElseThrow());
            assertEquals(Shape.of(3, 5, 3, 3), m.layer("deconv").filterShape().orElseThrow());

            assertEquals("DL4J", m.metadata().format());
            assertEquals("deeplearning4j", m.metadata().producer());
            assertEquals(format == CNN2DFormat.NHWC ? Layout.NHWC : Layout.NCHW, m.metadata().inputLayout());
            assertEquals(Shape.of(x.shape()).with(0, Shape.UNKNOWN), m.metadata().input().shape());
            assertEquals(Shape.of(Shape.UNKNOWN, TestNets.CLASSES), m.metadata().outputs().get(0).shape());
            assertTrue(m.metadata().fileSize() > 0);
            assertEquals(java.util.EnumSet.allOf(Capability.class), m.capabilities());
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void capturedMapsAreDl4jsFeedForwardInNchw(CNN2DFormat format) throws Exception {
        MultiLayerNetwork net = TestNets.chain(format, DataType.FLOAT, false);
        INDArray x = TestNets.input(3, format, DataType.FLOAT, 2);
        List<INDArray> ff = net.feedForward(x, false);
        try (Model m = open(TestNets.save(net, dir.resolve("chain.zip")))) {
            Activations a = m.capture(Arrays4.tensor(x), CaptureRequest.allSpatial());
            assertEquals(List.of("conv1", "bn", "pool", "dw", "sep", "deconv", "conv2"),
                    a.layers().stream().map(o -> o.layer().name()).toList());
            for (LayerOutput o : a.layers()) {
                assertClose(nchw(ff.get(o.layer().index() + 1), format), o.values(), 1e-6, 1e-5, o.layer().name());
            }
            assertClose(Arrays4.tensor(ff.get(ff.size() - 1)), a.output(), 1e-6, 1e-5, "output");
            assertClose(Arrays4.tensor(net.output(x)), m.run(Arrays4.tensor(x)), 1e-6, 1e-5, "run");
            Activations named = m.capture(Arrays4.tensor(x), CaptureRequest.layers("dense", "pool"));
            assertEquals(List.of("dense", "pool"), named.layers().stream().map(o -> o.layer().name()).toList());
            assertClose(Arrays4.tensor(ff.get(9)), named.layer("dense").orElseThrow().values(), 1e-6, 1e-5, "dense");
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void aGraphIsCapturedAsDl4jComputesIt(CNN2DFormat format) throws Exception {
        ComputationGraph graph = TestNets.graph(format, DataType.FLOAT);
        INDArray x = TestNets.input(2, format, DataType.FLOAT, 3);
        Map<String, INDArray> ff = graph.feedForward(x, false);
        try (Model m = open(TestNets.save(graph, dir.resolve("graph.zip")))) {
            List<String> names = LayerInfo.names(m.layers());
            assertTrue(names.indexOf("a") < names.indexOf("b") && names.indexOf("b") < names.indexOf("sum")
                    && names.indexOf("sum") < names.indexOf("merge") && names.indexOf("dw") < names.indexOf("merge")
                    && names.indexOf("sep") < names.indexOf("out"), names.toString());
            assertEquals(List.of("a", "b", "sum", "bn", "pool", "act", "dw", "merge", "sep", "gmp", "out").stream().sorted().toList(),
                    names.stream().sorted().toList());
            assertEquals("ElementWiseVertex", m.layer("sum").op());
            assertEquals(LayerKind.OTHER, m.layer("merge").kind());
            Activations a = m.capture(Arrays4.tensor(x), CaptureRequest.allSpatial());
            assertEquals(7, a.layers().size());
            // Post-activation, the pooling layer is shown by the tanh after it (once).
            assertEquals("act", a.layer("pool").orElseThrow().tensor());
            assertTrue(a.layer("act").isEmpty());
            // b only feeds the residual sum: the sum shows it (the capture policy, as in the ONNX
            // backend); named, it is captured.
            assertTrue(a.layer("b").isEmpty());
            assertClose(nchw(ff.get("b"), format), m.capture(Arrays4.tensor(x), CaptureRequest.layers("b")).layer("b").orElseThrow().values(),
                    1e-6, 1e-5, "b named");
            for (LayerOutput o : a.layers()) {
                assertClose(nchw(ff.get(o.tensor()), format), o.values(), 1e-6, 1e-5, o.layer().name());
                assertEquals(o.values().shape().with(0, Shape.UNKNOWN), o.layer().outputShape().orElseThrow(), o.layer().name());
            }
            assertClose(Arrays4.tensor(graph.outputSingle(x)), a.output(), 1e-6, 1e-5, "output");
        }
    }

    /**
     * Filters in the documented order: recomputing each conv-like layer by a direct convolution from
     * its FilterBank gives DL4J's own output for that layer (pre-activation, then with the activation).
     */
    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void filterBanksRecomputeEachLayersOutput(CNN2DFormat format) throws Exception {
        MultiLayerNetwork net = TestNets.chain(format, DataType.FLOAT, false);
        INDArray x = TestNets.input(2, format, DataType.FLOAT, 4);
        List<INDArray> ff = net.feedForward(x, false);
        try (Model m = open(TestNets.save(net, dir.resolve("chain.zip")))) {
            Activations pre = m.capture(Arrays4.tensor(x), CaptureRequest.layers("conv1", "dw", "sep", "deconv", "conv2")
                    .withMode(CaptureMode.PRE_ACTIVATION));
            for (String name : List.of("conv1", "dw", "sep", "deconv", "conv2")) {
                LayerInfo l = m.layer(name);
                FilterBank fb = m.filters(name);
                Tensor in = nchw(ff.get(l.index()), format);
                Tensor out = nchw(ff.get(l.index() + 1), format);
                Tensor direct = DirectConv.apply(fb, in, out.shape().dim(2), out.shape().dim(3));
                assertClose(direct, pre.layer(name).orElseThrow().values(), 1e-4, 1e-4, name + " pre-activation");
                Tensor activated = switch (name) {
                    case "conv1" -> map(direct, v -> v > 0 ? v : (float) Math.expm1(v));
                    case "conv2" -> map(direct, v -> v > 0 ? v : 0.01f * v);
                    default -> direct;
                };
                assertClose(activated, out, 1e-4, 1e-4, name + " output");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void filterBanksHoldTheParamsInTheDocumentedOrder(CNN2DFormat format) throws Exception {
        MultiLayerNetwork net = TestNets.chain(format, DataType.FLOAT, false);
        try (Model m = open(TestNets.save(net, dir.resolve("chain.zip")))) {
            INDArray w = net.getLayer("conv1").getParam("W");
            FilterBank conv = m.filters("conv1");
            assertArrayEquals(w.dup('c').data().asFloat(), conv.weights().toArray());
            assertArrayEquals(net.getLayer("conv1").getParam("b").dup().data().asFloat(), conv.bias().orElseThrow().toArray());
            assertEquals(1, conv.groups());
            // The weights are named by the layer's own parameter key, as DL4J's param table has it.
            assertTrue(net.getLayer("conv1").paramTable().containsKey(conv.weightTensor()), conv.weightTensor());
            assertEquals("W", conv.weightTensor());

            INDArray dw = net.getLayer("dw").getParam("W"); // kH × kW × in × multiplier
            FilterBank depthwise = m.filters("dw");
            assertEquals(4, depthwise.groups());
            for (int c = 0; c < 4; c++) {
                for (int k = 0; k < 2; k++) {
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            assertEquals(dw.getFloat(i, j, c, k), depthwise.weights().get(c * 2 + k, 0, i, j));
                        }
                    }
                }
            }
            INDArray de = net.getLayer("deconv").getParam("W"); // in × out × kH × kW
            FilterBank deconv = m.filters("deconv");
            assertTrue(deconv.transposed());
            assertArrayEquals(new int[] {2, 2}, deconv.stride());
            for (int c = 0; c < 5; c++) {
                for (int o = 0; o < 3; o++) {
                    assertEquals(de.getFloat(c, o, 1, 2), deconv.weights().get(o, c, 1, 2));
                }
            }
            FilterBank conv2 = m.filters("conv2");
            assertArrayEquals(new int[] {2, 2}, conv2.dilation());
            assertArrayEquals(new int[] {1, 1, 1, 1}, conv2.padding());
            assertArrayEquals(new int[] {1, 1, 1, 1}, m.filters("dw").padding(), "Same mode, 3×3 at stride 1");
        }
    }

    /** A second output hangs off the first conv: its layers can be captured, and no gradient reaches them. */
    @org.junit.jupiter.api.Test
    void aGraphWithTwoOutputsUsesTheFirstAndStillShowsTheOther() throws Exception {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE).graphBuilder()
                .addInputs("in")
                .addLayer("c", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build(), "in")
                .addLayer("p", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build(), "c")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "p")
                .addLayer("auxconv", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(2, 2).nOut(2).build(), "c")
                .addLayer("auxpool", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build(), "auxconv")
                .addLayer("aux", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                        .lossFunction(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MSE).build(), "auxpool")
                .setOutputs("out", "aux")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(12, 12, 2))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray x = TestNets.input(2, CNN2DFormat.NCHW, DataType.DOUBLE, 9);
        Map<String, INDArray> ff = graph.feedForward(x, false);
        try (Model m = open(TestNets.save(graph, dir.resolve("two-outputs.zip")))) {
            assertEquals(Shape.of(Shape.UNKNOWN, 3), m.metadata().outputs().get(0).shape());
            Activations a = m.capture(Arrays4.tensor(x), CaptureRequest.layers("aux", "auxconv"));
            assertClose(Arrays4.tensor(ff.get("aux")), a.layer("aux").orElseThrow().values(), 1e-6, 1e-5, "aux");
            assertClose(Arrays4.tensor(ff.get("out")), a.output(), 1e-6, 1e-5, "first output");
            var g = m.gradients(Arrays4.tensor(x), io.filterscope.model.GradientRequest.ofLayers(0, "auxpool", "c"));
            Tensor aux = g.layer("auxpool").orElseThrow().gradient();
            assertTrue(java.util.Arrays.stream(box(aux.toArray())).allMatch(v -> v == 0), "no path from auxpool to the first output");
            assertClose(Arrays4.tensor(ff.get("auxpool")), g.layer("auxpool").orElseThrow().activation(), 1e-6, 1e-5, "auxpool");
            assertTrue(java.util.Arrays.stream(box(g.layer("c").orElseThrow().gradient().toArray())).anyMatch(v -> v != 0));
        }
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    @org.junit.jupiter.api.Test
    void unnamedLayersAreNamedByPosition() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(2).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(8, 8, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        try (Model m = Dl4jBackend.wrap(net, "unnamed")) {
            assertEquals(List.of("layer0", "layer1", "layer2"), LayerInfo.names(m.layers()));
            assertEquals(Shape.of(Shape.UNKNOWN, 1, 8, 8), m.metadata().input().shape(), "from the flat-input preprocessor");
        }
    }

    @org.junit.jupiter.api.Test
    void aFlatInputNetworkTakesImagesAndRecordsItsSize() throws Exception {
        MultiLayerNetwork net = TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, true);
        INDArray x = TestNets.input(2, CNN2DFormat.NCHW, DataType.FLOAT, 5);
        INDArray expected = net.output(x.reshape(2, TestNets.CHANNELS * TestNets.SIZE * TestNets.SIZE));
        try (Model m = FilterScope.open(TestNets.save(net, dir.resolve("flat.zip")))) {
            assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), m.metadata().input().shape());
            assertClose(Arrays4.tensor(expected), m.run(Arrays4.tensor(x)), 1e-6, 1e-5, "output");
        }
    }

    @org.junit.jupiter.api.Test
    void aWrappedNetworkShowsItsWeightsLive() {
        MultiLayerNetwork net = TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false);
        try (Model m = Dl4jBackend.wrap(net, "training", 2, 12, 12)) {
            Tensor before = m.filters("conv1").weights();
            INDArray features = TestNets.input(8, CNN2DFormat.NCHW, DataType.FLOAT, 3);
            INDArray labels = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 8, TestNets.CLASSES);
            labels.getColumn(1).assign(1);
            net.fit(features, labels);
            Tensor after = m.filters("conv1").weights();
            assertArrayEquals(net.getLayer("conv1").getParam("W").dup('c').data().asFloat(), after.toArray());
            assertFalse(java.util.Arrays.equals(before.toArray(), after.toArray()), "one training step moved the filters");
            assertEquals("training", m.metadata().file().toString());
            assertFalse(m.layers().isEmpty());
        }
        // The caller still owns the network: closing the model left it usable.
        assertEquals(TestNets.CLASSES, net.output(TestNets.input(1, CNN2DFormat.NCHW, DataType.FLOAT, 1)).size(1));
    }

    /** Opens through ServiceLoader discovery, giving the input size DL4J does not save. */
    static Model open(Path file) {
        return open(file, "2x12x12");
    }

    /** Opens through ServiceLoader discovery with the input size given as channels×height×width in the open options. */
    static Model open(Path file, String inputShape) {
        long[] dims = java.util.Arrays.stream(inputShape.split("x")).mapToLong(Long::parseLong).toArray();
        return FilterScope.open(file, io.filterscope.spi.OpenOptions.defaults().withInputShape(dims));
    }

    private static Tensor map(Tensor t, java.util.function.Function<Float, Float> f) {
        float[] a = t.toArray();
        for (int i = 0; i < a.length; i++) {
            a[i] = f.apply(a[i]);
        }
        return Tensor.wrap(t.shape(), a);
    }
}
