package io.filterscope.samples.watch;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The bundled Fashion-MNIST CNN (three 3×3 conv layers of 16, 32 and 64 filters, each followed by
 * 2×2 max pooling, a 128-unit dense layer, dropout 0.3, ten classes) in DL4J, either as a
 * {@link MultiLayerNetwork} or as a {@link ComputationGraph}: the same layers and names as the
 * PyTorch and Keras versions, so their pictures can be compared.
 */
final class FashionCnn {
    private FashionCnn() {
    }

    private static final String[] NAMES = {"conv1", "pool1", "conv2", "pool2", "conv3", "pool3", "fc1", "logits"};

    private static Layer[] layers() {
        return new Layer[] {
            conv("conv1", 16), pool("pool1"), conv("conv2", 32), pool("pool2"), conv("conv3", 64), pool("pool3"),
            new DenseLayer.Builder().name("fc1").nOut(128).activation(Activation.RELU).build(),
            // DL4J's dropOut(p) keeps inputs with probability p and applies to the layer's input.
            new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("logits").nOut(FashionMnist.CLASSES)
                    .dropOut(0.7).activation(Activation.SOFTMAX).build(),
        };
    }

    private static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3)).weightInit(WeightInit.RELU);
    }

    static MultiLayerNetwork multiLayer(long seed) {
        var list = base(seed).list();
        for (Layer l : layers()) {
            list.layer(l);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(
                list.setInputType(InputType.convolutional(FashionMnist.SIDE, FashionMnist.SIDE, 1)).build());
        net.init();
        return net;
    }

    static ComputationGraph graph(long seed) {
        var g = base(seed).graphBuilder().addInputs("input");
        String previous = "input";
        Layer[] layers = layers();
        for (int i = 0; i < layers.length; i++) {
            g.addLayer(NAMES[i], layers[i], previous);
            previous = NAMES[i];
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs("logits")
                .setInputTypes(InputType.convolutional(FashionMnist.SIDE, FashionMnist.SIDE, 1)).build());
        net.init();
        return net;
    }

    private static ConvolutionLayer conv(String name, int filters) {
        return new ConvolutionLayer.Builder(3, 3).name(name).nOut(filters).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.RELU).build();
    }

    private static SubsamplingLayer pool(String name) {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name(name).kernelSize(2, 2).stride(2, 2).build();
    }
}
