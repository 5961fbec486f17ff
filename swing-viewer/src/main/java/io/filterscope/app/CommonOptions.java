package io.filterscope.app;

import io.filterscope.spi.OpenOptions;
import picocli.CommandLine.Option;

/** Options every model command takes: which backend, and how much to say. */
public final class CommonOptions {

    @Option(names = "--backend", paramLabel = "ID",
            description = "Backend to open the model with, e.g. onnx (default: the one that reads the file).")
    String backend;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors, and more log output.")
    boolean verbose;

    /** The options to open a model with, for commands that run no inference (CPU, backend's threads). */
    OpenOptions openOptions() {
        OpenOptions o = OpenOptions.defaults();
        return backend == null || backend.isBlank() ? o : o.withBackend(backend.trim());
    }
}
