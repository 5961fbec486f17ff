package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The Java side of the Score-CAM benchmark (docs/benchmarks.md): Score-CAM on ResNet-18's last block
 * through the ONNX backend, timed, and its map compared with the PyTorch one that
 * {@code samples/scripts/bench_scorecam.py} wrote into the same folder.
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.bench.ScoreCamBench DIR [BATCH] [RUNS]</pre>
 */
public final class ScoreCamBench {
    private ScoreCamBench() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ScoreCamBench DIR [BATCH] [RUNS] (DIR as written by samples/scripts/bench_scorecam.py)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Tensor input = Npy.read(dir.resolve("input.npy"));
        try (Model model = FilterScope.open(dir.resolve("resnet18.onnx"))) {
            Explainer explainer = new Explainer(model);
            for (int i = 0; i < 3; i++) {
                model.run(input);
            }
            double[] fwd = new double[10];
            for (int i = 0; i < fwd.length; i++) {
                long t0 = System.nanoTime();
                model.run(input);
                fwd[i] = (System.nanoTime() - t0) / 1e6;
            }
            System.out.printf(Locale.ROOT, "ONNX Runtime forward 1x3x224x224: median %.1f ms%n", median(fwd));
            ExplainRequest request = ExplainRequest.of(Method.SCORE_CAM).withBatchSize(batch);
            double[] secs = new double[runs];
            Explanation e = null;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                e = explainer.explain(input, request);
                secs[i] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf(Locale.ROOT, "FilterScope Score-CAM %s (%d×%d), batch %d, class %d: %s s; median %.2f s%n",
                    e.layer().orElseThrow(), e.heatmap().height(), e.heatmap().width(), batch, e.outputIndex(),
                    Arrays.toString(secs), median(secs));
            float[] ref = Npy.read(dir.resolve("scorecam_torch.npy")).toArray();
            float[] got = e.heatmap().normalized().values().toArray();
            System.out.printf(Locale.ROOT, "map vs PyTorch's: Pearson %.5f%n", pearson(ref, got));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double pearson(float[] x, float[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / (double) x.length;
            my += y[i] / (double) y.length;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
