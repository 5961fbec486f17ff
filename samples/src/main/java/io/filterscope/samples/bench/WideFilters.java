package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import io.filterscope.swing.FilterScopePanel;
import io.filterscope.swing.ViewTab;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;

/**
 * The Filters tab of a wide layer (ResNet-18's 512 × 512 × 3 × 3 layer4 convolutions), in a real
 * window (run it under {@code xvfb-run -a} without a desktop). Each round, interleaved:
 *
 * <ul>
 *   <li><b>first picture</b>: the colormap is changed (so nothing drawn before can be reused), then the
 *       wide layer is selected; the time from {@code selectLayer} on the event dispatch thread until the
 *       view has painted it (the panel idle and an event posted after its repaint has run);</li>
 *   <li><b>again</b>: back to the layer before and to the wide layer once more, the same colormap;</li>
 *   <li><b>whole grid</b>: {@code GridRenderer.renderFilters} of the same layer in the same JVM, which is
 *       what every switch to such a layer cost before grids this large were painted piece by piece;</li>
 *   <li><b>save</b>: {@code currentViewImage()}, the whole grid that Save and Copy take;</li>
 *   <li><b>small layer</b>: a switch to the first convolution (a small grid, drawn before), the floor of
 *       any switch on this machine at this moment: the panel, the event queue and the X server.</li>
 * </ul>
 *
 *
 * <p>On a loaded machine the wall times above are mostly waiting for a core; so each round also takes
 * the CPU time of the work a first picture needs, on this thread: reading the layer's weights
 * ({@code Model.filters}), the layout ({@code GridRenderer.layOutFilters}) and painting a 1280 × 900
 * part ({@code GridCanvas.paint}), against painting the whole grid.
 *
 * <pre>xvfb-run -a java -cp ... io.filterscope.samples.bench.WideFilters MODEL.onnx [ROUNDS]</pre>
 */
public final class WideFilters {
    private WideFilters() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WideFilters MODEL.onnx [ROUNDS]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            List<LayerInfo> conv = model.layers().stream().filter(l -> l.filterShape().isPresent()).toList();
            LayerInfo wide = conv.stream()
                    .max(Comparator.comparingLong((LayerInfo l) -> l.filterShape().get().size()).thenComparingInt(LayerInfo::index))
                    .orElseThrow();
            LayerInfo before = conv.get(Math.max(0, conv.indexOf(wide) - 1));
            AtomicReference<FilterScopePanel> ref = new AtomicReference<>();
            SwingUtilities.invokeAndWait(() -> {
                FilterScopePanel p = new FilterScopePanel();
                JFrame f = new JFrame("WideFilters");
                f.add(p);
                f.setSize(1280, 900);
                f.setVisible(true);
                p.setModel(model);
                p.showTab(ViewTab.FILTERS);
                ref.set(p);
            });
            FilterScopePanel panel = ref.get();
            panel.whenIdle().get(5, TimeUnit.MINUTES);
            FilterBank bank = model.filters(wide.name());
            Colormap[] maps = {Colormap.VIRIDIS, Colormap.MAGMA};
            double[] first = new double[rounds];
            double[] again = new double[rounds];
            double[] whole = new double[rounds];
            double[] save = new double[rounds];
            double[] small = new double[rounds];
            double[] cpuFirst = new double[rounds];
            double[] cpuWhole = new double[rounds];
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            String size = "";
            for (int r = -2; r < rounds; r++) {
                int k = Math.max(0, r);
                Colormap cmap = maps[(r + 2) % 2];
                switchTo(panel, before);
                SwingUtilities.invokeAndWait(() -> panel.setSettings(panel.settings().withColormap(cmap)));
                panel.whenIdle().get(5, TimeUnit.MINUTES);
                first[k] = switchTo(panel, wide);
                switchTo(panel, before);
                again[k] = switchTo(panel, wide);
                long t0 = System.nanoTime();
                RenderedGrid grid = GridRenderer.renderFilters(bank, GridStyle.filters().withColormap(cmap), ChannelOrder.RGB);
                whole[k] = (System.nanoTime() - t0) / 1e6;
                size = grid.image().getWidth() + "×" + grid.image().getHeight();
                CompletableFuture<Double> saved = new CompletableFuture<>();
                SwingUtilities.invokeAndWait(() -> {
                    long s0 = System.nanoTime();
                    BufferedImage img = panel.currentViewImage();
                    saved.complete((System.nanoTime() - s0) / 1e6);
                    if (img.getWidth() != grid.image().getWidth() || img.getHeight() != grid.image().getHeight()) {
                        throw new IllegalStateException("Save would give " + img.getWidth() + "×" + img.getHeight());
                    }
                });
                save[k] = saved.get();
                long c0 = cpu.getCurrentThreadCpuTime();
                FilterBank read = model.filters(wide.name());
                io.filterscope.render.GridCanvas canvas = GridRenderer.layOutFilters(read, GridStyle.filters().withColormap(cmap), ChannelOrder.RGB);
                canvas.paint(new java.awt.Rectangle(0, 0, 1280, 900));
                long c1 = cpu.getCurrentThreadCpuTime();
                GridRenderer.renderFilters(read, GridStyle.filters().withColormap(cmap), ChannelOrder.RGB);
                long c2 = cpu.getCurrentThreadCpuTime();
                cpuFirst[k] = (c1 - c0) / 1e6;
                cpuWhole[k] = (c2 - c1) / 1e6;
                switchTo(panel, conv.get(0));
                switchTo(panel, before);
                small[k] = switchTo(panel, conv.get(0));
            }
            System.out.printf("%s, %s %s (grid %s px), %d cores, load average %.1f after; %d rounds after 2 warm-ups:%n", Path.of(args[0]).getFileName(),
                    wide.name(), wide.filterShape().orElseThrow(), size, Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), rounds);
            System.out.printf("| first picture (nothing cached) | %.1f ms (max %.1f) |%n", Stats.median(first), max(first));
            System.out.printf("| again (switch back) | %.1f ms (max %.1f) |%n", Stats.median(again), max(again));
            System.out.printf("| whole grid (GridRenderer.renderFilters, what each switch drew before) | %.1f ms (max %.1f) |%n", Stats.median(whole), max(whole));
            System.out.printf("| Save/Copy's whole grid (currentViewImage) | %.1f ms (max %.1f) |%n", Stats.median(save), max(save));
            System.out.printf("| small layer (%s, drawn before: the floor of a switch) | %.1f ms (max %.1f) |%n", conv.get(0).filterShape().orElseThrow(),
                    Stats.median(small), max(small));
            System.out.printf("| CPU time: weights + layout + a 1280 × 900 part | %.1f ms (max %.1f) |%n", Stats.median(cpuFirst), max(cpuFirst));
            System.out.printf("| CPU time: the whole grid | %.1f ms (max %.1f) |%n", Stats.median(cpuWhole), max(cpuWhole));
            SwingUtilities.invokeAndWait(() -> SwingUtilities.getWindowAncestor(panel).dispose());
        }
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double switchTo(FilterScopePanel panel, LayerInfo layer) throws Exception {
        return ViewerResponsiveness.switchTo(panel, layer);
    }
}
