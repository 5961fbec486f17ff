package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.filterscope.model.Activations;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Gradients against PyTorch autograd: {@code src/test/python/make_gradient_fixtures.py} made the
 * weights, the input and the reference gradients; this test builds the same network in DL4J from
 * those weights. DL4J's batch norm ignores an activation function, so the ReLU after it is an
 * {@code ActivationLayer}; asking for "bn" post-activation gives the ReLU's output, as PyTorch's
 * reference does.
 */
class GradientTorchReferenceTest {
    private static final Path REF = Path.of("src/test/resources/torch-gradients");
    private static final int K = 3;
    @TempDir
    Path dir;

    @Test
    void logitAndSoftmaxGradientsMatchPyTorch() throws Exception {
        MultiLayerNetwork net = build();
        try (Model m = Dl4jModelTest.open(TestNets.save(net, dir.resolve("torch-twin.zip")), "1x8x8")) {
            Tensor x = npy("input");
            Activations a = m.capture(x, CaptureRequest.layers("conv1", "dw", "bn"));
            for (String layer : List.of("conv1", "dw", "bn")) {
                close(npy("act_" + layer), a.layer(layer).orElseThrow().values(), layer + " captured");
            }
            // Post-activation, conv2 is shown by the ReLU after its batch norm, once (batch norm
            // passes through, as in the ONNX backend); pre-activation, the ReLU layer shows its input.
            Activations all = m.capture(x, CaptureRequest.allSpatial());
            assertEquals(List.of("conv1", "pool", "dw", "conv2"), all.layers().stream().map(o -> o.layer().name()).toList());
            assertEquals("relu", all.layer("conv2").orElseThrow().tensor());
            close(npy("act_bn"), all.layer("conv2").orElseThrow().values(), "conv2 post-activation");
            Activations pre = m.capture(x, CaptureRequest.layers("bn", "relu").withMode(CaptureMode.PRE_ACTIVATION));
            close(npy("act_bn_pre"), pre.layer("bn").orElseThrow().values(), "bn pre-activation");
            close(npy("act_bn_pre"), pre.layer("relu").orElseThrow().values(), "relu pre-activation");
            close(npy("softmax"), a.output(), "softmax output");

            Gradients g = m.gradients(x, new GradientRequest(K, GradientRequest.Score.LOGIT, true, List.of("conv1", "dw", "bn")));
            close(npy("grad_input_logit"), g.input().orElseThrow(), "d logit / d input");
            for (String layer : List.of("conv1", "dw", "bn")) {
                close(npy("act_" + layer), g.layer(layer).orElseThrow().activation(), layer + " activation");
                close(npy("grad_" + layer + "_logit"), g.layer(layer).orElseThrow().gradient(), "d logit / d " + layer);
            }
            Gradients p = m.gradients(x, GradientRequest.ofInput(K).withScore(GradientRequest.Score.OUTPUT));
            close(npy("grad_input_softmax"), p.input().orElseThrow(), "d softmax / d input");
            assertEquals(List.of(), p.layers());
        }
    }

    @Test
    void aChannelsMeanActivationHasPyTorchsGradients() throws Exception {
        MultiLayerNetwork net = build();
        try (Model m = Dl4jModelTest.open(TestNets.save(net, dir.resolve("torch-twin.zip")), "1x8x8")) {
            Tensor x = npy("input");
            // "bn" post-activation is the ReLU after it, as capture shows it.
            for (String[] t : new String[][] {{"dw", "4", "conv1"}, {"bn", "2", "dw"}}) {
                int c = Integer.parseInt(t[1]);
                Gradients g = m.gradients(x, GradientRequest.ofChannel(t[0], c).andLayers(t[2]));
                String what = "mean of " + t[0] + "[" + c + "]";
                close(npy("act_" + t[0]), g.output(), what + ": the output is the layer's activation");
                close(npy("channel_" + t[0] + "_c" + c + "_grad_input"), g.input().orElseThrow(), "d " + what + " / d input");
                close(npy("channel_" + t[0] + "_c" + c + "_grad_" + t[2]), g.layer(t[2]).orElseThrow().gradient(), "d " + what + " / d " + t[2]);
            }
            io.filterscope.FilterScopeException e = org.junit.jupiter.api.Assertions.assertThrows(io.filterscope.FilterScopeException.class,
                    () -> m.gradients(x, GradientRequest.ofChannel("dw", 6)));
            assertEquals(io.filterscope.ErrorKind.INVALID_ARGUMENT, e.kind());
            assertEquals("torch-twin.zip: channel 6 is out of range; layer 'dw' has 6 channels (0 to 5)", e.getMessage());
        }
    }

    /** The fixture's network: PyTorch's OIHW conv weights are DL4J's; depthwise and dense are rearranged. */
    private static MultiLayerNetwork build() {
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).activation(Activation.IDENTITY).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(3).padding(1, 1).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool").kernelSize(2, 2).stride(2, 2).build())
                .layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(2).padding(1, 1).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(4).padding(1, 1).build())
                .layer(new BatchNormalization.Builder().name("bn").useLogStd(false).eps(1e-5).build())
                .layer(new ActivationLayer.Builder().name("relu").activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        set(net.getLayer("conv1"), "W", array("conv1_w"));
        set(net.getLayer("conv1"), "b", array("conv1_b"));
        // PyTorch depthwise: out channel c·2 + m, shape 6 × 1 × 3 × 3; DL4J: kH × kW × in × multiplier.
        set(net.getLayer("dw"), "W", array("dw_w").reshape(3, 2, 3, 3).permute(2, 3, 0, 1));
        set(net.getLayer("dw"), "b", array("dw_b"));
        set(net.getLayer("conv2"), "W", array("conv2_w"));
        set(net.getLayer("conv2"), "b", array("conv2_b"));
        for (String p : List.of("gamma", "beta", "mean", "var")) {
            set(net.getLayer("bn"), p, array("bn_" + p));
        }
        set(net.getLayer("out"), "W", array("fc_w").transpose());
        set(net.getLayer("out"), "b", array("fc_b"));
        return net;
    }

    private static void set(Layer layer, String param, INDArray value) {
        INDArray target = layer.getParam(param);
        target.assign(value.reshape(target.shape()));
    }

    private static INDArray array(String name) {
        Tensor t = npy(name);
        return Nd4j.create(t.toArray(), t.shape().toArray(), 'c').castTo(DataType.DOUBLE);
    }

    private static Tensor npy(String name) {
        return Npy.read(REF.resolve(name + ".npy"));
    }

    /** Within 1e-4 relative (and 1e-6 absolute for values near zero). */
    private static void close(Tensor expected, Tensor actual, String what) {
        Arrays4.assertClose(expected, actual, 1e-6, 1e-4, what);
    }
}
