package io.filterscope.samples;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.render.Png;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Feature visualisation as a program: the image that excites one channel of a layer most, found by
 * gradient ascent (Fourier-parameterised, decorrelated colours, random jitter, scale and rotation,
 * as Lucid does), written as a PNG. Needs a model with gradients.
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.WhatExcites MODEL LAYER CHANNEL OUT.png [STEPS]</pre>
 */
public final class WhatExcites {
    static final String USAGE = "usage: WhatExcites MODEL LAYER CHANNEL OUT.png [STEPS] (e.g. WhatExcites"
            + " samples/models/fashion-mnist/fashion_cnn.onnx /conv3/Conv 3 channel3.png; layers as `filterscope info` lists them)";

    private WhatExcites() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the sample and returns its exit code: 0 done, 2 bad arguments or files (told in one line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 4 && args.length != 5) {
            err.println(USAGE);
            return 2;
        }
        int channel = whole(args[2]);
        int steps = args.length == 5 ? whole(args[4]) : 256;
        if (channel < 0 || steps < 1) {
            String got = "'" + args[2] + "'" + (args.length == 5 ? " and '" + args[4] + "'" : "");
            err.println("CHANNEL must be a whole number >= 0 and STEPS >= 1, got " + got + "; " + USAGE);
            return 2;
        }
        try {
            Visualization v = visualize(Path.of(args[0]), VisualizeRequest.channel(args[1], channel).withSteps(steps), Path.of(args[3]));
            out.printf(Locale.ROOT, "channel %d of %s: mean activation %.4g for the start noise, %.4g for the image -> %s%n",
                    channel, args[1], v.startObjective(), v.objective(), args[3]);
            return 0;
        } catch (FilterScopeException e) {
            err.println(e.getMessage());
        } catch (UncheckedIOException e) {
            err.println(args[3] + ": cannot be written (" + e.getCause().getMessage() + ")");
        }
        return 2;
    }

    /** The whole number {@code text} says, or -1. */
    private static int whole(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Visualization visualize(Path modelFile, VisualizeRequest request, Path png) {
        try (Model model = FilterScope.open(modelFile)) {
            Visualization v = new FeatureVisualizer(model).visualize(request);  // seeded: the same request gives the same image
            Png.write(v.picture(), png);
            return v;
        }
    }
}
