package io.filterscope.spi;

import io.filterscope.model.Model;
import java.nio.file.Path;

/**
 * A way to open model files, found with {@link java.util.ServiceLoader}. Implementations list
 * themselves in {@code META-INF/services/io.filterscope.spi.ModelBackend}, must have a public
 * no-argument constructor, and should keep that constructor cheap: heavy native libraries are
 * loaded in {@link #open}, so users of other backends pay nothing for this one.
 */
public interface ModelBackend {

    /** A short stable id, e.g. "onnx", used in options and on the command line. */
    String id();

    /** What files this backend reads, for messages, e.g. "ONNX models (*.onnx)". */
    String describeFiles();

    /**
     * Whether this backend reads the file, judged cheaply from its name and first bytes. Must not
     * throw for unreadable files: {@link #open} reports those.
     */
    boolean claims(Path file);

    /**
     * Opens the model.
     *
     * @throws io.filterscope.FilterScopeException with a one-line message naming the file when it
     *         cannot be read
     */
    Model open(Path file, OpenOptions options);
}
