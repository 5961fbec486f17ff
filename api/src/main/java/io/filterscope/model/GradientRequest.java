package io.filterscope.model;

import com.google.common.base.Preconditions;
import java.util.Arrays;
import java.util.List;

/**
 * What to differentiate, and with respect to what.
 *
 * <p>The differentiated score is {@code Σₙ output[n, outputIndex]} over the batch; because batch
 * items do not interact, each item's slice of a gradient is that item's own gradient.
 *
 * @param outputIndex which output unit (a class index) to differentiate
 * @param score       whether to take the unit before a final softmax ({@link Score#LOGIT}, what
 *                    Grad-CAM and saliency want) or the model's output as it is
 * @param withInput   whether to return the gradient with respect to the input
 * @param layers      layers whose outputs to differentiate against; each comes back with its
 *                    activation, in {@code N × C × H × W} order for spatial layers
 */
public record GradientRequest(int outputIndex, Score score, boolean withInput, List<String> layers) {

    /** Which value of the chosen output unit is differentiated. */
    public enum Score {
        /** The unit before a final softmax; the model's output when it ends without one. */
        LOGIT,
        /** The model's output unit as it is (a probability when the model ends in softmax). */
        OUTPUT
    }

    public GradientRequest {
        Preconditions.checkArgument(outputIndex >= 0, "output index must be >= 0, got %s", outputIndex);
        Preconditions.checkNotNull(score, "score");
        layers = List.copyOf(layers);
    }

    /** The logit of {@code outputIndex} with respect to the input. */
    public static GradientRequest ofInput(int outputIndex) {
        return new GradientRequest(outputIndex, Score.LOGIT, true, List.of());
    }

    /** The logit of {@code outputIndex} with respect to these layers' outputs (not the input). */
    public static GradientRequest ofLayers(int outputIndex, String... layers) {
        return new GradientRequest(outputIndex, Score.LOGIT, false, Arrays.asList(layers));
    }

    /** The same request for another score. */
    public GradientRequest withScore(Score newScore) {
        return new GradientRequest(outputIndex, newScore, withInput, layers);
    }

    /** The same request, also asking for the input gradient. */
    public GradientRequest andInput() {
        return new GradientRequest(outputIndex, score, true, layers);
    }
}
