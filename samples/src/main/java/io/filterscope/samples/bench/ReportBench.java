package io.filterscope.samples.bench;

import io.filterscope.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark harness: {@code filterscope report} of a large model (a ResNet-50) in the same JVM,
 * {@code --explain auto} against {@code --explain none}, interleaved round by round (the order
 * alternating), timed from the command line to the written file; the HTML file's size and what it
 * holds (pictures, all lazy; sections, all closed but the summary); and the time Debian's chromium,
 * headless, takes to load and paint it (a screenshot), against the same for a one-line page, also
 * interleaved.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.ReportBench MODEL.onnx IMAGE_DIR WORK_DIR [ROUNDS [MAX_IMAGES]]</pre>
 *
 * ROUNDS 0: one report only ({@code --explain none}, not warmed up), its size and Chromium's time.
 */
public final class ReportBench {
    private ReportBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ReportBench MODEL.onnx IMAGE_DIR WORK_DIR [ROUNDS [MAX_IMAGES]]");
            System.exit(2);
        }
        String model = args[0];
        String images = args[1];
        Path work = Files.createDirectories(Path.of(args[2]));
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String maxImages = args.length > 4 ? args[4] : "2";
        System.out.printf("load average %.1f; %d cores%n", load(), Runtime.getRuntime().availableProcessors());
        if (rounds == 0) {
            // One report only, --explain none, unwarmed: for a model too slow to report several times.
            double s = report(model, images, maxImages, "none", work.resolve("none"));
            Path html = work.resolve("none").resolve("report.html");
            describe("none", html);
            System.out.printf("one report (--explain none, %s images, first in this JVM): %.1f s%n", maxImages, s);
            browser(work, html, 3);
            System.out.printf("load average now %.1f%n", load());
            return;
        }
        report(model, images, maxImages, "none", work.resolve("warm-up"));   // JIT, the page cache
        double[] ratios = new double[rounds];
        double[] auto = new double[rounds];
        double[] none = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean autoFirst = (r & 1) == 0;
            for (int turn = 0; turn < 2; turn++) {
                boolean isAuto = (turn == 0) == autoFirst;
                double s = report(model, images, maxImages, isAuto ? "auto" : "none", work.resolve(isAuto ? "auto" : "none"));
                if (isAuto) {
                    auto[r] = s;
                } else {
                    none[r] = s;
                }
            }
            ratios[r] = auto[r] / none[r];
            System.out.printf("round %d (%s first): --explain auto %.1f s, --explain none %.1f s, ratio %.2f%n", r, autoFirst ? "auto" : "none",
                    auto[r], none[r], ratios[r]);
        }
        System.out.printf("report of %s images: --explain auto %.1f s, none %.1f s (medians); median ratio auto / none %.2f%n", maxImages,
                Stats.median(auto), Stats.median(none), Stats.median(ratios));
        for (String v : new String[] {"none", "auto"}) {
            describe(v, work.resolve(v).resolve("report.html"));
        }
        browser(work, work.resolve("auto").resolve("report.html"), rounds);
        System.out.printf("load average now %.1f%n", load());
    }

    private static void describe(String explain, Path html) throws IOException {
        String text = Files.readString(html);
        System.out.printf("--explain %s: report.html %.1f MB, %d pictures (%d lazy, %d feature-map grids, %d filter grids, %d drawn in part),"
                + " %d left out over the budget, %d sections (%d open)%n", explain, Files.size(html) / 1e6,
                count(text, "<img "), count(text, "<img loading=\"lazy\""), count(text, "alt=\"feature maps of "), count(text, "alt=\"filters of "),
                count(text, "<p class=\"drawn\">"), count(text, "left out (size budget)"), count(text, "<details"), count(text, "<details open")
                        + count(text, "<details class=\"explanation\" open"));
    }

    private static double report(String model, String images, String maxImages, String explain, Path out) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        long t = System.nanoTime();
        int code = Main.run(new String[] {"report", model, "--images", images, "--max-images", maxImages, "--explain", explain, "-o",
            out.toString()}, quiet, quiet);
        double s = (System.nanoTime() - t) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("report failed (" + code + "): " + sink.toString(StandardCharsets.UTF_8));
        }
        return s;
    }

    /** Chromium, headless, loading and painting the report and a one-line page, interleaved. */
    private static void browser(Path work, Path report, int rounds) throws IOException, InterruptedException {
        Path blank = work.resolve("blank.html");
        Files.writeString(blank, "<!DOCTYPE html><html><body><p>blank</p></body></html>\n");
        double[] page = new double[rounds];
        double[] empty = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            boolean reportFirst = (r & 1) == 0;
            double a = 0;
            double b = 0;
            for (int turn = 0; turn < 2; turn++) {
                if ((turn == 0) == reportFirst) {
                    a = chromium(work, report);
                } else {
                    b = chromium(work, blank);
                }
            }
            if (r >= 0) {
                page[r] = a;
                empty[r] = b;
                System.out.printf("chromium round %d: report %.2f s, one-line page %.2f s%n", r, a, b);
            }
        }
        System.out.printf("chromium --headless --screenshot: report %.2f s, one-line page %.2f s (medians): the report costs %.2f s more%n",
                Stats.median(page), Stats.median(empty), Stats.median(page) - Stats.median(empty));
    }

    private static double chromium(Path work, Path page) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + work.resolve("profile"), "--window-size=1400,1000", "--screenshot=" + work.resolve("shot.png"),
                page.toUri().toString()));
        long t = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium failed on " + page + ": see " + work.resolve("chromium.log"));
        }
        return (System.nanoTime() - t) / 1e9;
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
