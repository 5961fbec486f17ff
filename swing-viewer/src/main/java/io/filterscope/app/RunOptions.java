package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import picocli.CommandLine.Option;

/**
 * Where and how inference runs: only the commands that run the model take these ({@code info} and
 * {@code filters} read weights and metadata, which the device does not change).
 */
public final class RunOptions {

    @Option(names = "--provider", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "Where to run inference: cpu or cuda (falls back to cpu with a warning). Default: ${DEFAULT-VALUE}.")
    ExecutionProvider provider;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads inside one operator; 0 lets the backend decide. Default: ${DEFAULT-VALUE}.")
    int threads;

    /** {@code base} with the provider and thread count given on the command line. */
    OpenOptions apply(OpenOptions base) {
        if (threads < 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--threads must be 0 (let the backend decide) or more, got " + threads);
        }
        return base.withExecutionProvider(provider).withThreads(threads, 0);
    }
}
