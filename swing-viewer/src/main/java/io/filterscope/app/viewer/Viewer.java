package io.filterscope.app.viewer;

import io.filterscope.spi.OpenOptions;
import java.awt.AWTError;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import javax.swing.SwingUtilities;

/** Starts the viewer window from the command line and waits until it is closed. */
public final class Viewer {
    /** Exit code when there is no display to open the window on. */
    public static final int EXIT_NO_DISPLAY = 2;

    private Viewer() {
    }

    /**
     * What to open first.
     *
     * @param model         the model file
     * @param modelDisplay  how the title names it
     * @param rememberModel whether it goes into the recent files (not the extracted bundled model)
     * @param image         the input image, if any
     * @param rememberImage whether the image goes into the recent files (not a bundled sample)
     * @param options       backend and provider
     */
    public record Start(Path model, String modelDisplay, boolean rememberModel, Optional<Path> image,
                        boolean rememberImage, OpenOptions options) {
    }

    /**
     * The one line to print instead of opening the window when there is no display, e.g. "No
     * display: the viewer needs a graphical desktop (DISPLAY is not set). Use …"; empty when there is one.
     */
    public static Optional<String> noDisplay() {
        return NoDisplay.current();
    }

    /**
     * Opens the window on {@code start} and blocks until the user closes it.
     *
     * @return 0 when the window was closed, {@link #EXIT_NO_DISPLAY} when there is no display (one
     *         line on {@code err} says so and how to get the pictures with the command line)
     */
    public static int run(Start start, PrintWriter err) {
        Optional<String> noDisplay = NoDisplay.current();
        if (noDisplay.isPresent()) {
            err.println(noDisplay.get());
            err.flush();
            return EXIT_NO_DISPLAY;
        }
        CountDownLatch closed = new CountDownLatch(1);
        // Asking the desktop may start processes (gsettings): not on the event dispatch thread.
        ViewerPreferences prefs = ViewerPreferences.user();
        SystemTheme system = SystemTheme.current();
        boolean dark = prefs.theme().isDark(system);
        try {
            SwingUtilities.invokeAndWait(() -> show(start, prefs, system, dark, closed));
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof AWTError noScreen) {
                return noDisplay(noScreen, err);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (AWTError noScreen) {
            return noDisplay(noScreen, err);
        }
        return 0;
    }

    /** DISPLAY names a display Java cannot reach (no X server there, or not allowed): the same one line. */
    private static int noDisplay(AWTError e, PrintWriter err) {
        err.println(NoDisplay.line(e.getMessage() == null ? "the display cannot be reached" : e.getMessage().strip().replaceAll("\\.$", "")));
        err.flush();
        return EXIT_NO_DISPLAY;
    }

    private static void show(Start start, ViewerPreferences prefs, SystemTheme system, boolean dark, CountDownLatch closed) {
        ViewerFrame.installLookAndFeel(dark);
        ViewerFrame f = new ViewerFrame(prefs, system);
        f.addWindowListener(new java.awt.event.WindowAdapter() {
            @Override
            public void windowClosed(java.awt.event.WindowEvent e) {
                closed.countDown();
            }
        });
        f.setVisible(true);
        f.start(start);
    }
}
