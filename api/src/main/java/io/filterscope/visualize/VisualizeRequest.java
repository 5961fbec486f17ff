package io.filterscope.visualize;

import com.google.common.base.Preconditions;
import io.filterscope.model.GradientRequest;

/**
 * What to visualise and how to optimise it. Start from {@link #channel} or {@link #outputUnit} and
 * change what differs from the defaults with the {@code with...} methods.
 *
 * <p>The optimiser maximises {@code target − totalVariation · TV(image) − l2 · L2(image)}, where
 * TV is the mean squared difference of neighbouring pixels and L2 the mean squared distance of the
 * pixels from grey (0.5), on the image in [0, 1].
 *
 * @param target           a {@link GradientRequest.ChannelMean} (a layer channel's mean activation) or
 *                         a {@link GradientRequest.OutputUnit} (a class; its logit before a final softmax)
 * @param steps            gradient ascent steps
 * @param size             the image's side in pixels; 0 takes the model's input height when it is
 *                         fixed, else 224
 * @param seed             seeds the start image and the transforms: the same seed gives the same image
 * @param learningRate     Adam's step size
 * @param transforms       the random placement of the image before each step; empty takes
 *                         {@link Transforms#standard(int)} for the image's size
 * @param totalVariation   weight of the total-variation penalty
 * @param l2               weight of the L2 penalty
 * @param parameterization how the image is made from the optimised variables
 * @param decorrelate      whether a 3-channel image's variables are decorrelated colours
 */
public record VisualizeRequest(GradientRequest.Target target, int steps, int size, long seed, double learningRate,
                               java.util.Optional<Transforms> transforms, double totalVariation, double l2, Parameterization parameterization,
                               boolean decorrelate) {

    /** The most pixels on a side: the image is optimised in memory, and the inverse DFT costs size³. */
    public static final int MAX_SIZE = 1024;

    /** How the image is made from the optimised variables. */
    public enum Parameterization {
        /**
         * A 1/f-scaled spectrum through an inverse DFT (Lucid's {@code fft_image}): gradient steps
         * change all frequencies alike, so the image does not fill with high-frequency noise.
         */
        FOURIER,
        /** The pixels themselves (before the sigmoid). */
        PIXEL
    }

    /**
     * The random placement of the image in the model's input before each step: a shift of up to
     * {@code jitter} whole pixels each way, a scale between {@code minScale} and {@code maxScale}, a
     * rotation of up to {@code rotation} degrees either way, with {@code pad} (a grey in [0, 1])
     * where the image does not reach.
     */
    public record Transforms(int jitter, double minScale, double maxScale, double rotation, double pad) {
        public Transforms {
            Preconditions.checkArgument(jitter >= 0, "jitter must be >= 0, got %s", jitter);
            Preconditions.checkArgument(minScale > 0 && maxScale >= minScale && Double.isFinite(maxScale),
                    "scales must satisfy 0 < min <= max, got %s and %s", minScale, maxScale);
            Preconditions.checkArgument(rotation >= 0 && rotation <= 180, "rotation must be 0 to 180 degrees, got %s", rotation);
            Preconditions.checkArgument(pad >= 0 && pad <= 1, "pad must be 0 to 1, got %s", pad);
        }

        /** No transforms: the image is placed as it is at every step. */
        public static final Transforms NONE = new Transforms(0, 1, 1, 0, 0.5);

        /**
         * Lucid's standard transforms, relative to the image's side: a shift of up to size / 28 pixels
         * (8 at 224), a scale of 0.9 to 1.1, a rotation of up to 10°, grey padding.
         */
        public static Transforms standard(int size) {
            return new Transforms(Math.max(1, Math.round(size / 28f)), 0.9, 1.1, 10, 0.5);
        }
    }

    public VisualizeRequest {
        Preconditions.checkNotNull(target, "target");
        Preconditions.checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
        Preconditions.checkArgument(size >= 0 && size <= MAX_SIZE, "size must be 0 to %s, got %s", MAX_SIZE, size);
        Preconditions.checkArgument(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive, got %s", learningRate);
        Preconditions.checkNotNull(transforms, "transforms");
        Preconditions.checkArgument(totalVariation >= 0 && Double.isFinite(totalVariation), "total variation weight must be >= 0, got %s",
                totalVariation);
        Preconditions.checkArgument(l2 >= 0 && Double.isFinite(l2), "L2 weight must be >= 0, got %s", l2);
        Preconditions.checkNotNull(parameterization, "parameterization");
    }

    /** Channel {@code channel} of {@code layer}, with the defaults: 256 steps, Fourier, decorrelated, standard transforms. */
    public static VisualizeRequest channel(String layer, int channel) {
        return of(new GradientRequest.ChannelMean(layer, channel));
    }

    /** Output unit (class) {@code k}, its logit, with the defaults of {@link #channel}. */
    public static VisualizeRequest outputUnit(int k) {
        return of(new GradientRequest.OutputUnit(k, GradientRequest.Score.LOGIT));
    }

    private static VisualizeRequest of(GradientRequest.Target target) {
        // Lucid's defaults: Adam at 0.05, no penalties (the parameterisation and transforms regularise).
        return new VisualizeRequest(target, 256, 0, 0, 0.05, java.util.Optional.empty(), 0, 0, Parameterization.FOURIER, true);
    }

    /** The transforms for an image of {@code side} pixels. */
    public Transforms transformsFor(int side) {
        return transforms.orElseGet(() -> Transforms.standard(side));
    }

    public VisualizeRequest withSteps(int n) {
        return new VisualizeRequest(target, n, size, seed, learningRate, transforms, totalVariation, l2, parameterization, decorrelate);
    }

    public VisualizeRequest withSize(int pixels) {
        return new VisualizeRequest(target, steps, pixels, seed, learningRate, transforms, totalVariation, l2, parameterization, decorrelate);
    }

    public VisualizeRequest withSeed(long s) {
        return new VisualizeRequest(target, steps, size, s, learningRate, transforms, totalVariation, l2, parameterization, decorrelate);
    }

    public VisualizeRequest withLearningRate(double rate) {
        return new VisualizeRequest(target, steps, size, seed, rate, transforms, totalVariation, l2, parameterization, decorrelate);
    }

    public VisualizeRequest withTransforms(Transforms t) {
        return new VisualizeRequest(target, steps, size, seed, learningRate, java.util.Optional.of(t), totalVariation, l2, parameterization,
                decorrelate);
    }

    /** The penalties' weights: total variation and L2. */
    public VisualizeRequest withPenalties(double tv, double l2Weight) {
        return new VisualizeRequest(target, steps, size, seed, learningRate, transforms, tv, l2Weight, parameterization, decorrelate);
    }

    public VisualizeRequest withParameterization(Parameterization p, boolean decorrelateColors) {
        return new VisualizeRequest(target, steps, size, seed, learningRate, transforms, totalVariation, l2, p, decorrelateColors);
    }
}
