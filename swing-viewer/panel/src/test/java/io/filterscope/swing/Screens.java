package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.AWTException;
import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.awt.MouseInfo;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JComponent;
import javax.swing.JToolTip;
import javax.swing.SwingUtilities;
import javax.swing.ToolTipManager;

/**
 * Helpers for tests that look at real windows: running code on the EDT, screenshots of components
 * with {@link Robot}, and counting and comparing pixels. Tests that use it are tagged "gui" and run
 * with a display (CI: under {@code xvfb-run -a}).
 */
public final class Screens {
    private static Robot robot;

    private Screens() {
    }

    /** Fails, naming the fix, when there is no display: GUI tests must not pass by being skipped. */
    public static void requireDisplay() {
        if (GraphicsEnvironment.isHeadless()) {
            fail("this GUI test needs a display but java.awt.headless is true; run it with -Djava.awt.headless=false under a display, "
                    + "e.g. xvfb-run -a ./mvnw -B verify");
        }
        if (System.getProperty("os.name", "").startsWith("Linux") && System.getenv("DISPLAY") == null) {
            fail("this GUI test needs a display and DISPLAY is not set; run the build under xvfb-run -a (xvfb-run -a ./mvnw -B verify)");
        }
    }

    /** The shared robot; its waitForIdle is how tests wait for painting, never a sleep. */
    public static synchronized Robot robot() {
        if (robot == null) {
            try {
                robot = new Robot();
            } catch (AWTException e) {
                throw new AssertionError("cannot create a java.awt.Robot on this display: " + e.getMessage(), e);
            }
            robot.setAutoWaitForIdle(true);
        }
        return robot;
    }

