package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
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
}
