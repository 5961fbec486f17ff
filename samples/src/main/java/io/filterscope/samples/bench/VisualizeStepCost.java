package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.explain.Progress;
import io.filterscope.model.Model;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.VisualizeRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one step of feature visualisation costs: the median time between the visualizer's step
 * reports over {@code ROUNDS} runs of {@code STEPS} steps (after one warm-up run), for a layer's
 * channel at an image side of {@code SIZE}. Each step makes the image from the Fourier
 * parameterisation, runs one backward pass of the model, and takes the gradient back through the
 * parameterisation, so on a small model at a large side the parameterisation dominates. Prints
 * where the class {@code ImageParameters} came from, so two builds can be compared side by side by
 * running this with each on the class path in turn.
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.bench.VisualizeStepCost MODEL LAYER CHANNEL [SIZE] [STEPS] [ROUNDS]</pre>
 */
public final class VisualizeStepCost {
    private VisualizeStepCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: VisualizeStepCost MODEL LAYER CHANNEL [SIZE=224] [STEPS=10] [ROUNDS=3]");
            System.exit(2);
        }
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 224;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        VisualizeRequest request = VisualizeRequest.channel(args[1], Integer.parseInt(args[2])).withSize(size).withSteps(steps);
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            FeatureVisualizer visualizer = new FeatureVisualizer(model);
            visualizer.visualize(request.withSteps(Math.min(steps, 3)));
            List<Double> times = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long[] last = {System.nanoTime()};
                Progress eachStep = (done, total) -> {
                    long now = System.nanoTime();
                    times.add((now - last[0]) / 1e6);
                    last[0] = now;
                };
                visualizer.visualize(request.withSeed(r), eachStep);
            }
            double[] t = times.stream().mapToDouble(Double::doubleValue).toArray();
            String from = Class.forName("io.filterscope.visualize.ImageParameters").getProtectionDomain().getCodeSource().getLocation().getPath();
            System.out.printf(Locale.ROOT, "%s %s channel %s at %d px: step median %.1f ms over %d steps (ImageParameters from %s)%n",
                    Path.of(args[0]).getFileName(), args[1], args[2], size, Stats.median(t), t.length, from);
        }
    }
}
