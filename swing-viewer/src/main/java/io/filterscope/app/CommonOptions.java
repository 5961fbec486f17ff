package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.spi.OpenOptions;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** Options every model command takes: which backend, and how much to say. */
public final class CommonOptions {

    @Option(names = "--backend", paramLabel = "ID",
            description = "Backend to open the model with, e.g. onnx (default: the one that reads the file).")
    String backend;

    @Option(names = "--input-shape", paramLabel = "CxHxW",
            description = "Input size of a DL4J network saved without it, e.g. 1x28x28 (channels x height x width; one number for a flat input).")
    String inputShape;

    /**
     * The command line's fallback for {@code --input-shape}: {@code -Dfilterscope.dl4j.inputShape=1x28x28}.
     * Read here and passed on through {@link OpenOptions#withInputShape}; no backend reads it.
     */
    static final String INPUT_SHAPE_PROPERTY = "filterscope.dl4j.inputShape";

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors, and more log output.")
    boolean verbose;

    /** The options to open a model with, for commands that run no inference (CPU, backend's threads). */
    OpenOptions openOptions() {
        OpenOptions o = OpenOptions.defaults();
        String property = System.getProperty(INPUT_SHAPE_PROPERTY);
        if (inputShape != null) {
            o = o.withInputShape(parseShape(inputShape, "--input-shape " + inputShape));
        } else if (property != null && !property.isBlank()) {
            o = o.withInputShape(parseShape(property, "-D" + INPUT_SHAPE_PROPERTY + "=" + property));
        }
        return backend == null || backend.isBlank() ? o : o.withBackend(backend.trim());
    }

    /**
     * "1x28x28" (also 1×28×28 or 1,28,28) as sizes; one line saying how to write it otherwise.
     *
     * @param given how the user wrote it, for the message ({@code --input-shape twelve})
     */
    static long[] parseShape(String text, String given) {
        try {
            long[] dims = Arrays.stream(text.trim().split("[x×,]")).mapToLong(t -> Long.parseLong(t.trim())).toArray();
            if (dims.length == 0 || Arrays.stream(dims).anyMatch(d -> d < 1)) {
                throw new NumberFormatException(text);
            }
            return dims;
        } catch (NumberFormatException e) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT,
                    given + " is not channels×height×width; write it like 1x28x28");
        }
    }
}
