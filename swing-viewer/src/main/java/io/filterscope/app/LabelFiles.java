package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.predict.ImageNetClasses;
import io.filterscope.predict.Predictions;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where class names for a model are found when none are given: {@code labels.txt} in the model's folder. */
public final class LabelFiles {
    /** The file name looked for beside a model. */
    public static final String NAME = "labels.txt";

    private LabelFiles() {
    }

    /** {@code labels.txt} in the folder of {@code model}, when there is a readable one. */
    public static Optional<Path> besideModel(Path model) {
        Path parent = model.toAbsolutePath().getParent();
        Path beside = parent == null ? null : parent.resolve(NAME);
        return beside != null && Files.isRegularFile(beside) && Files.isReadable(beside) ? Optional.of(beside) : Optional.empty();
    }

    /**
     * Class names and where they came from.
     *
     * @param names  one per class; empty when there are none (predictions say "class N")
     * @param source the file they were read from, {@link ImageNetClasses#DESCRIPTION}, or "none"
     */
    record Labels(List<String> names, String source) {
        boolean builtIn() {
            return source.equals(ImageNetClasses.DESCRIPTION);
        }
    }

    /**
     * The class names for a model with {@code classes} outputs: {@code given} (--labels, which must
     * match), else the bundled labels for the bundled model, else {@code labels.txt} beside the model
     * when it has one name per class, else the built-in ImageNet names for a 1,000-way output.
     */
    static Labels resolve(ModelCommand.ModelRef model, Path given, int classes) {
        if (given != null) {
            List<String> names = read(given);
            if (names.size() != classes) {
                throw new FilterScopeException(ErrorKind.INVALID_DATA, given + ": has " + names.size() + " labels but the model outputs " + classes + " classes");
            }
            return new Labels(names, given.toString());
        }
        Optional<Path> file = model.bundled() ? Optional.of(BundledModel.get().labels()) : besideModel(model.file());
        if (file.isPresent()) {
            List<String> names = read(file.get());
            if (names.size() == classes) {
                return new Labels(names, model.bundled() ? "bundled:" + NAME : file.get().toString());
            }
        }
        return ImageNetClasses.forClasses(classes).map(n -> new Labels(n, ImageNetClasses.DESCRIPTION))
                .orElse(new Labels(List.of(), "none"));
    }

    private static List<String> read(Path file) {
        ModelCommand.requireReadable(file, "a labels file (one class name a line)");
        try {
            return Predictions.readLabels(file);
        } catch (UncheckedIOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getCause().getMessage() + ")", e);
        }
    }
}
