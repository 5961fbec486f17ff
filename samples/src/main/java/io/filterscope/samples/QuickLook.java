package io.filterscope.samples;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The README's embedding example as a program: the first layer's filters, every feature map of one
 * image, and the top three classes.
 *
 * <pre>java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.QuickLook MODEL.onnx IMAGE.png LABELS.txt OUT_DIR</pre>
 *
 * <p>As the {@code filterscope} command: a wrong argument count prints the usage line, a bad file
 * one line saying what is wrong; both exit with 2. {@code OUT_DIR} is created when missing.
 */
public final class QuickLook {
    static final String USAGE = "usage: QuickLook MODEL IMAGE LABELS OUT_DIR (e.g. QuickLook"
            + " samples/models/fashion-mnist/fashion_cnn.onnx samples/models/fashion-mnist/images/9-ankle-boot.png"
            + " samples/models/fashion-mnist/labels.txt out)";

    private QuickLook() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the sample and returns its exit code: 0 done, 2 bad arguments or files (told in one line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 4) {
            err.println(USAGE);
            return 2;
        }
        try {
            quickLook(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), out);
            return 0;
        } catch (FilterScopeException e) {
            err.println(e.getMessage());
        } catch (UncheckedIOException e) {
            err.println(e.getCause().getMessage() == null ? e.getMessage() : e.getCause().getMessage());
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains(": ") ? e.getMessage().substring(e.getMessage().lastIndexOf(": ") + 2)
                    : e.getClass().getSimpleName();
            err.println(args[3] + ": cannot create this folder (" + why + "); give OUT_DIR a folder that can be written");
        }
        return 2;
    }

    static void quickLook(Path modelFile, Path image, Path labelsFile, Path out, PrintStream print) throws IOException {
        List<String> labels = Predictions.readLabels(labelsFile);
        try (Model model = FilterScope.open(modelFile)) {
            Files.createDirectories(out);
            FilterBank first = model.allFilters().get(0);                     // out × in/groups × kH × kW
            Png.write(GridRenderer.filters(first, GridStyle.filters()), out.resolve("filters.png"));

            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            Activations act = model.capture(Preprocessor.load(image, prep), CaptureRequest.allSpatial());
            for (LayerOutput layer : act.layers()) {                          // one inference for all layers
                Png.write(GridRenderer.featureMaps(layer.featureMaps(0), GridStyle.featureMaps()),
                        out.resolve(Names.sanitize(layer.layer().name()) + ".png"));
            }
            Predictions.topK(act.output(), 0, labels, 3).forEach(print::println);
        }
    }
}
