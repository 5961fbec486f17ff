package io.filterscope.dl4j.keras;

/** Turns a library's exception into the short cause inside a one-line FilterScope message. */
final class Messages {
    private Messages() {
    }

    /** The first line of the message, or the exception's class when it has none. */
    static String cause(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
