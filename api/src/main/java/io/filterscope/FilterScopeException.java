package io.filterscope;

/**
 * A problem with what the user gave (a file, a name, a shape) or with the environment, told in one
 * line that names the file or value and what to do. Tools print {@link #getMessage()} alone.
 */
public class FilterScopeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FilterScopeException(String message) {
        super(message);
    }

    public FilterScopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
