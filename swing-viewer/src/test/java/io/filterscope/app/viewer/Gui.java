package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.render.Colormap;
import java.awt.AWTEvent;
import java.awt.Component;
import java.awt.Container;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.AWTEventListener;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JDialog;
import javax.swing.JOptionPane;
import javax.swing.LookAndFeel;
import javax.swing.UIManager;
import javax.swing.UnsupportedLookAndFeelException;
import javax.swing.SwingUtilities;

/** Drives real windows for the GUI tests: the event dispatch thread, Robot screenshots, dialogs, pixel counts. */
final class Gui {
    private static Robot robot;

    private Gui() {
    }

    /** The look and feel in use now; tests that switch it put it back with {@link #restore}, so later tests in the JVM see the one they expect. */
    static LookAndFeel lookAndFeel() {
        return UIManager.getLookAndFeel();
    }

    /** Reinstalls {@code laf} and updates every window. */
    static void restore(LookAndFeel laf) {
        edt(() -> {
            try {
                UIManager.setLookAndFeel(laf);
            } catch (UnsupportedLookAndFeelException e) {
                throw new IllegalStateException(e);
            }
            for (Window w : Window.getWindows()) {
                SwingUtilities.updateComponentTreeUI(w);
            }
        });
    }

    /** Fails (never skips) when there is no display, saying how to get one. */
    static void requireDisplay() {
        if (GraphicsEnvironment.isHeadless()) {
            fail("the GUI tests need a display: run them under `xvfb-run -a ./mvnw ...` (java.awt.headless="
                    + System.getProperty("java.awt.headless") + ", DISPLAY=" + System.getenv("DISPLAY") + ")");
        }
    }

    /** Runs {@code c} on the event dispatch thread and gives its result. */
    static <T> T edt(Callable<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        try {
            SwingUtilities.invokeAndWait(() -> {
                try {
                    out.set(c.call());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return out.get();
    }

    static void edt(Runnable r) {
        edt(() -> {
            r.run();
            return null;
        });
    }

    /** What is on the screen where {@code c} is, once every queued event (repaints included) has run. */
    static BufferedImage screenshot(Component c) {
        Robot r = robot();
        edt(() -> Toolkit.getDefaultToolkit().sync());
        r.waitForIdle();
        Rectangle bounds = edt(() -> new Rectangle(c.getLocationOnScreen(), c.getSize()));
        return r.createScreenCapture(bounds);
    }

    private static synchronized Robot robot() {
        if (robot == null) {
            try {
                robot = new Robot();
            } catch (java.awt.AWTException e) {
                throw new IllegalStateException(e);
            }
        }
        return robot;
    }

    /** Records every dialog that opens from its creation until {@link #close()}. */
    static final class DialogWatch implements AutoCloseable {
        private final BlockingQueue<JDialog> opened = new LinkedBlockingQueue<>();
        private final AWTEventListener listener = e -> {
            if (e.getID() == WindowEvent.WINDOW_OPENED && e.getSource() instanceof JDialog d) {
                opened.add(d);
            }
        };

        DialogWatch() {
            Toolkit.getDefaultToolkit().addAWTEventListener(listener, AWTEvent.WINDOW_EVENT_MASK);
        }

        /**
         * The message of the next dialog that opens, checked to be among {@link Window#getWindows()}
         * and showing; the dialog is closed.
         */
        String nextMessage() throws InterruptedException {
            JDialog d = opened.poll(30, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no dialog opened within 30 s");
            }
            return readAndClose(d);
        }

        /** The messages of dialogs that opened and were not taken with {@link #nextMessage()}, once the event queue is empty; closes them. */
        List<String> untaken() {
            Robot r = robot();
            edt(() -> Toolkit.getDefaultToolkit().sync());
            r.waitForIdle();
            List<String> out = new ArrayList<>();
            for (JDialog d; (d = opened.poll()) != null; ) {
                out.add(readAndClose(d));
            }
            return out;
        }

        @Override
        public void close() {
            Toolkit.getDefaultToolkit().removeAWTEventListener(listener);
        }
    }

    private static String readAndClose(JDialog d) {
        return edt(() -> {
            boolean listed = false;
            for (Window w : Window.getWindows()) {
                listed |= w == d && w.isShowing();
            }
            if (!listed) {
                throw new AssertionError("the dialog is not among the showing windows");
            }
            String message = find(d, JOptionPane.class).map(p -> String.valueOf(p.getMessage())).orElse("<no JOptionPane>");
            d.dispose();
            return message;
        });
    }

    /** The component named {@code name} inside {@code root}, depth first. */
    static Optional<Component> named(Component root, String name) {
        if (name.equals(root.getName())) {
            return Optional.of(root);
        }
        if (root instanceof Container c) {
            for (Component child : c.getComponents()) {
                Optional<Component> f = named(child, name);
                if (f.isPresent()) {
                    return f;
                }
            }
        }
        return Optional.empty();
    }

    /** The first component of {@code type} inside {@code root}, depth first. */
    static <T> Optional<T> find(Component root, Class<T> type) {
        if (type.isInstance(root)) {
            return Optional.of(type.cast(root));
        }
        if (root instanceof Container c) {
            for (Component child : c.getComponents()) {
                Optional<T> f = find(child, type);
                if (f.isPresent()) {
                    return f;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * How many pixels are clearly coloured (not gray) and within a few levels of an entry of
     * {@code map}: the grid cells drawn with that colormap.
     */
    static int colourfulPixelsOf(BufferedImage img, Colormap map) {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            table[i] = map.rgb((i + 0.5) / 256);
        }
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int r = (p >> 16) & 0xff;
                int g = (p >> 8) & 0xff;
                int b = p & 0xff;
                int max = Math.max(r, Math.max(g, b));
                int min = Math.min(r, Math.min(g, b));
                if (max - min < 60) {
                    continue; // gray: the UI, or dark ends that several maps share
                }
                for (int t : table) {
                    if (Math.abs(r - ((t >> 16) & 0xff)) + Math.abs(g - ((t >> 8) & 0xff)) + Math.abs(b - (t & 0xff)) <= 6) {
                        count++;
                        break;
                    }
                }
            }
        }
        return count;
    }

    /** The fraction of pixels that differ between two images of the same size. */
    static double differingFraction(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return 1;
        }
        long diff = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    diff++;
                }
            }
        }
        return diff / (double) ((long) a.getWidth() * a.getHeight());
    }

    /** Mean luminance (0..255) of a small square around (x, y). */
    static double luminance(BufferedImage img, int x, int y) {
        List<Double> v = new ArrayList<>();
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                int p = img.getRGB(Math.min(img.getWidth() - 1, Math.max(0, x + dx)), Math.min(img.getHeight() - 1, Math.max(0, y + dy)));
                v.add(0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff));
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
