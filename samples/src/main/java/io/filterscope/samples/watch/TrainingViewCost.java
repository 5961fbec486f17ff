package io.filterscope.samples.watch;

import io.filterscope.dl4j.Dl4jBackend;
import io.filterscope.model.Model;
import io.filterscope.render.Colormap;
import io.filterscope.samples.bench.Stats;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.NeuralNetwork;

/**
 * Benchmark harness: what watching costs training. One network trains in blocks of {@code ITER}
 * iterations, alternating view off and view on (the live window when there is a display, else the
 * PNG recorder), so both see the same machine; reported are iterations per second and the median
 * of the per-pair ratios.
 *
 * <pre>java -cp ... io.filterscope.samples.watch.TrainingViewCost [graph] [PAIRS] [ITER] [EVERY]</pre>
 */
public final class TrainingViewCost {
    private TrainingViewCost() {
    }

    public static void main(String[] args) throws Exception {
        boolean graph = args.length > 0 && args[0].equals("graph");
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int every = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        boolean live = !GraphicsEnvironment.isHeadless();
        FashionMnist train = FashionMnist.load(FashionMnist.DEBIAN_FOLDER, true);
        FashionMnist test = FashionMnist.load(FashionMnist.DEBIAN_FOLDER, false);
        NeuralNetwork net = graph ? FashionCnn.graph(7) : FashionCnn.multiLayer(7);
        Path frames = Files.createTempDirectory("filterscope-frames");
        LiveWindow window = live ? new LiveWindow() : null;
        try (Model model = Dl4jBackend.wrap(net, "bench", 1, FashionMnist.SIDE, FashionMnist.SIDE)) {
            Training.iterations(net, train, 64, iterations, 1);   // warm-up
            double[] off = new double[pairs];
            double[] on = new double[pairs];
            double[] ratio = new double[pairs];
            for (int p = 0; p < pairs; p++) {
                FrameSink sink = live ? window : new FrameFolder(frames);
                FilterWatcher watcher = new FilterWatcher(model, "conv1", WatchFiltersLearn.fixedImage(test), every,
                        !live, sink, new FrameRenderer(Colormap.VIRIDIS));
                double tOff;
                double tOn;
                if (p % 2 == 0) {
                    tOff = Training.iterations(net, train, 64, iterations, 100 + p);
                    tOn = Training.iterations(net, train, 64, iterations, 200 + p, watcher);
                } else {
                    tOn = Training.iterations(net, train, 64, iterations, 200 + p, watcher);
                    tOff = Training.iterations(net, train, 64, iterations, 100 + p);
                }
                watcher.close();   // drawing that lags behind is waited for outside the timed block
                off[p] = iterations / tOff;
                on[p] = iterations / tOn;
                ratio[p] = tOn / tOff;
            }
            System.out.printf("%s, %s view, snapshot every %d iterations, %d pairs of %d iterations (batch 64)%n",
                    graph ? "ComputationGraph" : "MultiLayerNetwork", live ? "live window" : "PNG recorder", every, pairs, iterations);
            System.out.printf("  view off: median %.1f iterations/s%n", Stats.median(off));
            System.out.printf("  view on:  median %.1f iterations/s%n", Stats.median(on));
            System.out.printf("  time with view / without (median of per-pair ratios) %.3f%n", Stats.median(ratio));
        } finally {
            if (window != null) {
                window.dispose();
            }
        }
        System.exit(0);
    }

}
