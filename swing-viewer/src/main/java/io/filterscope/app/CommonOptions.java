package io.filterscope.app;

import io.filterscope.FilterScopeException;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import picocli.CommandLine.Option;

/** Options every model command takes: which backend and device, how many threads, how much to say. */
public final class CommonOptions {

    @Option(names = "--backend", paramLabel = "ID",
            description = "Backend to open the model with, e.g. onnx (default: the one that reads the file).")
    String backend;

    @Option(names = "--provider", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "Where to run inference: cpu or cuda (falls back to cpu with a warning). Default: ${DEFAULT-VALUE}.")
    ExecutionProvider provider;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads inside one operator; 0 lets the backend decide. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors, and more log output.")
    boolean verbose;

    /** The options to open a model with. */
    OpenOptions openOptions() {
        if (threads < 0) {
            throw new FilterScopeException("--threads must be 0 (let the backend decide) or more, got " + threads);
        }
        OpenOptions o = OpenOptions.defaults().withExecutionProvider(provider).withThreads(threads, 0);
        return backend == null || backend.isBlank() ? o : o.withBackend(backend.trim());
    }
}
