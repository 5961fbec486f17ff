package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Images;
import io.filterscope.tensor.Tensor;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "What excites it" tab in a panel, headless, on the bundled Fashion-MNIST model: the image it
 * shows for the selected layer's channel is exactly the api's {@link FeatureVisualizer} image for the
 * same request and seed, enlarged pixel for pixel; its controls change the request; images are kept;
 * Cancel stops the optimisation between steps; a model without gradients gets a message.
 */
class VisualizeTabTest {
    private static final String CONV = "/conv3/Conv";
    static Model real;

    @BeforeAll
    static void open() {
        real = FilterScope.open(ExplainTabTest.BUNDLE.resolve("fashion_cnn.onnx"));
    }

    @AfterAll
    static void close() {
        if (real != null) {
            real.close();
        }
    }

    @Test
    void showsTheVisualizersImageForTheSelectedLayersChannelAndSeed() throws Exception {
        ExplainTabTest.Counting model = new ExplainTabTest.Counting(real, true);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        VisualizeTab tab = new VisualizeTab();
        FilterScopePanel panel = panel(tab, model, errors, true);
        try {
            ExplainTabTest.idle(panel);
            onEdt(() -> panel.selectLayer(CONV));
            onEdt(() -> tab.setSettings(new VisualizeTab.Settings(3, 24, 5)));
            ExplainTabTest.idle(panel);
            Visualization expected = new FeatureVisualizer(real).visualize(VisualizeRequest.channel(CONV, 3).withSteps(24).withSeed(5));
            Visualization shown = call(() -> tab.shownVisualization().orElseThrow());
            assertSameImage(expected.image(), shown.image());
            assertEquals(expected.objective(), shown.objective(), 1e-6 * Math.abs(expected.objective()));
            assertTrue(shown.objective() > shown.startObjective(), "the optimisation raised the channel's activation");
            assertShows(panel, expected.picture());
            assertTrue(call(() -> tab.info.getText()).contains("channel 3 of " + CONV), call(() -> tab.info.getText()));

            // Another seed through the control: another image, the api's for that seed.
            onEdt(() -> tab.seed.setValue(6));
            ExplainTabTest.idle(panel);
            Visualization six = new FeatureVisualizer(real).visualize(VisualizeRequest.channel(CONV, 3).withSteps(24).withSeed(6));
            assertSameImage(six.image(), call(() -> tab.shownVisualization().orElseThrow()).image());
            assertShows(panel, six.picture());

            // Back to seed 5: kept, the model does not run.
            int runs = model.calls.get();
            onEdt(() -> tab.seed.setValue(5));
            ExplainTabTest.idle(panel);
            assertEquals(runs, model.calls.get());
            assertShows(panel, expected.picture());

            // A channel the layer lacks is a message.
            long channels = real.layer(CONV).outputShape().orElseThrow().dim(1);
            onEdt(() -> tab.setSettings(new VisualizeTab.Settings((int) channels, 24, 5)));
            ExplainTabTest.idle(panel);
            assertFalse(call(panel::hasViewImage));
            String message = call(() -> ExplainTabTest.messageOf(tab.toolbar()));
            assertTrue(message.contains("out of range"), message);
            assertEquals(List.of(), errors);
        } finally {
            onEdt(() -> panel.setModel(null));
            ExplainTabTest.idle(panel);
        }
    }

    @Test
    void whatExcitesAChannelOfTheFeatureMapsTabShowsTheVisualizersImageForIt() throws Exception {
        ExplainTabTest.Counting model = new ExplainTabTest.Counting(real, true);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        VisualizeTab tab = new VisualizeTab();
        FilterScopePanel panel = panel(tab, model, errors, false);
        call(() -> {
            panel.setImage(Images.read(ExplainTabTest.BUNDLE.resolve("images/9-ankle-boot.png")));
            return null;
        });
        try {
            ExplainTabTest.idle(panel);
            onEdt(() -> {
                panel.selectLayer(CONV);
                panel.showTab(ViewTab.FEATURE_MAPS);
                tab.setSettings(new VisualizeTab.Settings(0, 20, 2));
            });
            ExplainTabTest.idle(panel);
            assertTrue(call(() -> panel.showWhatExcites(4)));
            ExplainTabTest.idle(panel);
            assertTrue(call(() -> panel.currentPanelTab().orElseThrow() == tab), "the tab is in front");
            assertEquals(new VisualizeTab.Settings(4, 20, 2), call(tab::settings), "the channel asked for; steps and seed kept");
            Visualization expected = new FeatureVisualizer(real).visualize(VisualizeRequest.channel(CONV, 4).withSteps(20).withSeed(2));
            assertSameImage(expected.image(), call(() -> tab.shownVisualization().orElseThrow()).image());
            assertShows(panel, expected.picture());
            assertEquals(List.of(), errors);

            // A panel without the tab has no such action.
            assertFalse(call(() -> new FilterScopePanel().showWhatExcites(4)));
        } finally {
            onEdt(() -> panel.setModel(null));
            ExplainTabTest.idle(panel);
        }
    }

