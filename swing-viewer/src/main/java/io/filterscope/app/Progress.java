package io.filterscope.app;

import io.filterscope.examples.ExampleSearch;
import io.filterscope.preprocess.ImageBatches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress of a command over a folder of images: on a terminal, one line redrawn in place with a
 * bar, the count, the rate and the time left (at most ten times a second); elsewhere (a pipe, a log
 * file, the tests) nothing but the skipped images, one line each. Skipped images are always told,
 * on a line of their own.
 */
final class Progress implements ExampleSearch.Listener, ImageBatches.Listener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final String what;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;
    private int skipped;

    /**
     * @param err      where to write (stderr)
     * @param terminal whether it is a terminal (redrawn line) or not (only skipped images)
     * @param what     what is counted, e.g. "images"
     */
    Progress(PrintWriter err, boolean terminal, String what) {
        this.err = err;
        this.terminal = terminal;
        this.what = what;
    }

    /**
     * Whether stderr is a terminal. Java 17 can only tell whether the process has a console (stdin
     * and stdout on a terminal); redirecting stdout or stdin turns the bar off too, which errs on
     * the safe side of never writing carriage returns into a file.
     */
    static boolean stderrIsTerminal() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public void progress(int done, int total) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && drawn && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        err.print("\r" + line(done, total, (now - start) / 1e9) + "\033[K");
        if (done >= total) {
            err.println();
        }
        err.flush();
    }

    @Override
    public void skipped(Path file, String reason) {
        skipped++;
        if (terminal && drawn) {
            err.print("\r\033[K");
        }
        err.println("skipped: " + Main.oneLine(reason));
        err.flush();
    }

    int skippedCount() {
        return skipped;
    }

    /** The progress line, e.g. "[#######     ] 1,234/10,000 images  412.0/s  0:21 left". */
    String line(int done, int total, double seconds) {
        int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
        String bar = "[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "]";
        double rate = seconds > 0 ? done / seconds : 0;
        String left = rate > 0 && done < total ? clock((total - done) / rate) + " left" : done >= total ? clock(seconds) + " total" : "--:-- left";
        return String.format(Locale.ROOT, "%s %,d/%,d %s  %.1f/s  %s", bar, done, total, what, rate, left);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
