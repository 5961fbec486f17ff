package io.filterscope.explain;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerGradient;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Computes explanations on one model. Holds nothing but the model (which its owner closes), so one
 * explainer may serve several threads as the model does.
 *
 * <p>All methods explain one input, a batch of one, in the model's own layout (NCHW or NHWC, as
 * {@code metadata().inputLayout()} says).
 *
 * <p>Errors are {@link FilterScopeException}s with one line naming the model file: an output index
 * out of range or a layer without a spatial output ({@link ErrorKind#INVALID_ARGUMENT}), an unknown
 * layer ({@link ErrorKind#UNKNOWN_LAYER}), a gradient method on a model without
 * {@link Capability#GRADIENTS} ({@link ErrorKind#UNSUPPORTED}, suggesting a forward-only method),
 * Ablation-CAM on a model without {@link Capability#RUN_FROM_LAYER} or at a layer the rest of the
 * network does not depend on alone ({@link ErrorKind#UNSUPPORTED}).
 */
public final class Explainer {
    private final Model model;

    /** An explainer for {@code model}; the caller keeps owning (and closes) the model. */
    public Explainer(Model model) {
        this.model = model;
    }

    /** Explains the input with the request's method, without progress reports. */
    public Explanation explain(Tensor input, ExplainRequest request) {
        return explain(input, request, Progress.NONE);
    }

    /**
     * Explains the input with the request's method.
     *
     * @param progress hears the long methods' progress and may cancel them
     * @throws java.util.concurrent.CancellationException when {@code progress} cancels
     */
    public Explanation explain(Tensor input, ExplainRequest request, Progress progress) {
        InputPlane plane = InputPlane.of(input, model.metadata().inputLayout(), file());
        Method m = request.method();
        if (m.needsGradients()) {
            requireGradients(m);
        }
        return switch (m) {
            case GRAD_CAM, GRAD_CAM_PLUS_PLUS, LAYER_CAM -> gradientCam(input, plane, request);
            case SCORE_CAM -> scoreCam(input, plane, request, progress);
            case ABLATION_CAM -> ablationCam(input, plane, request, progress);
            case OCCLUSION -> occlusion(input, plane, request, progress);
            case SALIENCY, SMOOTH_GRAD -> saliency(input, plane, request, progress);
        };
    }

    /**
     * The layer a CAM uses by default: the last layer with a spatial (N × C × H × W) output that is
     * more than one pixel, so a global pooling layer (1 × 1, nothing to show) is passed over.
     */
    public LayerInfo defaultLayer() {
        List<LayerInfo> spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).toList();
        if (spatial.isEmpty()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file()
                    + ": has no layer with a spatial (N×C×H×W) output, so there is nothing to compute a CAM at;"
                    + " use occlusion, saliency or smoothgrad");
        }
        for (int i = spatial.size() - 1; i >= 0; i--) {
            Shape s = spatial.get(i).outputShape().orElseThrow();
            if (s.dim(2) != 1 || s.dim(3) != 1) {
                return spatial.get(i);
            }
        }
        return spatial.get(spatial.size() - 1);
    }

    /**
     * Deletion and insertion curves of an explanation with {@code steps} steps, removing pixels to
     * {@code baseline} (every channel) in the order of the explanation's upsampled heatmap.
     *
     * @throws java.util.concurrent.CancellationException when {@code progress} cancels
     */
    public Faithfulness faithfulness(Tensor input, Explanation explanation, int steps, float baseline, int batchSize,
                                     Progress progress) {
        if (steps < 1 || batchSize < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "faithfulness needs steps >= 1 and batch size >= 1, got "
                    + steps + " and " + batchSize);
        }
        InputPlane plane = InputPlane.of(input, model.metadata().inputLayout(), file());
        float[] map = explanation.upsampled().values().toArray();
        if (map.length != plane.pixels()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": the explanation is for a "
                    + explanation.inputHeight() + "×" + explanation.inputWidth() + " input, this input is "
                    + plane.height() + "×" + plane.width());
        }
        // Highest first; ties keep pixel order so the curve is reproducible.
        int[] order = IntStream.range(0, map.length).boxed()
                .sorted(Comparator.comparingDouble((Integer p) -> -map[p]).thenComparingInt(p -> p))
                .mapToInt(Integer::intValue).toArray();
        float[] x = input.toArray();
        int k = explanation.outputIndex();
        int total = 2 * (steps + 1);
        List<Double> deletion = new ArrayList<>();
        List<Double> insertion = new ArrayList<>();
        Batcher batcher = new Batcher(plane, batchSize(batchSize), progress, total);
        for (int pass = 0; pass < 2; pass++) {
            boolean delete = pass == 0;
            List<Double> curve = delete ? deletion : insertion;
            float[] current = x.clone();
            if (!delete) {
                Arrays.fill(current, baseline);
            }
            int changed = 0;
            for (int i = 0; i <= steps; i++) {
                int upTo = (int) Math.round((double) i * order.length / steps);
                for (; changed < upTo; changed++) {
                    if (delete) {
                        plane.set(current, 0, order[changed], baseline);
                    } else {
                        plane.copy(x, current, 0, order[changed]);
                    }
                }
                batcher.add(current, out -> curve.add(probability(out, k)));
            }
            batcher.flush();
        }
        return new Faithfulness(deletion, insertion, Faithfulness.area(deletion), Faithfulness.area(insertion));
    }

    /** Faithfulness with 50 steps (fewer for small inputs), baseline 0, batches of 32. */
    public Faithfulness faithfulness(Tensor input, Explanation explanation, Progress progress) {
        int pixels = explanation.inputHeight() * explanation.inputWidth();
        return faithfulness(input, explanation, Math.max(1, Math.min(50, pixels)), 0f, 32, progress);
    }

    // ---- gradient CAMs -------------------------------------------------------------------------

    private Explanation gradientCam(Tensor input, InputPlane plane, ExplainRequest request) {
        LayerInfo layer = camLayer(request);
        int k = outputIndexBeforeGradients(input, request);
        Gradients g = gradients(input, GradientRequest.ofLayers(k, layer.name()));
        Tensor output = g.output();
        LayerGradient lg = g.layer(layer.name()).orElseThrow(() -> new FilterScopeException(ErrorKind.INFERENCE_FAILED,
                file() + ": the backend gave no gradient for layer '" + layer.name() + "'"));
        Shape s = spatial(layer, lg.activation().shape());
        int c = (int) s.dim(1);
        int h = (int) s.dim(2);
        int w = (int) s.dim(3);
        int plane2 = h * w;
        float[] a = lg.activation().toArray();
        float[] grad = lg.gradient().toArray();
        float[] cam;
        switch (request.method()) {
            case GRAD_CAM -> {
                float[] weights = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    for (int i = 0; i < plane2; i++) {
                        sum += grad[ch * plane2 + i];
                    }
                    weights[ch] = (float) (sum / plane2);
                }
                cam = Maps.weightedSumRelu(a, weights, plane2);
            }
            case GRAD_CAM_PLUS_PLUS -> {
                // Chattopadhay et al., eq. 19 with an exponential score: alpha = g² / (2g² + Σ_ab A · g³),
                // weight = Σ_ij alpha · relu(g).
                float[] weights = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    double sumA = 0;
                    for (int i = 0; i < plane2; i++) {
                        sumA += a[ch * plane2 + i];
                    }
                    double wsum = 0;
                    for (int i = 0; i < plane2; i++) {
                        double gi = grad[ch * plane2 + i];
                        if (gi == 0) {
                            continue;
                        }
                        double g2 = gi * gi;
                        double denom = 2 * g2 + sumA * g2 * gi;
                        double alpha = g2 / (denom != 0 ? denom : 1e-7);
                        wsum += alpha * Math.max(gi, 0);
                    }
                    weights[ch] = (float) wsum;
                }
                cam = Maps.weightedSumRelu(a, weights, plane2);
            }
            case LAYER_CAM -> {
                cam = new float[plane2];
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < plane2; i++) {
                        cam[i] += Math.max(grad[ch * plane2 + i], 0f) * a[ch * plane2 + i];
                    }
                }
                Maps.relu(cam);
            }
            default -> throw new IllegalStateException(request.method().toString());
        }
        return new Explanation(request.method(), Optional.of(layer.name()), k, row(output)[k], Heatmap.wrap(h, w, cam),
                Optional.empty(), plane.height(), plane.width());
    }

    /** A layer's activation copied out of its capture, with the explained output unit and its score. */
    private record LayerCapture(int outputIndex, float score, Shape shape, float[] values) {
    }

    /**
     * Captures {@code layer} for {@code input} and copies it out, closing the capture before the
     * many runs that follow (masked or ablated), so those can reuse its memory.
     */
    private LayerCapture captureLayer(Tensor input, LayerInfo layer, ExplainRequest request) {
        try (Activations acts = model.capture(runnable(input), CaptureRequest.layers(layer.name()))) {
            int k = outputIndex(acts.output(), request);
            LayerOutput lo = acts.layer(layer.name()).orElseThrow(() -> new FilterScopeException(ErrorKind.INFERENCE_FAILED,
                    file() + ": the backend did not capture layer '" + layer.name() + "'"));
            Tensor values = first(lo.values());
            return new LayerCapture(k, row(acts.output())[k], spatial(layer, values.shape()), values.toArray());
        }
    }

    // ---- Score-CAM -----------------------------------------------------------------------------

    private Explanation scoreCam(Tensor input, InputPlane plane, ExplainRequest request, Progress progress) {
        LayerInfo layer = camLayer(request);
        LayerCapture captured = captureLayer(input, layer, request);
        int k = captured.outputIndex();
        float score = captured.score();
        Shape s = captured.shape();
        float[] a = captured.values();
        int c = (int) s.dim(1);
        int h = (int) s.dim(2);
        int w = (int) s.dim(3);
        int plane2 = h * w;
        // A channel that is constant over the map masks nothing in particular: it gets weight 0.
        List<Integer> channels = new ArrayList<>();
        double[] variance = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            float lo2 = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < plane2; i++) {
                float v = a[ch * plane2 + i];
                mean += v;
                lo2 = Math.min(lo2, v);
                hi = Math.max(hi, v);
            }
            mean /= plane2;
            double var = 0;
            for (int i = 0; i < plane2; i++) {
                double d = a[ch * plane2 + i] - mean;
                var += d * d;
            }
            variance[ch] = var / plane2;
            if (hi > lo2) {
                channels.add(ch);
            }
        }
        if (request.topChannels() > 0 && request.topChannels() < channels.size()) {
            channels = channels.stream().sorted(Comparator.comparingDouble((Integer ch) -> -variance[ch]).thenComparingInt(ch -> ch))
                    .limit(request.topChannels()).sorted().collect(Collectors.toList());
        }
        float[] x = input.toArray();
        float[] weights = new float[c];
        Batcher batcher = new Batcher(plane, batchSize(request), progress, channels.size());
        for (int ch : channels) {
            float[] map = Maps.resize(Arrays.copyOfRange(a, ch * plane2, (ch + 1) * plane2), h, w, plane.height(), plane.width());
            normalizeInPlace(map);
            float[] masked = new float[plane.size()];
            plane.multiply(x, map, masked, 0);
            batcher.add(masked, out -> weights[ch] = (float) probability(out, k));
        }
        batcher.flush();
        float[] cam = Maps.weightedSumRelu(a, weights, plane2);
        return new Explanation(Method.SCORE_CAM, Optional.of(layer.name()), k, score, Heatmap.wrap(h, w, cam),
                Optional.empty(), plane.height(), plane.width());
    }

    // ---- Ablation-CAM --------------------------------------------------------------------------

    /**
     * Ramaswamy and Desai 2020, as pytorch-grad-cam's AblationCAM: wₖ = (y − yₖ) / y, where yₖ is the
     * class's output (the logit, or the probability of a model ending in softmax) with channel k of
     * the layer's output zeroed and the rest of the network run from there ({@link Model#runFrom}; the
     * tensors a skip connection carries around a layer inside a residual block stay the input's),
     * and y the output without ablation; the map is ReLU(Σ wₖ Aₖ).
     * Zeroing follows the paper (pytorch-grad-cam puts a very negative value instead where the
     * layer's output can be negative). Copies with one channel ablated each run in batches.
     */
    private Explanation ablationCam(Tensor input, InputPlane plane, ExplainRequest request, Progress progress) {
        if (!model.capabilities().contains(Capability.RUN_FROM_LAYER)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file() + ": ablationcam needs to run the network from a layer's"
                    + " output, which the " + model.metadata().format() + " backend cannot; use scorecam, which also needs no gradients");
        }
        LayerInfo layer = camLayer(request);
        LayerCapture captured = captureLayer(input, layer, request);
        int k = captured.outputIndex();
        float score = captured.score();
        Shape s = captured.shape();
        float[] a = captured.values();
        int c = (int) s.dim(1);
        int plane2 = (int) (s.dim(2) * s.dim(3));
        // An all-zero channel is unchanged by zeroing it: weight 0 without a run.
        List<Integer> channels = new ArrayList<>();
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < plane2; i++) {
                if (a[ch * plane2 + i] != 0) {
                    channels.add(ch);
                    break;
                }
            }
        }
        float[] ablatedScore = new float[c];
        Batcher batcher = new Batcher(a.length, (data, n) -> model.runFrom(layer.name(), Tensor.wrap(s.with(0, n), Arrays.copyOf(data, n * a.length)), input),
                batchSize(request), progress, channels.size());
        for (int ch : channels) {
            float[] ablated = a.clone();
            Arrays.fill(ablated, ch * plane2, (ch + 1) * plane2, 0f);
            batcher.add(ablated, out -> ablatedScore[ch] = out[k]);
        }
        batcher.flush();
        float[] weights = new float[c];
        for (int ch : channels) {
            // y = 0 leaves the drops unscaled; the map is normalised for display anyway.
            weights[ch] = (score - ablatedScore[ch]) / (score != 0 ? score : 1f);
        }
        float[] cam = Maps.weightedSumRelu(a, weights, plane2);
        return new Explanation(Method.ABLATION_CAM, Optional.of(layer.name()), k, score,
                Heatmap.wrap((int) s.dim(2), (int) s.dim(3), cam), Optional.empty(), plane.height(), plane.width());
    }

    // ---- occlusion -----------------------------------------------------------------------------

    private Explanation occlusion(Tensor input, InputPlane plane, ExplainRequest request, Progress progress) {
        Tensor output = model.run(runnable(input));
        int k = outputIndex(output, request);
        float base = row(output)[k];
        int win = request.occlusion().windowFor(plane.height(), plane.width());
        int stride = request.occlusion().strideFor(win);
        float value = request.occlusion().baseline();
        List<int[]> corners = new ArrayList<>();
        for (int y = 0; y + win <= plane.height(); y += stride) {
            for (int x = 0; x + win <= plane.width(); x += stride) {
                corners.add(new int[] {y, x});
            }
        }
        float[] x = input.toArray();
        double[] sum = new double[plane.pixels()];
        int[] count = new int[plane.pixels()];
        Batcher batcher = new Batcher(plane, batchSize(request), progress, corners.size());
        for (int[] corner : corners) {
            float[] occluded = x.clone();
            for (int dy = 0; dy < win; dy++) {
                for (int dx = 0; dx < win; dx++) {
                    plane.set(occluded, 0, (corner[0] + dy) * plane.width() + corner[1] + dx, value);
                }
            }
            batcher.add(occluded, out -> {
                float drop = base - out[k];
                for (int dy = 0; dy < win; dy++) {
                    for (int dx = 0; dx < win; dx++) {
                        int p = (corner[0] + dy) * plane.width() + corner[1] + dx;
                        sum[p] += drop;
                        count[p]++;
                    }
                }
            });
        }
        batcher.flush();
        float[] map = new float[plane.pixels()];
        for (int p = 0; p < map.length; p++) {
            map[p] = count[p] == 0 ? 0 : (float) (sum[p] / count[p]);
        }
        return new Explanation(Method.OCCLUSION, Optional.empty(), k, base, Heatmap.wrap(plane.height(), plane.width(), map),
                Optional.empty(), plane.height(), plane.width());
    }

    // ---- saliency and SmoothGrad ---------------------------------------------------------------

    private Explanation saliency(Tensor input, InputPlane plane, ExplainRequest request, Progress progress) {
        int k = outputIndexBeforeGradients(input, request);
        if (request.method() == Method.SALIENCY) {
            Gradients all = gradients(input, GradientRequest.ofInput(k));
            Tensor output = all.output();
            Tensor g = all.input().orElseThrow();
            float[] gv = g.toArray();
            return new Explanation(Method.SALIENCY, Optional.empty(), k, row(output)[k],
                    Heatmap.wrap(plane.height(), plane.width(), plane.maxAbsOverChannels(gv, 0)), Optional.of(g),
                    plane.height(), plane.width());
        }
        float score = row(model.run(runnable(input)))[k];
        ExplainRequest.SmoothGrad sg = request.smoothGrad();
        float[] x = input.toArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double sigma = sg.noise() * (hi - lo);
        Random rnd = new Random(sg.seed());
        int n = sg.samples();
        int batch = batchSize(request);
        double[] meanGrad = new double[plane.size()];
        double[] meanAbs = new double[plane.pixels()];
        int done = 0;
        while (done < n) {
            Progress.check(progress);
            int b = Math.min(batch, n - done);
            int runSize = fixedBatch() > 0 ? fixedBatch() : b;
            float[] noisy = new float[runSize * plane.size()];
            for (int i = 0; i < b * plane.size(); i++) {
                noisy[i] = (float) (x[i % x.length] + sigma * rnd.nextGaussian());
            }
            // Padding items (for a fixed batch) are the input itself; their gradients are not used.
            for (int i = b * plane.size(); i < noisy.length; i++) {
                noisy[i] = x[i % x.length];
            }
            float[] g = gradients(plane.batch(noisy, runSize), GradientRequest.ofInput(k)).input().orElseThrow().toArray();
            for (int item = 0; item < b; item++) {
                for (int i = 0; i < plane.size(); i++) {
                    meanGrad[i] += g[item * plane.size() + i];
                }
                float[] abs = plane.maxAbsOverChannels(g, item);
                for (int p = 0; p < abs.length; p++) {
                    meanAbs[p] += abs[p];
                }
            }
            done += b;
            progress.update(done, n);
        }
        float[] grad = new float[plane.size()];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = (float) (meanGrad[i] / n);
        }
        float[] map = new float[plane.pixels()];
        for (int p = 0; p < map.length; p++) {
            map[p] = (float) (meanAbs[p] / n);
        }
        return new Explanation(Method.SMOOTH_GRAD, Optional.empty(), k, score, Heatmap.wrap(plane.height(), plane.width(), map),
                Optional.of(Tensor.wrap(input.shape(), grad)), plane.height(), plane.width());
    }

    // ---- shared --------------------------------------------------------------------------------

    /** Collects perturbed items into batches, runs them and hands each item's output row back in order. */
    private final class Batcher {
        private final int itemSize;
        /** Runs the first n items of a buffer as one batch; returns the model's output. */
        private final java.util.function.BiFunction<float[], Integer, Tensor> runner;
        private final int size;
        private final Progress progress;
        private final int total;
        private final float[] data;
        private final List<java.util.function.Consumer<float[]>> pending = new ArrayList<>();
        private int done;

        /** Batches of perturbed inputs, run from the model's input. */
        Batcher(InputPlane plane, int size, Progress progress, int total) {
            this(plane.size(), (data, n) -> model.run(plane.batch(data, n)), size, progress, total);
        }

        Batcher(int itemSize, java.util.function.BiFunction<float[], Integer, Tensor> runner, int size, Progress progress, int total) {
            this.itemSize = itemSize;
            this.runner = runner;
            this.size = size;
            this.progress = progress;
            this.total = total;
            this.data = new float[size * itemSize];
        }

        void add(float[] item, java.util.function.Consumer<float[]> onOutput) {
            System.arraycopy(item, 0, data, pending.size() * itemSize, itemSize);
            pending.add(onOutput);
            if (pending.size() == size) {
                flush();
            }
        }

        void flush() {
            if (pending.isEmpty()) {
                return;
            }
            Progress.check(progress);
            int n = pending.size();
            // A model whose input fixes the batch gets full batches: the rest repeats the last item.
            int runSize = fixedBatch() > 0 ? fixedBatch() : n;
            for (int i = n; i < runSize; i++) {
                System.arraycopy(data, (n - 1) * itemSize, data, i * itemSize, itemSize);
            }
            Tensor out = runner.apply(data, runSize);
            int per = out.size() / runSize;
            float[] all = out.toArray();
            out.release();   // lent memory (ONNX) goes back for the next batch at once
            for (int i = 0; i < n; i++) {
                pending.get(i).accept(Arrays.copyOfRange(all, i * per, (i + 1) * per));
            }
            pending.clear();
            done += n;
            progress.update(done, total);
        }
    }

    private int batchSize(ExplainRequest request) {
        return batchSize(request.batchSize());
    }

    /** {@code wanted}, or the model's own batch size when its input fixes one. */
    private int batchSize(int wanted) {
        return fixedBatch() > 0 ? fixedBatch() : wanted;
    }

    /** The batch size the model's input declares, or 0 when it is free (the rule image folders batch by). */
    /**
     * A one-item input as the model takes it: repeated up to the batch size the model fixes (only
     * item 0's results are read), else itself.
     */
    private Tensor runnable(Tensor input) {
        int b = fixedBatch();
        if (b <= 1 || input.shape().rank() == 0 || input.shape().dim(0) != 1) {
            return input;
        }
        float[] one = input.toArray();
        float[] all = new float[one.length * b];
        for (int i = 0; i < b; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return Tensor.wrap(input.shape().with(0, b), all);
    }

    /** Item 0 of a batch as a one-item batch (a copy), or the tensor itself when it is one item. */
    private static Tensor first(Tensor batch) {
        if (batch.shape().rank() == 0 || batch.shape().dim(0) <= 1) {
            return batch;
        }
        int per = batch.size() / (int) batch.shape().dim(0);
        float[] one = new float[per];
        batch.copyTo(0, one, 0, per);
        return Tensor.wrap(batch.shape().with(0, 1), one);
    }

    private int fixedBatch() {
        return ImageBatches.fixedBatch(model.metadata());
    }

    private void requireGradients(Method m) {
        if (!model.capabilities().contains(Capability.GRADIENTS)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file() + ": " + m.id() + " needs gradients, which the "
                    + model.metadata().format() + " backend cannot compute for this model; use a forward-only method: "
                    + forwardOnlyIds());
        }
    }

    /** The forward-only methods this model runs: Ablation-CAM only with {@link Capability#RUN_FROM_LAYER}. */
    private String forwardOnlyIds() {
        boolean runFrom = model.capabilities().contains(Capability.RUN_FROM_LAYER);
        return Arrays.stream(Method.values()).filter(m -> !m.needsGradients() && (runFrom || m != Method.ABLATION_CAM))
                .map(Method::id).collect(Collectors.joining(", "));
    }

    private Gradients gradients(Tensor input, GradientRequest request) {
        try {
            Tensor in = runnable(input);
            Gradients g = model.gradients(in, request);
            if (in == input) {
                return g;
            }
            // The score is summed over the batch and its items are independent, so item 0's gradients are the input's own.
            return new Gradients(first(g.output()), g.input().map(Explainer::first),
                    g.layers().stream().map(l -> new LayerGradient(l.layer(), first(l.activation()), first(l.gradient()))).toList());
        } catch (FilterScopeException e) {
            if (e.kind() == ErrorKind.UNSUPPORTED && !e.getMessage().contains("forward-only")) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, e.getMessage() + "; use a forward-only method: "
                        + forwardOnlyIds(), e);
            }
            throw e;
        }
    }

    private LayerInfo camLayer(ExplainRequest request) {
        LayerInfo layer = request.layer().map(model::layer).orElseGet(this::defaultLayer);
        if (layer.outputShape().isPresent() && !layer.hasSpatialOutput()) {
            throw notSpatial(layer, layer.outputShape().get());
        }
        return layer;
    }

    private Shape spatial(LayerInfo layer, Shape actual) {
        if (actual.rank() != 4) {
            throw notSpatial(layer, actual);
        }
        return actual;
    }

    private FilterScopeException notSpatial(LayerInfo layer, Shape shape) {
        List<String> spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).toList();
        int from = Math.max(0, spatial.size() - 5);
        return new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": layer '" + layer.name() + "' outputs " + shape
                + ", not N×C×H×W feature maps, so a CAM cannot be computed at it; layers with feature maps: "
                + (spatial.isEmpty() ? "none (use occlusion, saliency or smoothgrad)"
                        : (from > 0 ? "..., " : "") + String.join(", ", spatial.subList(from, spatial.size()))));
    }

    /**
     * The output unit a gradient method differentiates: the requested one, checked against the
     * model's declared output size without running it when that size is known; else the top-1,
     * which costs a forward pass.
     */
    private int outputIndexBeforeGradients(Tensor input, ExplainRequest request) {
        if (request.outputIndex().isPresent() && !model.metadata().outputs().isEmpty()) {
            Shape out = model.metadata().outputs().get(0).shape();
            long per = 1;
            for (int d = 1; d < out.rank() && per > 0; d++) {
                per = out.dim(d) == Shape.UNKNOWN ? -1 : per * out.dim(d);
            }
            if (out.rank() >= 1 && per > 0) {
                return checkedIndex(request.outputIndex().getAsInt(), (int) per);
            }
        }
        return outputIndex(model.run(runnable(input)), request);
    }

    private int checkedIndex(int k, int outputs) {
        if (k >= outputs) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": class " + k
                    + " is out of range; the model has " + outputs + " outputs (0 to " + (outputs - 1) + ")");
        }
        return k;
    }

    /** The requested output unit, checked, or the top-1 of item 0. */
    private int outputIndex(Tensor output, ExplainRequest request) {
        float[] r = row(output);
        if (request.outputIndex().isPresent()) {
            return checkedIndex(request.outputIndex().getAsInt(), r.length);
        }
        int best = 0;
        for (int i = 1; i < r.length; i++) {
            if (r[i] > r[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float[] row(Tensor output) {
        int n = output.shape().rank() == 0 ? 1 : (int) Math.max(1, output.shape().dim(0));
        int per = output.size() / n;
        float[] r = new float[per];
        output.copyTo(0, r, 0, per);
        return r;
    }

    /**
     * The probability of unit {@code k}: the row itself when it already is a distribution (a model
     * ending in softmax), else its softmax, as Score-CAM and the RISE curves use.
     */
    static double probability(float[] row, int k) {
        double sum = 0;
        boolean inUnit = true;
        for (float v : row) {
            sum += v;
            inUnit &= v >= 0 && v <= 1;
        }
        if (inUnit && Math.abs(sum - 1) < 1e-3) {
            return row[k];
        }
        return Maps.softmax(row)[k];
    }

    private static void normalizeInPlace(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float range = hi - lo;
        for (int i = 0; i < v.length; i++) {
            v[i] = range > 0 ? (v[i] - lo) / range : 0;
        }
    }

    private String file() {
        return model.metadata().file().getFileName().toString();
    }
}
