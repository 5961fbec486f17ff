package io.filterscope.app;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
