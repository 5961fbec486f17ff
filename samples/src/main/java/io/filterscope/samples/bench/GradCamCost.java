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
 * What Grad-CAM costs against one forward pass (the issue's bound: at most 3×), on any model with
 * gradients: the median of {@code RUNS} forward passes and of {@code RUNS} Grad-CAMs of the top class
 * at the default layer (which include the forward pass that finds the top class).
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.bench.GradCamCost MODEL INPUT.npy [RUNS]</pre>
 */
public final class GradCamCost {
    private GradCamCost() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: GradCamCost MODEL INPUT.npy [RUNS] (INPUT.npy a batch of one in the model's layout)");
            System.exit(2);
        }
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Tensor input = Npy.read(Path.of(args[1]));
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            Explainer explainer = new Explainer(model);
            ExplainRequest request = ExplainRequest.of(Method.GRAD_CAM);
            for (int i = 0; i < 3; i++) {
                model.run(input);
                explainer.explain(input, request);
            }
            double[] fwd = new double[runs];
            double[] cam = new double[runs];
            Explanation e = null;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                model.run(input);
                fwd[i] = (System.nanoTime() - t0) / 1e6;
                t0 = System.nanoTime();
                e = explainer.explain(input, request);
                cam[i] = (System.nanoTime() - t0) / 1e6;
            }
            double f = median(fwd);
            double c = median(cam);
            System.out.printf(Locale.ROOT, "%s: forward median %.2f ms; Grad-CAM at %s median %.2f ms = %.2f× a forward pass%n",
                    Path.of(args[0]).getFileName(), f, e.layer().orElseThrow(), c, c / f);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
