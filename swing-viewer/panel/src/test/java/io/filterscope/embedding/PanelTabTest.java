package io.filterscope.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.swing.FilterScopePanel;
import io.filterscope.swing.PanelState;
import io.filterscope.swing.PanelTab;
import io.filterscope.swing.ShownGrid;
import io.filterscope.swing.TabContent;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JCheckBox;
import javax.swing.JComponent;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/**
 * A host application adds a tab of its own through the public API alone (this test lives outside
 * the panel's package): the tab is asked for its content with the panel's model, image, layer, run
 * and settings, its drawing runs in the background and counts for {@code whenIdle()}, its pictures
 * are kept under its keys, its own controls ask for a redraw, and Save takes its picture. The tab
 * here is what an Explain tab starts from: the selected layer's strongest channel for the image.
 * Headless: nothing here needs a screen.
 */
class PanelTabTest {
    static final Path BUNDLE = Path.of(System.getProperty("basedir", ".")).resolve("../../samples/models/fashion-mnist").normalize();

    /** The selected layer's most active channel (by maximum), in viridis or, with its check box, magma. */
    static final class StrongestChannel extends PanelTab {
        final JCheckBox magma = new JCheckBox("magma");
        final Map<String, AtomicInteger> draws = new ConcurrentHashMap<>();
        final AtomicReference<PanelState> last = new AtomicReference<>();

        StrongestChannel() {
            super("Strongest channel");
            magma.addActionListener(e -> refresh());
        }

        @Override
        public JComponent toolbar() {
            return magma;
        }

        @Override
        public boolean drawsAhead() {
            return false; // so every drawing counted below is one the panel asked for the selected layer
        }

        @Override
        public TabContent content(PanelState s) {
            last.set(s);
            if (s.model().isEmpty() || s.image().isEmpty()) {
                return TabContent.message("Open a model and an image.");
            }
            if (s.runId().isEmpty()) {
                return TabContent.message(s.runProblem().orElse("Running the model…"));
            }
            String layer = s.layer().orElseThrow().name();
            Optional<LayerOutput> out = s.activations().orElseThrow().layer(layer).filter(LayerOutput::isSpatial);
            if (out.isEmpty()) {
                return TabContent.message(layer + " has no feature maps.");
            }
            Colormap cmap = magma.isSelected() ? Colormap.MAGMA : Colormap.VIRIDIS;
            LayerOutput o = out.get();
            return TabContent.drawing(List.of(s.runId().getAsLong(), layer, cmap), "Finding the strongest channel of " + layer + "…", () -> {
                draws.computeIfAbsent(layer, k -> new AtomicInteger()).incrementAndGet();
                FeatureMaps maps = o.featureMaps(0);
                return ShownGrid.of(maps, GridStyle.featureMaps().withColormap(cmap), GridRenderer.topChannels(maps, 1, true));
            });
        }

        int drawn(String layer) {
            AtomicInteger n = draws.get(layer);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void aHostsTabIsAskedWithThePanelsStateAndDrawnLikeThePanelsOwn(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        BufferedImage boot = Images.read(BUNDLE.resolve("images/9-ankle-boot.png"));
        BufferedImage bag = Images.read(BUNDLE.resolve("images/8-bag.png"));
        List<String> labels = Predictions.readLabels(BUNDLE.resolve("labels.txt"));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            StrongestChannel tab = new StrongestChannel();
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.setErrorHandler(errors::add);
                p.addTab(tab);
                p.showTab(tab);
                return p;
            });
            JTabbedPane tabs = (JTabbedPane) SwingUtilities.getAncestorOfClass(JTabbedPane.class, tab.magma);
            assertEquals(List.of("Filters", "Feature maps", "Model", "Strongest channel"),
                    call(() -> java.util.stream.IntStream.range(0, tabs.getTabCount()).mapToObj(tabs::getTitleAt).toList()));
            assertSame(tab, call(() -> panel.currentPanelTab().orElseThrow()));
            assertEquals(null, call(panel::currentTab), "not one of the panel's own tabs");
            assertFalse(call(panel::hasViewImage), "a message, no picture, before there is a model");
            assertThrows(IllegalStateException.class, () -> call(() -> {
                new FilterScopePanel().addTab(tab);
                return null;
            }), "a tab belongs to one panel");

            run(() -> {
                panel.setModel(model);
                panel.setLabels(labels);
                panel.setImage(boot);
                panel.selectLayer("/conv2/Conv");
            });
            panel.whenIdle().get(60, TimeUnit.SECONDS);

            // What the tab was asked with is the panel's state: the model, the layer, the labels and the run.
            PanelState s = tab.last.get();
            assertSame(model, s.model().orElseThrow());
            assertEquals("/conv2/Conv", s.layer().orElseThrow().name());
            assertEquals(labels, s.labels());
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            Tensor input = Preprocessor.apply(boot, prep);
            assertEquals(input, s.input().orElseThrow(), "the tensor the model ran on");
            assertEquals(prep, s.preprocessing().orElseThrow());
            assertEquals(9, Predictions.topK(s.activations().orElseThrow().output(), 0, labels, 1).get(0).index(), "ankle boot");

