package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.io.ImageFolder;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preset;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope predict}: the model's top-k classes for an input. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run the model on an input and print the top-k classes with their probabilities.")
final class PredictCommand extends ModelCommand {

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    InputOptions input;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one a line. Default: labels.txt next to the model, if there is one.")
    Path labels;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "How many classes to print. Default: ${DEFAULT-VALUE}.")
    int top;

    @Mixin
    SizeOptions size;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise an --image: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "With a folder of images: images per inference. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--top must be 1 or more, got " + top);
        }
        Optional<Preset> chosenPreset = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        ModelRef ref = modelRef();
        if (labels != null) {
            requireReadable(labels, "a labels file (one class name a line)");
        }
        PrintWriter out = out();
        if (input != null && input.image != null && java.nio.file.Files.isDirectory(input.image)) {
            return predictFolder(ref, chosenPreset, out);
        }
        try (Model model = openModel()) {
            InputOptions.Loaded in = InputOptions.load(input, ref, model.metadata(), chosenPreset, size.rule());
            Tensor output = model.run(in.tensor());
            int batch = output.shape().rank() <= 1 ? 1 : (int) output.shape().dim(0);
            try {
                Predictions.topK(output, 0, List.of(), 1); // checks the output is one row of scores per item
            } catch (FilterScopeException e) {
                throw new FilterScopeException(e.kind(), ref.display() + ": " + e.getMessage(), e);
            }
            int classes = output.size() / Math.max(1, batch);
            LabelFiles.Labels names = LabelFiles.resolve(ref, labels, classes);
            for (int item = 0; item < batch; item++) {
                List<Prediction> preds = Predictions.topK(output, item, names.names(), Math.min(top, classes));
                out.println(ref.display() + " on " + in.file().getFileName()
                        + (batch > 1 ? " (item " + item + " of " + batch + ")" : "")
                        + (names.builtIn() ? " (" + names.source() + "; --labels FILE for others)" : "") + ":");
                List<String[]> rows = new ArrayList<>();
                int rank = 1;
                for (Prediction p : preds) {
                    rows.add(new String[] {
                        String.format(Locale.ROOT, "%2d.", rank++),
                        p.label(),
                        String.format(Locale.ROOT, "%6.2f%%", 100.0 * p.probability()),
                        String.format(Locale.ROOT, "(class %d, score %.3f)", p.index(), p.score())});
                }
                InfoCommand.table(out, null, rows, "  ");
            }
        }
        out.flush();
        return 0;
    }

    /**
     * {@code --image DIR}: one line per image with its top-k classes, in batches, progress on a
     * terminal, unreadable images reported and skipped, a summary line at the end.
     */
    private int predictFolder(ModelRef ref, Optional<Preset> chosenPreset, PrintWriter out) {
        if (batch < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--batch must be 1 or more, got " + batch);
        }
        ImageFolder folder = ImageFolder.of(input.image);
        Progress progress = new Progress(err(), Progress.stderrIsTerminal(), "images");
        long start = System.nanoTime();
        int ran;
        try (Model model = openModel()) {
            Preprocessing prep = Preprocessing.forModel(model.metadata(), chosenPreset);
            LabelFiles.Labels[] names = {null};
            ran = ImageBatches.forEach(folder.files(), prep, size.rule(), model.metadata(), batch, progress, b -> {
                Tensor output = model.run(b.input());
                int items = output.shape().rank() <= 1 ? 1 : (int) output.shape().dim(0);
                if (names[0] == null) {
                    try {
                        Predictions.topK(output, 0, List.of(), 1);
                    } catch (FilterScopeException e) {
                        throw new FilterScopeException(e.kind(), ref.display() + ": " + e.getMessage(), e);
                    }
                    names[0] = LabelFiles.resolve(ref, labels, output.size() / Math.max(1, items));
                    if (names[0].builtIn()) {
                        out.println("(" + names[0].source() + "; --labels FILE for others)");
                    }
                }
                int classes = output.size() / Math.max(1, items);
                // Rows past the batch's images are padding (a model with a fixed batch size).
                for (int item = 0; item < b.size(); item++) {
                    List<Prediction> preds = Predictions.topK(output, item, names[0].names(), Math.min(top, classes));
                    out.println(folder.name(b.files().get(item)) + ": " + preds.stream()
                            .map(p -> String.format(Locale.ROOT, "%s %.2f%%", p.label(), 100.0 * p.probability()))
                            .collect(java.util.stream.Collectors.joining(", ")));
                }
                out.flush();
                output.release();   // lent memory (ONNX) goes to the next batch now, not after a GC
            });
        }
        if (ran == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, input.image + ": none of the " + folder.size() + " images could be read");
        }
        out.println(String.format(Locale.ROOT, "predicted %,d image%s (%d skipped) in %.1f s", ran, ran == 1 ? "" : "s",
                progress.skippedCount(), (System.nanoTime() - start) / 1e9));
        out.flush();
        return 0;
    }
}
