package io.filterscope.model;

import com.google.common.base.Preconditions;
import java.util.Arrays;
import java.util.List;

/**
 * What to differentiate, and with respect to what.
 *
 * <p>The differentiated score is the target summed over the batch: {@code Σₙ output[n, k]} for an
 * {@link OutputUnit}, {@code Σₙ mean_{h,w} layer[n, c, h, w]} for a {@link ChannelMean}. Because
 * batch items do not interact, each item's slice of a gradient is that item's own gradient.
 *
 * @param target    the differentiated value
 * @param withInput whether to return the gradient with respect to the input
 * @param layers    layers whose outputs to differentiate against; each comes back with its
 *                  activation, in {@code N × C × H × W} order for spatial layers
 */
public record GradientRequest(Target target, boolean withInput, List<String> layers) {

    /** Which value of the chosen output unit is differentiated. */
    public enum Score {
        /** The unit before a final softmax; the model's output when it ends without one. */
        LOGIT,
        /** The model's output unit as it is (a probability when the model ends in softmax). */
        OUTPUT
    }

    /** The value whose gradient is taken, per batch item. */
    public sealed interface Target permits OutputUnit, ChannelMean {
    }

    /**
     * One unit of the model's output (a class).
     *
     * @param index which output unit (a class index)
     * @param score whether to take the unit before a final softmax ({@link Score#LOGIT}, what
     *              Grad-CAM and saliency want) or the model's output as it is
     */
    public record OutputUnit(int index, Score score) implements Target {
        public OutputUnit {
            Preconditions.checkArgument(index >= 0, "output index must be >= 0, got %s", index);
            Preconditions.checkNotNull(score, "score");
        }
    }

    /**
     * The mean activation of one channel of a layer: the mean over H × W of channel {@code channel}
     * of the layer's output as {@link Model#capture} shows it (after its activation, N × C × H × W);
     * for a layer with an N × C output, that unit itself. What feature visualisation maximises.
     * The model is run only as far as the layer: {@link Gradients#output()} is then the layer's
     * activation, N × C × H × W, not the model's output.
     *
     * @param layer   a layer name as {@link Model#layers()} lists it
     * @param channel the channel, from 0
     */
    public record ChannelMean(String layer, int channel) implements Target {
        public ChannelMean {
            Preconditions.checkNotNull(layer, "layer");
            Preconditions.checkArgument(channel >= 0, "channel must be >= 0, got %s", channel);
        }
    }

    public GradientRequest {
        Preconditions.checkNotNull(target, "target");
        layers = List.copyOf(layers);
    }

    /** An output-unit request, as before targets existed. */
    public GradientRequest(int outputIndex, Score score, boolean withInput, List<String> layers) {
        this(new OutputUnit(outputIndex, score), withInput, layers);
    }

    /** The logit of {@code outputIndex} with respect to the input. */
    public static GradientRequest ofInput(int outputIndex) {
        return new GradientRequest(outputIndex, Score.LOGIT, true, List.of());
    }

    /** The logit of {@code outputIndex} with respect to these layers' outputs (not the input). */
    public static GradientRequest ofLayers(int outputIndex, String... layers) {
        return new GradientRequest(outputIndex, Score.LOGIT, false, Arrays.asList(layers));
    }

    /** The mean activation of {@code channel} of {@code layer} with respect to the input. */
    public static GradientRequest ofChannel(String layer, int channel) {
        return new GradientRequest(new ChannelMean(layer, channel), true, List.of());
    }

    /**
     * The output index of an {@link OutputUnit} target.
     *
     * @throws IllegalStateException for another target
     */
    public int outputIndex() {
        return outputUnit().index();
    }

    /**
     * The score of an {@link OutputUnit} target.
     *
     * @throws IllegalStateException for another target
     */
    public Score score() {
        return outputUnit().score();
    }

    /** The same request for another score (an {@link OutputUnit} target only). */
    public GradientRequest withScore(Score newScore) {
        return new GradientRequest(new OutputUnit(outputUnit().index(), newScore), withInput, layers);
    }

    /** The same request, also asking for the input gradient. */
    public GradientRequest andInput() {
        return new GradientRequest(target, true, layers);
    }

    /** The same request, also asking for these layers' activations and gradients. */
    public GradientRequest andLayers(String... more) {
        List<String> all = new java.util.ArrayList<>(layers);
        all.addAll(Arrays.asList(more));
        return new GradientRequest(target, withInput, all);
    }

    private OutputUnit outputUnit() {
        if (target instanceof OutputUnit u) {
            return u;
        }
        throw new IllegalStateException("the request's target is " + target + ", not an output unit");
    }
}