            // The picture is the tab's drawing of the run, computed here through the api alone.
            assertSamePixels(strongest(model, input, "/conv2/Conv", Colormap.VIRIDIS), call(panel::currentViewImage));
            assertEquals(1, tab.drawn("/conv2/Conv"));
            Path png = dir.resolve("saved.png");
            run(() -> panel.saveCurrentView(png));
            assertSamePixels(strongest(model, input, "/conv2/Conv", Colormap.VIRIDIS), Images.read(png));

            // Another layer and back: the picture was kept under its key.
            run(() -> panel.selectLayer("/conv1/Conv"));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertSamePixels(strongest(model, input, "/conv1/Conv", Colormap.VIRIDIS), call(panel::currentViewImage));
            run(() -> panel.selectLayer("/conv2/Conv"));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals(1, tab.drawn("/conv2/Conv"), "from the panel's cache");
            assertEquals(1, tab.drawn("/conv1/Conv"));

            // The tab's own control asks for its content again.
            run(tab.magma::doClick);
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertSamePixels(strongest(model, input, "/conv2/Conv", Colormap.MAGMA), call(panel::currentViewImage));
            assertEquals(2, tab.drawn("/conv2/Conv"));

            // Another image is another run: the tab draws again for it.
            long before = s.runId().getAsLong();
            run(() -> panel.setImage(bag));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertNotEquals(before, tab.last.get().runId().getAsLong());
            Tensor bagInput = Preprocessor.apply(bag, prep);
            assertSamePixels(strongest(model, bagInput, "/conv2/Conv", Colormap.MAGMA), call(panel::currentViewImage));
            assertEquals(3, tab.drawn("/conv2/Conv"));

            // A layer without feature maps gets the tab's message, and no picture to save.
            run(() -> panel.selectLayer(model.layers().get(model.layers().size() - 1).name()));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertFalse(call(panel::hasViewImage));
            assertTrue(tab.last.get().layer().isPresent());

            run(() -> panel.setModel(null));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertTrue(tab.last.get().model().isEmpty());
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void aDrawingThatFailsGoesToTheErrorHandlerAndLeavesNoPicture() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            PanelTab failing = new PanelTab("Failing") {
                @Override
                public TabContent content(PanelState s) {
                    return s.layer().isEmpty() ? TabContent.message("no layer")
                            : TabContent.drawing(s.layer().get().name(), "Failing…", () -> {
                                throw new IllegalStateException("no picture today");
                            });
                }
            };
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.setErrorHandler(errors::add);
                p.addTab(failing);
                p.showTab(failing);
                p.setModel(model);
                return p;
            });
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals(1, errors.size(), errors::toString);
            assertEquals("no picture today", errors.get(0).getMessage());
            assertFalse(call(panel::hasViewImage));
            run(() -> panel.setModel(null));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLongDrawingLearnsThatItIsNoLongerWantedAndStopsEarly() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean toldToStop = new AtomicBoolean();
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            PanelTab slow = new PanelTab("Slow") {
                @Override
                public boolean drawsAhead() {
                    return false;
                }

                @Override
                public TabContent content(PanelState s) {
                    if (s.layer().isEmpty()) {
                        return TabContent.message("no layer");
                    }
                    String layer = s.layer().get().name();
                    if (!layer.equals("/conv1/Conv")) {
                        return TabContent.drawing(layer, "Quick…", () -> ShownGrid.picture(layer, new BufferedImage(9, 9, BufferedImage.TYPE_INT_RGB)));
                    }
                    return TabContent.drawing(layer, "Slow…", progress -> {
                        progress.report(0.5);
                        started.countDown();
                        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a bound on a hang, not a timing
                        while (!progress.cancelled()) {
                            if (System.nanoTime() > bound) {
                                throw new AssertionError("the drawing was never told that it is no longer wanted");
                            }
                            Thread.sleep(5);
                        }
                        toldToStop.set(true);
                        return ShownGrid.picture(layer, new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));
                    });
                }
            };
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.addTab(slow);
                p.showTab(slow);
                p.setModel(model); // selects conv1: the slow drawing starts
                return p;
            });
            assertTrue(started.await(60, TimeUnit.SECONDS), "the slow drawing started");
            run(() -> panel.selectLayer("/conv2/Conv"));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertTrue(toldToStop.get(), "a newer request makes the running drawing stale, and it is told so");
            assertEquals(9, call(() -> panel.currentViewImage().getWidth()), "the newer picture is shown, not the stale one");
            run(() -> panel.setModel(null));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
        }
    }

    /** The strongest channel of a layer for an input, drawn through the api alone. */
    static BufferedImage strongest(Model model, Tensor input, String layer, Colormap cmap) {
        FeatureMaps maps = model.capture(input, CaptureRequest.layers(layer)).layer(layer).orElseThrow().featureMaps(0);
        return GridRenderer.featureMaps(maps, GridStyle.featureMaps().withColormap(cmap), GridRenderer.topChannels(maps, 1, true));
    }

    static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        int w = expected.getWidth();
        int h = expected.getHeight();
        assertArrayEquals(expected.getRGB(0, 0, w, h, null, 0, w), actual.getRGB(0, 0, w, h, null, 0, w));
    }

    static <T> T call(Callable<T> c) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                out.set(c.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return out.get();
    }

    static void run(Runnable r) throws InvocationTargetException, InterruptedException {
        SwingUtilities.invokeAndWait(r);
    }
}
