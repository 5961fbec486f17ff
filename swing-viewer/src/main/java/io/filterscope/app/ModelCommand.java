package io.filterscope.app;

import io.filterscope.FilterScope;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command that works on one model: the optional MODEL argument and the common options. */
abstract class ModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "The model file, e.g. model.onnx. Default: the bundled Fashion-MNIST model.")
    Path modelFile;

    /** The model to open: the one given, or the bundled one. */
    record ModelRef(Path file, String display, boolean bundled) {
    }

    private ModelRef resolved;

    ModelRef modelRef() {
        if (resolved == null) {
            if (modelFile != null) {
                resolved = new ModelRef(modelFile, modelFile.toString(), false);
            } else {
                Path p = BundledModel.get().model();
                resolved = new ModelRef(p, BundledModel.displayName(p), true);
            }
        }
        return resolved;
    }

    Model openModel() {
        return FilterScope.open(modelRef().file(), openOptions());
    }

    /** How to open the model; commands that run inference add {@link RunOptions}. */
    OpenOptions openOptions() {
        return common.openOptions();
    }

    boolean verbose() {
        return common != null && common.verbose;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Fails with a one-line message when {@code file} is not a readable regular file. */
    static void requireReadable(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": is a folder; give the path of " + what);
        }
        if (!Files.isRegularFile(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give the path of " + what);
        }
        if (!Files.isReadable(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read; check its permissions");
        }
    }
}
