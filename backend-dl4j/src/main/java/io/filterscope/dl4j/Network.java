package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/** A {@code MultiLayerNetwork} or {@code ComputationGraph} seen as steps in execution order. */
interface Network {

    /** The DL4J network; calls into it are synchronised on this object. */
    NeuralNetwork raw();

    /** Every layer or vertex except the network input, in execution order. */
    List<Step> steps();

    /** The index of the step whose output is the network's (first) output. */
    int outputStep();

    /** The type the parameters and activations are held in. */
    DataType dataType();

    /** The output type of each step, by step name, for this network input. */
    Map<String, InputType> activationTypes(InputType input);

    /**
     * The preprocessor that turns a flat input into images before the first layer, when the
     * network was built with {@code InputType.convolutionalFlat}: it records the image size.
     */
    Optional<FeedForwardToCnnPreProcessor> flatImageInput();

    /** Allocates the gradient views layers write into during backprop, if not done yet. */
    void ensureGradientViews();

    /** Views {@code network} as steps. */
    static Network of(NeuralNetwork network, String name) {
        if (network instanceof MultiLayerNetwork mln) {
            return new MultiLayerSteps(mln);
        }
        if (network instanceof ComputationGraph graph) {
            return new GraphSteps(graph, name);
        }
        throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": " + (network == null ? "no network" : network.getClass().getSimpleName())
                + " is not supported; give a MultiLayerNetwork or a ComputationGraph");
    }
}
