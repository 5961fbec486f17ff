package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Benchmark harness: what gradients cost on an ONNX model, as ratios to one forward pass
 * ({@link Model#run}) of the same model in the same JVM, measured interleaved round by round (the
 * order rotates) and reported as medians of the per-round ratios. Two requests: Grad-CAM's (the
 * logit's gradient at the last layer with a spatial output, with its activation) and saliency's (the
 * gradient with respect to the input). Both run the forward and the backward pass in one ONNX
 * Runtime session; the first call of each builds it and is not timed.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.GradientOverhead MODEL.onnx [ROUNDS] [THREADS]</pre>
 */
public final class GradientOverhead {
    private GradientOverhead() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: GradientOverhead MODEL.onnx [ROUNDS] [THREADS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (Model model = FilterScope.open(file, OpenOptions.defaults().withThreads(threads, 0))) {
            long[] dims = model.metadata().input().shape().toArray();
            for (int i = 0; i < dims.length; i++) {
                dims[i] = dims[i] < 0 ? (i == 0 ? 1 : 224) : dims[i];
            }
            float[] x = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
            Random rnd = new Random(0);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            Tensor input = Tensor.of(Shape.of(dims), x);
            LayerInfo last = model.layers().stream()
                    .filter(l -> l.outputShape().map(s -> s.rank() == 4 && s.dim(2) > 1).orElse(false))
                    .reduce((a, b) -> b).orElseThrow();
            int k = 7;
            GradientRequest gradCam = GradientRequest.ofLayers(k, last.name());
            GradientRequest saliency = GradientRequest.ofInput(k);
            String[] what = {"forward (Model.run)", "Grad-CAM gradients at " + last.name(), "input gradients"};
            @SuppressWarnings("unchecked")
            Supplier<Object>[] calls = new Supplier[] {
                () -> model.run(input), () -> model.gradients(input, gradCam), () -> model.gradients(input, saliency)};
            for (int i = 0; i < 5; i++) {
                for (Supplier<Object> c : calls) {
                    c.get();
                }
            }
            double[][] ms = new double[calls.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < calls.length; j++) {
                    int c = (j + r) % calls.length;   // rotate the order: no call always runs first or last
                    long t0 = System.nanoTime();
                    calls[c].get();
                    ms[c][r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            System.out.printf("%s: input %s, %d rounds%n", file.getFileName(), Shape.of(dims), rounds);
            for (int c = 0; c < calls.length; c++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = ms[c][r] / ms[0][r];
                }
                System.out.printf("  %-45s median %7.2f ms   ratio to forward %.2f%n", what[c], Stats.median(ms[c]), Stats.median(ratio));
            }
        }
    }
}
