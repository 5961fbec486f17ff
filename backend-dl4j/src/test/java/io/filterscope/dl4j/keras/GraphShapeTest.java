package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** What the other parts of the backend rely on: names, inputs/outputs, logits, serialisable config. */
class GraphShapeTest {
    static final KerasReference SEQ = KerasReference.of("seq_cnn");

    @Test
    void verticesAreKerasLayerNamesAndOutputIsTheSoftmaxVertex() {
        ComputationGraph net = Keras3Reader.read(SEQ.folder().resolve("model.keras"));
        assertEquals(List.of("image"), net.getConfiguration().getNetworkInputs());
        assertEquals(List.of("probs_softmax"), net.getConfiguration().getNetworkOutputs());
        Set<String> vertices = net.getConfiguration().getVertices().keySet();
        for (String layer : SEQ.layers()) {
            assertTrue(vertices.contains(layer), layer + " in " + vertices);
        }
        KerasReference.assertClose(SEQ.expected("probs"), net.output(SEQ.input())[0], "output()");
        // The backend finds the logits by asking whether the output vertex is a softmax ActivationLayer.
        var conf = ((org.deeplearning4j.nn.conf.graph.LayerVertex) net.getConfiguration().getVertices().get("probs_softmax"))
                .getLayerConf().getLayer();
        assertTrue(conf instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a
                && a.getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax, String.valueOf(conf));
    }

    @Test
    void inputsAndOutputsKeepKerasOrder() {
        KerasReference ref = KerasReference.of("two_inputs");
        ComputationGraph net = Keras3Reader.read(ref.folder().resolve("model.keras"));
        assertEquals(List.of("image", "extra"), net.getConfiguration().getNetworkInputs());
        assertEquals(List.of("head_a", "head_b"), net.getConfiguration().getNetworkOutputs());
        INDArray[] out = net.output(ref.inputs());
        KerasReference.assertClose(ref.expected("head_a"), out[0], "output 0");
        KerasReference.assertClose(ref.expected("head_b"), out[1], "output 1");
    }

    @Test
    void splitSoftmaxKeepsTheLogits() {
        ComputationGraph net = Keras3Reader.read(SEQ.folder().resolve("model.h5"));
        Map<String, INDArray> acts = net.feedForward(SEQ.input(), false);
        INDArray logits = acts.get("probs");
        INDArray probs = acts.get("probs_softmax");
        // The logits are not probabilities, and their softmax is Keras' output.
        assertTrue(Math.abs(logits.sumNumber().doubleValue() - 1.0) > 1e-3, "logits vertex holds " + logits);
        KerasReference.assertClose(SEQ.expected("probs"), Transforms.softmax(logits.dup()), "softmax(logits)");
        KerasReference.assertClose(SEQ.expected("probs"), probs, "probs_softmax");
    }

    @Test
    void configurationSurvivesJsonRoundTrip() {
        // DL4J clones and saves networks through this JSON, custom activations included.
        KerasReference ref = KerasReference.of("func_branches");
        ComputationGraph net = Keras3Reader.read(ref.folder().resolve("model.keras"));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        ComputationGraph copy = new ComputationGraph(back);
        copy.init(net.params().dup(), false);
        ref.assertMatches(copy);
        ComputationGraph seq = Keras3Reader.read(SEQ.folder().resolve("model.keras"));
        ComputationGraph seqCopy = new ComputationGraph(ComputationGraphConfiguration.fromJson(seq.getConfiguration().toJson()));
        seqCopy.init(seq.params().dup(), false);
        SEQ.assertMatches(seqCopy);
    }

    @Test
    void batchOfTwoGivesPerExampleResults() {
        ComputationGraph net = Keras3Reader.read(SEQ.folder().resolve("model.keras"));
        INDArray one = SEQ.input();
        INDArray two = Nd4j.concat(0, one, one.mul(0.5));
        INDArray out = net.output(two)[0];
        KerasReference.assertClose(SEQ.expected("probs"), out.getRow(0, true), "row 0 of a batch");
    }

    @Test
    void weightGroupsFallBackToKerasClassNames() {
        for (String model : List.of("seq_cnn", "func_branches", "activations")) {
            Path file = KerasReference.of(model).folder().resolve("model.keras");
            try (KerasFile keras = KerasFile.open(file)) {
                Map<String, String> recorded = keras.weightGroups();
                Map<String, String> computed = KerasFile.classBasedGroups(keras.modelConfig(), keras.layerGroups());
                assertTrue(recorded.size() >= 5, model + ": " + recorded);
                recorded.forEach((name, group) -> assertEquals(group, computed.get(name), model + "/" + name));
            }
        }
    }

    @Test
    void snakeCaseAsKeras() {
        // Values printed by keras.src.utils.naming.to_snake_case (Keras 3.15).
        Map.of("Conv2DTranspose", "conv2d_transpose", "MaxPooling2D", "max_pooling2d", "BatchNormalization", "batch_normalization",
                "DepthwiseConv2D", "depthwise_conv2d", "GlobalAveragePooling2D", "global_average_pooling2d", "ReLU", "re_lu",
                "InputLayer", "input_layer", "ZeroPadding2D", "zero_padding2d")
                .forEach((cls, snake) -> assertEquals(snake, KerasFile.snakeCase(cls), cls));
    }
}
