package io.filterscope.app.viewer;

import java.util.Optional;

/** The one line the viewer prints instead of a HeadlessException when there is no screen to open a window on. */
final class NoDisplay {
    private NoDisplay() {
    }

    /**
     * The line to print when the viewer cannot open a window, or empty when it can.
     *
     * @param headless     {@link java.awt.GraphicsEnvironment#isHeadless()}
     * @param headlessFlag the {@code java.awt.headless} system property
     * @param display      the {@code DISPLAY} environment variable (X11), may be null
     */
    static Optional<String> message(boolean headless, String headlessFlag, String display) {
        if (!headless) {
            return Optional.empty();
        }
        String why;
        if ("true".equalsIgnoreCase(headlessFlag)) {
            why = "java.awt.headless is true";
        } else if (display == null || display.isBlank()) {
            why = "DISPLAY is not set";
        } else {
            why = "Java found no screen on DISPLAY=" + display;
        }
        return Optional.of(line(why));
    }

    /** The line, with why there is no display, e.g. the toolkit's own "Can't connect to X11 window server …". */
    static String line(String why) {
        return "No display: the viewer needs a graphical desktop (" + why + "). Use `java -jar filterscope.jar "
                + "filters|activations|predict …` to write the same pictures as PNG files (see `--help`).";
    }

    /** The line for this process, or empty when it can open windows. */
    static Optional<String> current() {
        return message(java.awt.GraphicsEnvironment.isHeadless(), System.getProperty("java.awt.headless"),
                System.getenv("DISPLAY"));
    }
}