    /** Runs {@code task} on the EDT and waits for it. */
    public static void onEdt(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Runs {@code task} on the EDT and returns its result; its exceptions are rethrown here. */
    public static <T> T call(Callable<T> task) {
        if (SwingUtilities.isEventDispatchThread()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new RuntimeException(e);
            }
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try {
            SwingUtilities.invokeAndWait(() -> {
                try {
                    result.set(task.call());
                } catch (Exception e) {
                    failure.set(e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
        if (failure.get() != null) {
            Exception e = failure.get();
            throw e instanceof RuntimeException r ? r : new RuntimeException(e);
        }
        return result.get();
    }

    /** Waits until every queued event (repaints included) is processed and the X server has drawn. */
    public static void settle() {
        onEdt(() -> Toolkit.getDefaultToolkit().sync());
        robot().waitForIdle();
    }

    /**
     * How long a wait may take before it counts as a hang. Waits end as soon as their condition
     * holds; this only bounds them, generously, because a loaded CI machine can stall a window for
     * seconds.
     */
    public static final long HANG_BOUND_S = 60;

    /**
     * Settles until {@code condition} (called on the EDT) holds. Robot input goes through the X
     * server and reaches the event queue when it does: one settle can come too early on a loaded
     * machine.
     */
    public static void waitUntil(Callable<Boolean> condition, String what) {
        waitFor(() -> call(condition), what);
    }

    /**
     * Settles until {@code condition} (called on this thread, so it may take screenshots) holds,
     * failing with {@code what} after {@link #HANG_BOUND_S} seconds.
     */
    public static void waitFor(Callable<Boolean> condition, String what) {
        waitFor(condition, what, true);
    }

    /**
     * Waits until {@code condition} (called on the EDT) holds, without the Robot: for headless
     * tests, whose state changes arrive through the event queue alone. Fails with {@code what}
     * after {@link #HANG_BOUND_S} seconds.
     */
    public static void waitHeadless(Callable<Boolean> condition, String what) {
        waitFor(() -> call(condition), what, false);
    }

    private static void waitFor(Callable<Boolean> condition, String what, boolean settle) {
        long deadline = System.nanoTime() + HANG_BOUND_S * 1_000_000_000L;
        // The condition is asked first: a settle (a Robot.waitForIdle, a round trip through the X
        // server and the event queue) costs up to a second on a loaded machine, and most conditions
        // already hold because the Robot waited for its own input to arrive.
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                fail("waited " + HANG_BOUND_S + " s for " + what);
            }
            try {
                Thread.sleep(20);   // polling the screen state, not synchronising on it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
            if (settle) {
                settle();
            }
        }
    }

    private static boolean holds(Callable<Boolean> condition) {
        try {
            return Boolean.TRUE.equals(condition.call());
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new RuntimeException(e);
        }
    }

    /**
     * Moves the pointer to the screen's bottom-right corner, outside every test window, and waits
     * until it is there and no tooltip shows. A pointer that an earlier test left over a grid makes
     * Swing open a tooltip there when the view under it changes, and the tooltip lands in later
     * screenshots (a flaky pixel comparison). Tests that move the pointer start from here.
     */
    public static void parkPointer() {
        Rectangle screen = call(() -> GraphicsEnvironment.getLocalGraphicsEnvironment().getDefaultScreenDevice()
                .getDefaultConfiguration().getBounds());
        Point corner = new Point(screen.x + screen.width - 1, screen.y + screen.height - 1);
        if (corner.equals(MouseInfo.getPointerInfo().getLocation()) && !call(Screens::tooltipShowing)) {
            return; // most tests leave the pointer where it was parked
        }
        robot().mouseMove(corner.x, corner.y);
        onEdt(() -> {
            // Hides a tip already open; moving away also does, once the exit event arrives.
            ToolTipManager.sharedInstance().setEnabled(false);
            ToolTipManager.sharedInstance().setEnabled(true);
        });
        waitUntil(() -> corner.equals(MouseInfo.getPointerInfo().getLocation()) && !tooltipShowing(),
                "the pointer to rest at " + corner.x + "," + corner.y + " with no tooltip open");
    }

    private static boolean tooltipShowing() {
        for (Window w : Window.getWindows()) {
            if (w.isShowing() && containsShowing(w, JToolTip.class)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsShowing(Component c, Class<?> type) {
        if (type.isInstance(c) && c.isShowing()) {
            return true;
        }
        if (c instanceof java.awt.Container k) {
            for (Component child : k.getComponents()) {
                if (containsShowing(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A screenshot of the component's whole on-screen area. */
    public static BufferedImage shoot(Component c) {
        settle();
        Rectangle r = call(() -> new Rectangle(c.getLocationOnScreen(), c.getSize()));
        return robot().createScreenCapture(r);
    }

    /** A screenshot of the part of {@code c} that is visible (inside its scroll pane's viewport). */
    public static BufferedImage shootVisible(JComponent c) {
        settle();
        Rectangle r = call(() -> {
            Rectangle v = c.getVisibleRect();
            Point p = c.getLocationOnScreen();
            return new Rectangle(p.x + v.x, p.y + v.y, v.width, v.height);
        });
        return robot().createScreenCapture(r);
    }

    /** Where the component's top-left corner is on screen. */
    public static Point onScreen(Component c, int x, int y) {
        return call(() -> {
            Point p = c.getLocationOnScreen();
            return new Point(p.x + x, p.y + y);
        });
    }

    /** The component painted into an image at its current size (no screen involved). */
    public static BufferedImage paint(JComponent c) {
        return call(() -> {
            BufferedImage img = new BufferedImage(c.getWidth(), c.getHeight(), BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            c.paint(g);
            g.dispose();
            return img;
        });
    }

    /**
     * The number of 4-connected regions of pixels different from {@code background} whose bounding
     * box is at least {@code minSize} pixels wide and high (tiles; text and thin bars stay below it).
     */
    public static int regions(BufferedImage img, int background, int minSize) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean[] seen = new boolean[w * h];
        int count = 0;
        ArrayDeque<int[]> stack = new ArrayDeque<>();
        for (int y0 = 0; y0 < h; y0++) {
            for (int x0 = 0; x0 < w; x0++) {
                if (seen[y0 * w + x0] || (img.getRGB(x0, y0) & 0xffffff) == background) {
                    continue;
                }
                int minX = x0;
                int maxX = x0;
                int minY = y0;
                int maxY = y0;
                seen[y0 * w + x0] = true;
                stack.push(new int[] {x0, y0});
                while (!stack.isEmpty()) {
                    int[] p = stack.pop();
                    minX = Math.min(minX, p[0]);
                    maxX = Math.max(maxX, p[0]);
                    minY = Math.min(minY, p[1]);
                    maxY = Math.max(maxY, p[1]);
                    int[][] next = {{p[0] + 1, p[1]}, {p[0] - 1, p[1]}, {p[0], p[1] + 1}, {p[0], p[1] - 1}};
                    for (int[] q : next) {
                        if (q[0] >= 0 && q[1] >= 0 && q[0] < w && q[1] < h && !seen[q[1] * w + q[0]]
                                && (img.getRGB(q[0], q[1]) & 0xffffff) != background) {
                            seen[q[1] * w + q[0]] = true;
                            stack.push(q);
                        }
                    }
                }
                if (maxX - minX + 1 >= minSize && maxY - minY + 1 >= minSize) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Asserts that {@code actual} shows {@code expected}'s top-left corner pixel for pixel (RGB). */
    public static void assertSameTopLeft(BufferedImage expected, BufferedImage actual) {
        int w = Math.min(expected.getWidth(), actual.getWidth());
        int h = Math.min(expected.getHeight(), actual.getHeight());
        if (w < 16 || h < 16) {
            fail("too little of the image is visible to compare: " + w + "×" + h);
        }
        assertSameRegion(expected, 0, 0, actual, 0, 0, w, h);
    }

    /** Asserts equal RGB over a w × h region at (ex, ey) of {@code expected} and (ax, ay) of {@code actual}. */
    public static void assertSameRegion(BufferedImage expected, int ex, int ey, BufferedImage actual, int ax, int ay, int w, int h) {
        int differ = 0;
        String first = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int e = expected.getRGB(ex + x, ey + y) & 0xffffff;
                int a = actual.getRGB(ax + x, ay + y) & 0xffffff;
                if (e != a) {
                    differ++;
                    if (first == null) {
                        first = String.format("(%d, %d): expected %06x, got %06x", x, y, e, a);
                    }
                }
            }
        }
        if (differ > 0) {
            fail(differ + " of " + (w * h) + " pixels differ; first at " + first);
        }
    }
}