    @Test
    void cancelStopsTheOptimisationBetweenSteps() throws Exception {
        ExplainTabTest.Counting model = new ExplainTabTest.Counting(real, true);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        VisualizeTab tab = new VisualizeTab();
        FilterScopePanel panel = panel(tab, model, errors, false);
        try {
            ExplainTabTest.idle(panel);
            onEdt(() -> panel.selectLayer(CONV));
            ExplainTabTest.idle(panel);
            onEdt(() -> {
                tab.setSettings(new VisualizeTab.Settings(1, 100_000, 0));
                panel.showTab(tab);
            });
            Screens.waitHeadless(() -> model.gradientCalls.get() > 2, "the optimisation is under way");
            assertTrue(call(() -> panel.statusLine().isBusy()));
            assertTrue(call(panel::statusText).startsWith("Finding the image that excites channel 1 of " + CONV), call(panel::statusText));
            onEdt(() -> panel.statusLine().cancel.doClick());
            ExplainTabTest.idle(panel);
            int after = model.gradientCalls.get();
            assertTrue(after < 100_000, "stopped long before its last step: " + after);
            assertFalse(call(panel::hasViewImage));
            String message = call(() -> ExplainTabTest.messageOf(tab.toolbar()));
            assertTrue(message.contains("cancelled"), message);
            assertFalse(call(() -> tab.shownVisualization().isPresent()));
            assertEquals(List.of(), errors);
        } finally {
            onEdt(() -> panel.setModel(null));
            ExplainTabTest.idle(panel);
        }
    }

    @Test
    void aModelWithoutGradientsGetsAMessage() throws Exception {
        ExplainTabTest.Counting model = new ExplainTabTest.Counting(real, false);
        VisualizeTab tab = new VisualizeTab();
        FilterScopePanel panel = panel(tab, model, new CopyOnWriteArrayList<>(), true);
        try {
            ExplainTabTest.idle(panel);
            onEdt(() -> panel.selectLayer(CONV));
            ExplainTabTest.idle(panel);
            String message = call(() -> ExplainTabTest.messageOf(tab.toolbar()));
            assertTrue(message.contains("needs gradients"), message);
            assertEquals(0, model.gradientCalls.get());
        } finally {
            onEdt(() -> panel.setModel(null));
            ExplainTabTest.idle(panel);
        }
    }

    private static void assertSameImage(Tensor expected, Tensor actual) {
        assertEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-5f, "pixel value " + i);
        }
    }

    /** The panel shows the api's picture enlarged by 8 (28 pixels to 224), every input pixel a square. */
    private static void assertShows(FilterScopePanel panel, BufferedImage picture) throws Exception {
        BufferedImage view = call(panel::currentViewImage);
        BufferedImage big = ExplainTabTest.nearest(picture, 8);
        assertEquals(224, view.getWidth());
        assertEquals(224, view.getHeight());
        Screens.assertSameRegion(big, 0, 0, view, 0, 0, 224, 224);
    }

    /** A panel with {@code tab} added (and in front when {@code show}), errors collected, then {@code model} set. */
    private static FilterScopePanel panel(VisualizeTab tab, Model model, List<Throwable> errors, boolean show) throws Exception {
        return call(() -> {
            FilterScopePanel p = new FilterScopePanel();
            p.setErrorHandler(errors::add);
            p.addTab(tab);
            if (show) {
                p.showTab(tab);
            }
            p.setModel(model);
            return p;
        });
    }
}
