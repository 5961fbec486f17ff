package io.filterscope.spi;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Shape;
import java.util.Optional;

/**
 * How to open a model. Every option is backend-neutral: a backend reads the ones that mean
 * something to it and ignores the rest.
 *
 * @param backend           the id of the backend to use; empty picks the one that claims the file
 * @param executionProvider where to run inference
 * @param intraOpThreads    threads inside one operator; 0 lets the backend decide
 * @param interOpThreads    threads across operators; 0 lets the backend decide
 * @param inputShape        the shape of one input item, without the batch dimension, for models
 *                          whose file does not record it: channels × height × width for images
 *                          (in that order whatever the model's layout), or one feature count.
 *                          Empty lets the backend work it out from the file. The DL4J backend
 *                          needs it for networks saved without their input size; it takes
 *                          precedence over a shape stored in the file. Backends read no system
 *                          property for it (the command line maps its {@code --input-shape}, or
 *                          the fallback {@code -Dfilterscope.dl4j.inputShape}, onto this). Backends
 *                          whose files always declare their input shape (ONNX) ignore it.
 */
public record OpenOptions(Optional<String> backend, ExecutionProvider executionProvider, int intraOpThreads, int interOpThreads,
                          Optional<Shape> inputShape) {

    public OpenOptions {
        Preconditions.checkArgument(intraOpThreads >= 0, "intra-op threads must be >= 0, got %s", intraOpThreads);
        Preconditions.checkArgument(interOpThreads >= 0, "inter-op threads must be >= 0, got %s", interOpThreads);
        inputShape.ifPresent(s -> Preconditions.checkArgument(s.isStatic() && s.rank() > 0 && s.size() > 0,
                "input shape must have known, positive dimensions, got %s", s));
    }

    /** Options without an input shape (the form before {@link #inputShape()} existed). */
    public OpenOptions(Optional<String> backend, ExecutionProvider executionProvider, int intraOpThreads, int interOpThreads) {
        this(backend, executionProvider, intraOpThreads, interOpThreads, Optional.empty());
    }

    /** CPU, backend chosen by file, thread counts left to the backend, input shape from the file. */
    public static OpenOptions defaults() {
        return new OpenOptions(Optional.empty(), ExecutionProvider.CPU, 0, 0, Optional.empty());
    }

    public OpenOptions withBackend(String id) {
        return new OpenOptions(Optional.of(id), executionProvider, intraOpThreads, interOpThreads, inputShape);
    }

    public OpenOptions withExecutionProvider(ExecutionProvider ep) {
        return new OpenOptions(backend, ep, intraOpThreads, interOpThreads, inputShape);
    }

    public OpenOptions withThreads(int intraOp, int interOp) {
        return new OpenOptions(backend, executionProvider, intraOp, interOp, inputShape);
    }

    /**
     * The same options with the shape of one input item: {@code withInputShape(1, 28, 28)} for a
     * 28 × 28 gray image (channels, height, width), {@code withInputShape(784)} for a flat input.
     * See {@link #inputShape()}.
     */
    public OpenOptions withInputShape(long... dims) {
        return new OpenOptions(backend, executionProvider, intraOpThreads, interOpThreads, Optional.of(Shape.of(dims)));
    }
}
