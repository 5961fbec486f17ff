package io.filterscope.explain;

import com.google.common.base.Preconditions;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to explain and how. Start from {@link #of(Method)} and change what differs.
 *
 * @param method      the method
 * @param outputIndex the output unit (class index) to explain; empty: the top-1 prediction
 * @param layer       for CAMs, the layer (as named by {@code Model.layers()}); empty: the last layer
 *                    with a spatial output larger than 1 × 1
 * @param batchSize   how many perturbed inputs go into one model run (Score-CAM, occlusion,
 *                    SmoothGrad, faithfulness); a model with a fixed batch size uses that instead
 * @param topChannels Score-CAM only: keep only this many channels, those whose activation varies
 *                    most over the map (Faster Score-CAM); 0 keeps every channel
 * @param occlusion   occlusion settings
 * @param smoothGrad  SmoothGrad settings
 */
public record ExplainRequest(Method method, OptionalInt outputIndex, Optional<String> layer, int batchSize, int topChannels,
                             Occlusion occlusion, SmoothGrad smoothGrad) {

    /**
     * Occlusion sensitivity settings: a square window of {@code baseline} slid over the input.
     *
     * @param window   side of the window in input pixels; 0 picks an eighth of the shorter side
     * @param stride   step between windows; 0 picks half the window
     * @param baseline the value written into the covered pixels (every channel)
     */
    public record Occlusion(int window, int stride, float baseline) {
        public Occlusion {
            Preconditions.checkArgument(window >= 0, "occlusion window must be >= 0, got %s", window);
            Preconditions.checkArgument(stride >= 0, "occlusion stride must be >= 0, got %s", stride);
        }

        /** Window and stride chosen from the input size, baseline 0. */
        public static Occlusion auto() {
            return new Occlusion(0, 0, 0f);
        }

        int windowFor(int height, int width) {
            return window > 0 ? Math.min(window, Math.min(height, width)) : Math.max(1, Math.round(Math.min(height, width) / 8f));
        }

        int strideFor(int window) {
            return stride > 0 ? stride : Math.max(1, window / 2);
        }
    }

    /**
     * SmoothGrad settings.
     *
     * @param noise   standard deviation of the Gaussian noise as a fraction of the input's value
     *                range (max − min); the paper suggests 0.1–0.2
     * @param samples how many noisy copies to average
     * @param seed    seed of the noise, so the same request gives the same map
     */
    public record SmoothGrad(float noise, int samples, long seed) {
        public SmoothGrad {
            Preconditions.checkArgument(noise >= 0 && Float.isFinite(noise), "SmoothGrad noise must be >= 0, got %s", noise);
            Preconditions.checkArgument(samples >= 1, "SmoothGrad samples must be >= 1, got %s", samples);
        }

        /** 15 % noise, 25 samples, seed 0. */
        public static SmoothGrad defaults() {
            return new SmoothGrad(0.15f, 25, 0);
        }
    }

    public ExplainRequest {
        Preconditions.checkNotNull(method, "method");
        Preconditions.checkArgument(outputIndex.isEmpty() || outputIndex.getAsInt() >= 0, "output index must be >= 0, got %s", outputIndex);
        Preconditions.checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
        Preconditions.checkArgument(topChannels >= 0, "top channels must be >= 0 (0 keeps all), got %s", topChannels);
        Preconditions.checkNotNull(occlusion, "occlusion");
        Preconditions.checkNotNull(smoothGrad, "smoothGrad");
    }

    /** The top-1 class at the default layer, batches of 32, default settings. */
    public static ExplainRequest of(Method method) {
        return new ExplainRequest(method, OptionalInt.empty(), Optional.empty(), 32, 0, Occlusion.auto(), SmoothGrad.defaults());
    }

    /** The same request for output unit {@code index}. */
    public ExplainRequest forOutput(int index) {
        return new ExplainRequest(method, OptionalInt.of(index), layer, batchSize, topChannels, occlusion, smoothGrad);
    }

    /** The same request at layer {@code name}. */
    public ExplainRequest atLayer(String name) {
        return new ExplainRequest(method, outputIndex, Optional.of(name), batchSize, topChannels, occlusion, smoothGrad);
    }

    /** The same request with another batch size. */
    public ExplainRequest withBatchSize(int size) {
        return new ExplainRequest(method, outputIndex, layer, size, topChannels, occlusion, smoothGrad);
    }

    /** The same request keeping only the {@code n} most varying channels (Score-CAM). */
    public ExplainRequest withTopChannels(int n) {
        return new ExplainRequest(method, outputIndex, layer, batchSize, n, occlusion, smoothGrad);
    }

    /** The same request with other occlusion settings. */
    public ExplainRequest withOcclusion(Occlusion o) {
        return new ExplainRequest(method, outputIndex, layer, batchSize, topChannels, o, smoothGrad);
    }

    /** The same request with other SmoothGrad settings. */
    public ExplainRequest withSmoothGrad(SmoothGrad s) {
        return new ExplainRequest(method, outputIndex, layer, batchSize, topChannels, occlusion, s);
    }
}
