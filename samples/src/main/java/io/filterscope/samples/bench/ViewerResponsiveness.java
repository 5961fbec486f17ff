package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.swing.FilterScopePanel;
import io.filterscope.swing.ViewTab;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;

/**
 * Benchmark harness for the viewer panel in a real window (run it under {@code xvfb-run -a} on a
 * machine without a desktop):
 *
 * <ol>
 *   <li><b>Layer switch</b>: with the feature maps captured, the time from {@code selectLayer} on the
 *       event dispatch thread until the view has painted the new layer: until the panel is idle and an
 *       event posted after that has run, which the queue delivers after the repaint the panel asked for.
 *       Alternates the widest layer (ResNet-18's layer4: 512 channels) with the one before it, so every
 *       switch renders; on the Feature maps tab and on the Filters tab.</li>
 *   <li><b>EDT responsiveness during a capture</b>: a probe posts an event every 10 ms and records how
 *       late each runs while the panel captures every layer of a new input image, several times, with
 *       the widest layer's feature maps in front (each capture draws its grid).</li>
 * </ol>
 *
 * <pre>xvfb-run -a java -cp ... io.filterscope.samples.bench.ViewerResponsiveness MODEL.onnx [SWITCHES] [CAPTURES] [THREADS]</pre>
 *
 * <p>THREADS: ONNX Runtime's intra-op threads, 0 (the default) lets it use every core.
 */
public final class ViewerResponsiveness {
    private ViewerResponsiveness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ViewerResponsiveness MODEL.onnx [SWITCHES] [CAPTURES] [THREADS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int switches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int captures = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        try (Model model = FilterScope.open(file, OpenOptions.defaults().withThreads(threads, 0))) {
            long[] dims = model.metadata().input().shape().toArray();
            int h = dims.length == 4 && dims[2] > 0 ? (int) dims[2] : 224;
            int w = dims.length == 4 && dims[3] > 0 ? (int) dims[3] : 224;
            AtomicReference<FilterScopePanel> ref = new AtomicReference<>();
            AtomicReference<JFrame> frame = new AtomicReference<>();
            SwingUtilities.invokeAndWait(() -> {
                FilterScopePanel p = new FilterScopePanel();
                JFrame f = new JFrame("ViewerResponsiveness");
                f.add(p);
                f.setSize(1280, 900);
                f.setVisible(true);
                p.setModel(model);
                p.setImage(noise(w, h, 0));
                p.showTab(ViewTab.FEATURE_MAPS);
                ref.set(p);
                frame.set(f);
            });
            FilterScopePanel panel = ref.get();
            panel.whenIdle().get(5, TimeUnit.MINUTES);

            List<LayerInfo> spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).toList();
            // Most channels, then the largest maps (ResNet-18: layer4's 512 × 7 × 7, not the pooled 512 × 1 × 1).
            LayerInfo widest = spatial.stream()
                    .max(Comparator.comparingLong((LayerInfo l) -> l.outputShape().orElseThrow().dim(1))
                            .thenComparingLong(l -> l.outputShape().orElseThrow().dim(2) * l.outputShape().orElseThrow().dim(3))
                            .thenComparingInt(LayerInfo::index))
                    .orElseThrow();
            LayerInfo other = spatial.get(Math.max(0, spatial.indexOf(widest) - 1));
            System.out.printf("%s (intra-op threads %s, %d cores, load average %.1f): %d spatial layers; switching between %s (%s) and %s (%s)%n", file.getFileName(), threads == 0 ? "default" : threads,
                    Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), spatial.size(),
                    widest.name(), widest.outputShape().orElseThrow(), other.name(), other.outputShape().orElseThrow());

            for (ViewTab tab : new ViewTab[] {ViewTab.FEATURE_MAPS, ViewTab.FILTERS}) {
                SwingUtilities.invokeAndWait(() -> panel.showTab(tab));
                panel.whenIdle().get(5, TimeUnit.MINUTES);
                LayerInfo filtered = tab == ViewTab.FILTERS ? widestWithFilters(model) : widest;
                LayerInfo before = tab == ViewTab.FILTERS ? other(model, filtered) : other;
                for (int i = 0; i < 3; i++) { // warm-up
                    switchTo(panel, before);
                    switchTo(panel, filtered);
                }
                double[] ms = new double[switches];
                for (int i = 0; i < switches; i++) {
                    switchTo(panel, before);
                    ms[i] = switchTo(panel, filtered);
                }
                Arrays.sort(ms);
                AtomicReference<String> grid = new AtomicReference<>();
                SwingUtilities.invokeAndWait(() -> {
                    BufferedImage g = panel.currentViewImage();
                    grid.set(g.getWidth() + "×" + g.getHeight() + " px");
                });
                System.out.printf("  layer switch to %s on %s (%s, grid %s): median %.1f ms, max %.1f ms over %d switches%n",
                        filtered.name(), tab, tab == ViewTab.FILTERS ? filtered.filterShape().orElseThrow() : filtered.outputShape().orElseThrow(),
                        grid.get(), ms[ms.length / 2], ms[ms.length - 1], switches);
            }

