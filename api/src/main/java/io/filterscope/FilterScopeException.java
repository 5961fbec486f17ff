package io.filterscope;

import java.util.Objects;

/**
 * A problem with what the user gave (a file, a name, a shape) or with the environment, told in one
 * line that names the file or value and what to do. Tools print {@link #getMessage()} alone.
 *
 * <p>{@link #kind()} says what went wrong for code that must tell failures apart (not a model,
 * unsupported operator or layer, wrong input shape, unreadable file, backend missing, native
 * library cannot load, ...) without parsing the message. Every exception thrown by the api and the
 * bundled backends carries a kind; the constructors without one give {@link ErrorKind#OTHER} and
 * remain for callers that have nothing more specific to say.
 */
public class FilterScopeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    /** An exception of the given kind. */
    public FilterScopeException(ErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** An exception of the given kind with its cause. */
    public FilterScopeException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** An exception of kind {@link ErrorKind#OTHER}. */
    public FilterScopeException(String message) {
        this(ErrorKind.OTHER, message);
    }

    /** An exception of kind {@link ErrorKind#OTHER} with its cause. */
    public FilterScopeException(String message, Throwable cause) {
        this(ErrorKind.OTHER, message, cause);
    }

    /** What went wrong, for code; the message is for people. */
    public ErrorKind kind() {
        return kind;
    }
}
