package io.filterscope.onnx;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import java.util.Map;
import java.util.Optional;

/**
 * Diagnostics: the ONNX graph that {@link Model#gradients} runs for an ONNX model — the model's
 * own nodes with the backward pass appended ({@code docs/onnx-gradients.md}) — so that another
 * runtime can evaluate the same backward nodes, e.g. in float64 with ONNX's reference evaluator,
 * where ONNX Runtime computes in float32. Not needed to use gradients.
 */
public final class GradientGraphs {
    private GradientGraphs() {
    }

    /**
     * A gradient graph and how to feed and read it.
     *
     * @param model          the serialised ONNX model (forward and backward nodes, input shape fixed)
     * @param input          the name of the model input
     * @param seed           the name of the graph input that takes d score / d score tensor: for an
     *                       output unit k a one-hot batch × classes tensor, 1 at column k
     * @param seedShape      the seed's static shape
     * @param output         the output that holds the score tensor's source (the model's first output,
     *                       or the layer's tensor for a channel target)
     * @param inputGradient  the output holding d score / d input, when asked for and the score depends on it
     * @param layers         each requested layer's tensor (an output), by layer name
     * @param layerGradients each requested layer's gradient (an output), by layer name, where the score depends on it
     */
    public record Graph(byte[] model, String input, String seed, long[] seedShape, String output, Optional<String> inputGradient,
                        Map<String, String> layers, Map<String, String> layerGradients) {
        /** Defensive copies: the record is a value. */
        public Graph {
            model = model.clone();
            seedShape = seedShape.clone();
            layers = Map.copyOf(layers);
            layerGradients = Map.copyOf(layerGradients);
        }

        @Override
        public byte[] model() {
            return model.clone();
        }

        @Override
        public long[] seedShape() {
            return seedShape.clone();
        }
    }

    /**
     * The graph {@code model.gradients(x, request)} runs for an input {@code x} of {@code inputShape}.
     *
     * @throws FilterScopeException of kind {@link ErrorKind#UNSUPPORTED} when {@code model} is not an
     *         ONNX model or lacks gradients; the kinds {@link Model#gradients} throws for a bad request
     */
    public static Graph of(Model model, Shape inputShape, GradientRequest request) {
        if (!(model instanceof OnnxModel onnx)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, model.metadata().file().getFileName()
                    + ": only ONNX models have a gradient graph; open an .onnx file");
        }
        return onnx.gradientGraph(inputShape, request);
    }
}
