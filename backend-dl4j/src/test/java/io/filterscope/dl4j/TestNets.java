package io.filterscope.dl4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Small real DL4J networks with every layer kind the backend maps, seeded, saved with
 * {@code ModelSerializer}. Input 2 × 12 × 12 (in the network's layout), 4 classes.
 */
final class TestNets {
    static final int CHANNELS = 2;
    static final int SIZE = 12;
    static final int CLASSES = 4;

    private TestNets() {
    }

    /**
     * conv(relu) → batchnorm → maxpool → depthwise(×2) → separable(×2 → 5) → deconv(stride 2, Same)
     * → conv(dilation 2, stride 2) → global avg pool → dense(tanh) → output(softmax).
     */
    static MultiLayerNetwork chain(CNN2DFormat format, DataType type, boolean flatInput) {
        var b = new NeuralNetConfiguration.Builder().seed(42).dataType(type).weightInit(WeightInit.XAVIER)
                .activation(Activation.IDENTITY).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.RELU).dataFormat(format).build())
                .layer(new BatchNormalization.Builder().name("bn").dataFormat(format).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool").kernelSize(2, 2).stride(2, 2).dataFormat(format).build())
                .layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(2).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format).build())
                .layer(new SeparableConvolution2D.Builder(2, 2).name("sep").depthMultiplier(2).nOut(5).dataFormat(format).build())
                .layer(new Deconvolution2D.Builder(3, 3).name("deconv").stride(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(4).stride(2, 2).dilation(2, 2).padding(1, 1)
                        .activation(Activation.LEAKYRELU).dataFormat(format).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("gap").build())
                .layer(new DenseLayer.Builder().name("dense").nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(flatInput ? InputType.convolutionalFlat(SIZE, SIZE, CHANNELS)
                        : InputType.convolutional(SIZE, SIZE, CHANNELS, format));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        randomizeBatchNorm(net.getLayer("bn"), 7);
        return net;
    }

    /**
     * A graph with a residual sum and a merge: conv a(relu) → conv b → add(a, b) → pool; the pooled
     * maps merged with a depthwise branch → separable → global max pool → output(softmax).
     */
    static ComputationGraph graph(CNN2DFormat format, DataType type) {
        var g = new NeuralNetConfiguration.Builder().seed(43).dataType(type).weightInit(WeightInit.XAVIER)
                .activation(Activation.IDENTITY).graphBuilder()
                .addInputs("image")
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(format).build(), "image")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .dataFormat(format).build(), "a")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(format).build(), "sum")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).dataFormat(format).build(), "bn")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(2, 2).stride(2, 2).depthMultiplier(1).dataFormat(format).build(), "image")
                .addVertex("merge", new MergeVertex(), "pool", "dw")
                .addLayer("sep", new SeparableConvolution2D.Builder(3, 3).nOut(4).activation(Activation.SIGMOID).dataFormat(format).build(), "merge")
                .addLayer("gmp", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "sep")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build(), "gmp")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, CHANNELS, format));
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        randomizeBatchNorm(graph.getLayer("bn"), 8);
        return graph;
    }

    /** Stored statistics and scale away from their defaults, so inference batch norm does something. */
    static void randomizeBatchNorm(Layer bn, long seed) {
        Random r = new Random(seed);
        for (String p : new String[] {"gamma", "beta", "mean", "var", "log10stdev"}) {
            INDArray a = bn.getParam(p);
            if (a == null) {
                continue;
            }
            for (long i = 0; i < a.length(); i++) {
                double v = switch (p) {
                    case "gamma" -> 0.5 + r.nextDouble();
                    case "var" -> 0.2 + r.nextDouble();
                    case "log10stdev" -> -0.3 + 0.4 * r.nextDouble();
                    default -> r.nextGaussian() * 0.3;
                };
                a.putScalar(i, v);
            }
        }
    }

    /** A seeded input batch, N × C × H × W or N × H × W × C. */
    static INDArray input(int n, CNN2DFormat format, DataType type, long seed) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = format == CNN2DFormat.NHWC ? new long[] {n, SIZE, SIZE, CHANNELS} : new long[] {n, CHANNELS, SIZE, SIZE};
        return Nd4j.rand(type, shape).subi(0.5).muli(2);
    }

    static Path save(NeuralNetwork net, Path file) throws IOException {
        ModelSerializer.writeModel((org.deeplearning4j.nn.api.Model) net, file.toFile(), false);
        return file;
    }
}
