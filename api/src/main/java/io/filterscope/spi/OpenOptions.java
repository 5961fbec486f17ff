package io.filterscope.spi;

import com.google.common.base.Preconditions;
import java.util.Optional;

/**
 * How to open a model.
 *
 * @param backend           the id of the backend to use; empty picks the one that claims the file
 * @param executionProvider where to run inference
 * @param intraOpThreads    threads inside one operator; 0 lets the backend decide
 * @param interOpThreads    threads across operators; 0 lets the backend decide
 */
public record OpenOptions(Optional<String> backend, ExecutionProvider executionProvider, int intraOpThreads, int interOpThreads) {

    public OpenOptions {
        Preconditions.checkArgument(intraOpThreads >= 0, "intra-op threads must be >= 0, got %s", intraOpThreads);
        Preconditions.checkArgument(interOpThreads >= 0, "inter-op threads must be >= 0, got %s", interOpThreads);
    }

    /** CPU, backend chosen by file, thread counts left to the backend. */
    public static OpenOptions defaults() {
        return new OpenOptions(Optional.empty(), ExecutionProvider.CPU, 0, 0);
    }

    public OpenOptions withBackend(String id) {
        return new OpenOptions(Optional.of(id), executionProvider, intraOpThreads, interOpThreads);
    }

    public OpenOptions withExecutionProvider(ExecutionProvider ep) {
        return new OpenOptions(backend, ep, intraOpThreads, interOpThreads);
    }

    public OpenOptions withThreads(int intraOp, int interOp) {
        return new OpenOptions(backend, executionProvider, intraOp, interOp);
    }
}
