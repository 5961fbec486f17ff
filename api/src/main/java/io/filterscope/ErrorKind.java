package io.filterscope;

/**
 * What went wrong, for hosts that react differently to different failures without reading the
 * message: {@link FilterScopeException#kind()}. The message stays the one line a person reads; the
 * kind is for code.
 *
 * <pre>{@code
 * try (Model m = FilterScope.open(file)) {
 *     ...
 * } catch (FilterScopeException e) {
 *     switch (e.kind()) {
 *         case BACKEND_MISSING -> offerToInstallBackend();
 *         case INPUT_SHAPE -> askForAnotherImage(e.getMessage());
 *         default -> showError(e.getMessage());
 *     }
 * }
 * }</pre>
 *
 * <p>New kinds may be added in later versions; a {@code switch} over them should have a default.
 */
public enum ErrorKind {
    /**
     * The file is claimed by a backend but is not a model it can read: not the format at all,
     * truncated, corrupt, or internally inconsistent (weights that do not fit the graph).
     */
    NOT_A_MODEL,
    /**
     * A readable model that uses something this backend does not support: an operator, a layer
     * type, a graph shape (several inputs), a data type, or a capability the backend lacks (such
     * as gradients, see {@link io.filterscope.model.Model#capabilities()}).
     */
    UNSUPPORTED,
    /**
     * An input whose shape does not fit the model, or a model whose input shape cannot be worked
     * out without being told (see {@link io.filterscope.spi.OpenOptions#withInputShape}).
     */
    INPUT_SHAPE,
    /** A file that does not exist, cannot be read (permissions), or failed while being read. */
    UNREADABLE_FILE,
    /**
     * No installed backend can serve the request: none on the class path, the backend named in
     * {@link io.filterscope.spi.OpenOptions#backend()} is not installed, or no installed backend
     * reads the file (it may be a model for a backend that is not installed, or no model at all).
     */
    BACKEND_MISSING,
    /** A backend's native library (ONNX Runtime, ND4J, HDF5) cannot be loaded on this machine. */
    NATIVE_LIBRARY,
    /** A layer name the model does not have; the message names close matches. */
    UNKNOWN_LAYER,
    /**
     * A value the caller chose that does not fit: a layer without filters asked for filters, an
     * output index out of range, an unknown preset or colormap name, an option out of range.
     */
    INVALID_ARGUMENT,
    /** A data file that is not what it claims to be: an image that cannot be decoded, a bad .npy, a bad labels file. */
    INVALID_DATA,
    /**
     * A file or request that would go past a resource limit: an image that declares more pixels
     * than allowed, a capture whose feature maps exceed the memory budget, parameters larger than
     * the heap can hold. The message says how much is needed and which limit to raise or how to
     * ask for less.
     */
    RESOURCE_LIMIT,
    /** An output file or folder that cannot be written. */
    CANNOT_WRITE,
    /** The model was used after {@link io.filterscope.model.Model#close()}. */
    MODEL_CLOSED,
    /** The runtime failed while running the model, for a reason none of the other kinds names. */
    INFERENCE_FAILED,
    /** Anything else; also the kind of exceptions made without one. */
    OTHER
}
