package io.filterscope.samples;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.Png;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The README's Grad-CAM example as a program: which parts of an image made the model choose its top
 * class, overlaid on the image. Needs a model with gradients (a DL4J zip or a Keras file); use
 * {@link Method#SCORE_CAM} for any model.
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.GradCam MODEL IMAGE OUT.png [METHOD]</pre>
 */
public final class GradCam {
    static final String USAGE = "usage: GradCam MODEL IMAGE OUT.png [METHOD] (e.g. GradCam"
            + " samples/models/fashion-mnist/fashion_cnn_keras.keras samples/models/fashion-mnist/images/6-shirt.png"
            + " gradcam.png; METHOD: gradcam (default), scorecam, ... as `filterscope explain --method`)";

    private GradCam() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the sample and returns its exit code: 0 done, 2 bad arguments or files (told in one line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 3 && args.length != 4) {
            err.println(USAGE);
            return 2;
        }
        try {
            Method method = args.length == 4 ? Method.parse(args[3]) : Method.GRAD_CAM;
            Explanation e = explain(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), method);
            out.println(method + " of class " + e.outputIndex() + " (score " + e.score() + ") at "
                    + e.layer().orElse("the input") + " -> " + args[2]);
            return 0;
        } catch (FilterScopeException e) {
            err.println(e.getMessage());
        } catch (UncheckedIOException e) {
            err.println(args[2] + ": cannot be written (" + e.getCause().getMessage() + ")");
        }
        return 2;
    }

    static Explanation explain(Path modelFile, Path imageFile, Path png, Method method) {
        try (Model model = FilterScope.open(modelFile)) {
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            Tensor input = Preprocessor.load(imageFile, prep);
            Explanation e = new Explainer(model).explain(input, ExplainRequest.of(method));  // top-1 class, last spatial layer
            BufferedImage seen = Preprocessor.toImage(input, prep);                           // the image as the model saw it
            Png.write(e.heatmap().overlay(seen, Colormap.INFERNO, 0.5f), png);
            return e;
        }
    }
}