            SwingUtilities.invokeAndWait(() -> panel.showTab(ViewTab.FEATURE_MAPS));
            panel.whenIdle().get(5, TimeUnit.MINUTES);
            // Captures with the widest layer's maps in front, as a person watching them would have it:
            // each capture draws its 512-tile grid. (The Filters switches left a conv layer selected,
            // whose maps are shown at its ReLU, so the tab showed only a message until 2026-11-26.)
            switchTo(panel, widest);
            // The same probe with nothing else to do first: what the machine itself costs.
            double[] idle = probe(() -> Thread.sleep(2000));
            System.out.printf("  EDT latency idle (2 s, %d probes every 10 ms): median %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    idle.length, idle[idle.length / 2], p99(idle), idle[idle.length - 1]);
            EdtSampler sampler = EdtSampler.start();
            long t0 = System.nanoTime();
            double[] l = probe(() -> {
                for (int i = 1; i <= captures; i++) {
                    BufferedImage img = noise(w, h, i);
                    SwingUtilities.invokeAndWait(() -> panel.setImage(img));
                    panel.whenIdle().get(5, TimeUnit.MINUTES);
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<String> busy = sampler.stop();
            System.out.printf("  EDT latency during %d captures showing %s (%.1f s, %d probes every 10 ms, load average %.1f after): median %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    captures, widest.name(), seconds, l.length,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), l[l.length / 2], p99(l), l[l.length - 1]);
            System.out.println("  where the EDT was busy (innermost FilterScope frame of 5 ms stack samples, most frequent first):");
            busy.forEach(b -> System.out.println("    " + b));
            SwingUtilities.invokeAndWait(() -> {
                panel.setModel(null);
                frame.get().dispose();
            });
            panel.whenIdle().get(1, TimeUnit.MINUTES);
        }
        System.exit(0);
    }

    /** Work to probe during. */
    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** How late (ms, sorted) events posted every 10 ms ran while {@code work} ran. */
    private static double[] probe(Work work) throws Exception {
        ConcurrentLinkedQueue<Double> late = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor();
        probe.scheduleAtFixedRate(() -> {
            long posted = System.nanoTime();
            SwingUtilities.invokeLater(() -> late.add((System.nanoTime() - posted) / 1e6));
        }, 0, 10, TimeUnit.MILLISECONDS);
        work.run();
        probe.shutdown();
        probe.awaitTermination(1, TimeUnit.SECONDS);
        SwingUtilities.invokeAndWait(() -> { }); // the last probe events have run
        return late.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double p99(double[] sorted) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(sorted.length * 0.99))];
    }

    /** Samples the event dispatch thread's stack every 5 ms and counts the innermost FilterScope frame while it is busy. */
    private static final class EdtSampler {
        private final Thread edt;
        private final java.util.Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        private EdtSampler(Thread edt) {
            this.edt = edt;
            timer.scheduleAtFixedRate(this::sample, 0, 5, TimeUnit.MILLISECONDS);
        }

        static EdtSampler start() throws Exception {
            AtomicReference<Thread> t = new AtomicReference<>();
            SwingUtilities.invokeAndWait(() -> t.set(Thread.currentThread()));
            return new EdtSampler(t.get());
        }

        private void sample() {
            StackTraceElement[] st = edt.getStackTrace();
            if (st.length == 0 || st[0].getMethodName().equals("park") || st[0].getMethodName().equals("parkNanos")) {
                return; // waiting for the next event
            }
            String where = Arrays.stream(st).filter(e -> e.getClassName().startsWith("io.filterscope")).findFirst()
                    .map(e -> e.getClassName().replace("io.filterscope.", "") + "." + e.getMethodName() + " <- " + st[0].getClassName() + "." + st[0].getMethodName())
                    .orElse(st[0].getClassName() + "." + st[0].getMethodName());
            counts.merge(where, 1, Integer::sum);
        }

        List<String> stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            return counts.entrySet().stream().sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                    .map(e -> e.getValue() + " × " + e.getKey()).toList();
        }
    }

    /** Milliseconds from selectLayer on the EDT until the view painted it. */
    /** Milliseconds from selectLayer on the EDT until the view painted it (also used by {@link WideFilters}). */
    static double switchTo(FilterScopePanel panel, LayerInfo layer) throws Exception {
        CompletableFuture<Long> started = new CompletableFuture<>();
        SwingUtilities.invokeLater(() -> {
            started.complete(System.nanoTime());
            panel.selectLayer(layer.name());
        });
        long t0 = started.get();
        panel.whenIdle().get(1, TimeUnit.MINUTES);
        // The repaint the panel requested is already queued: an event posted now runs after it.
        CompletableFuture<Long> painted = new CompletableFuture<>();
        SwingUtilities.invokeLater(() -> painted.complete(System.nanoTime()));
        return (painted.get() - t0) / 1e6;
    }

    private static LayerInfo widestWithFilters(Model model) {
        return model.layers().stream().filter(l -> l.filterShape().isPresent())
                .max(Comparator.comparingLong((LayerInfo l) -> l.filterShape().get().dim(0)).thenComparingInt(LayerInfo::index))
                .orElseThrow();
    }

    private static LayerInfo other(Model model, LayerInfo layer) {
        List<LayerInfo> conv = model.layers().stream().filter(l -> l.filterShape().isPresent()).toList();
        return conv.get(Math.max(0, conv.indexOf(layer) - 1));
    }

    /** A reproducible RGB noise image, so every capture is of a new input. */
    private static BufferedImage noise(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        return img;
    }
}
