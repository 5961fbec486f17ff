package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.Heatmaps;
import io.filterscope.tensor.Tensor;
import java.awt.Container;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Explain tab in a panel, headless, on the bundled Fashion-MNIST model: what it shows is
 * exactly what the api's {@link Explainer} computes for the same request, drawn as the api draws
 * heatmaps; its controls change the request; only what needs the model runs it; refusals are
 * messages in the tab; Cancel stops a long method. The expected pictures are built here from the
 * api alone (Explainer, Heatmaps.overlay, Heatmap.upsampled/image), not through the tab's code.
 */
class ExplainTabTest {
    static final Path BUNDLE = Path.of(System.getProperty("basedir", ".")).resolve("../../samples/models/fashion-mnist").normalize();
    static Model real;
    static BufferedImage boot;
    static List<String> labels;
    static Tensor input;
    static BufferedImage seen;

    @BeforeAll
    static void open() {
        real = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"));
        boot = Images.read(BUNDLE.resolve("images/9-ankle-boot.png"));
        labels = Predictions.readLabels(BUNDLE.resolve("labels.txt"));
        Preprocessing prep = Preprocessing.forModel(real.metadata(), Optional.empty());
        input = Preprocessor.apply(boot, prep);
        seen = Preprocessor.toImage(input, prep);
    }

    @AfterAll
    static void close() {
        if (real != null) {
            real.close();
        }
    }

    @Test
    void showsExactlyTheExplainersHeatmapAndRunsTheModelOnlyWhenTheRequestChanges() throws Exception {
        Counting model = new Counting(real, true);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExplainTab tab = new ExplainTab();
        FilterScopePanel panel = panel(model, tab, errors);
        Explainer explainer = new Explainer(real);
        try {
            // The defaults: Grad-CAM at the last layer with feature maps, for the top-1 class (ankle boot).
            assertEquals(Method.GRAD_CAM, call(() -> tab.settings().method()));
            assertTrue(call(() -> tab.methods.get(Method.GRAD_CAM).isSelected()));
            assertEquals(explainer.defaultLayer().name(), call(() -> ((ExplainTab.LayerChoice) tab.layer.getSelectedItem()).name()));
            ExplainTab.ClassChoice top = call(() -> tab.classes.getItemAt(0));
            assertEquals(9, top.index());
            assertTrue(top.text().contains("Ankle boot") && top.text().contains("%"), top.text());
            assertEquals(5, call(() -> tab.classes.getItemCount()), "the top five classes are offered");

            Explanation gradCam = explainer.explain(input, ExplainRequest.of(Method.GRAD_CAM));
            assertEquals(gradCam, call(() -> tab.shownExplanation().orElseThrow()), "the Explainer's own result for the same request");
            assertShows(panel, gradCam, Colormap.INFERNO, 0.5f);

            // Faithfulness of the heatmap shown, as the Explainer computes it, on the info line.
            Faithfulness f = explainer.faithfulness(input, gradCam, Progress.NONE);
            Faithfulness shownCurves = call(() -> tab.shownFaithfulness().orElseThrow());
            assertEquals(f.deletionArea(), shownCurves.deletionArea(), 1e-6);
            assertEquals(f.insertionArea(), shownCurves.insertionArea(), 1e-6);
            String line = call(() -> tab.info.getText());
            assertTrue(line.contains(String.format(Locale.ROOT, "deletion AUC %.3f", f.deletionArea())), line);
            assertTrue(line.contains(String.format(Locale.ROOT, "insertion AUC %.3f", f.insertionArea())), line);
            assertTrue(line.contains("9 Ankle boot"), line);

            // Colormap and opacity only redraw: the model does not run again.
            int runs = model.calls.get();
            onEdt(() -> tab.colormap.setSelectedItem(Colormap.VIRIDIS));
            idle(panel);
            onEdt(() -> tab.opacity.setValue(80));
            idle(panel);
            assertShows(panel, gradCam, Colormap.VIRIDIS, 0.8f);
            assertEquals(runs, model.calls.get(), "a colormap or opacity change runs nothing");

            // Another class from the box, another layer, another method: each the Explainer's result.
            onEdt(() -> tab.classes.setSelectedIndex(1));
            idle(panel);
            int second = call(() -> tab.classes.getItemAt(1).index());
            assertNotEquals(9, second);
            Explanation forSecond = explainer.explain(input, ExplainRequest.of(Method.GRAD_CAM).forOutput(second));
            assertEquals(forSecond.heatmap(), call(() -> tab.shownExplanation().orElseThrow().heatmap()));
            assertShows(panel, forSecond, Colormap.VIRIDIS, 0.8f);

            ExplainTab.LayerChoice other = call(() -> tab.layer.getItemAt(tab.layer.getItemCount() - 1));
            onEdt(() -> tab.layer.setSelectedItem(other));
            idle(panel);
            Explanation atOther = explainer.explain(input, ExplainRequest.of(Method.GRAD_CAM).forOutput(second).atLayer(other.name()));
            assertEquals(other.name(), atOther.layer().orElseThrow());
            assertEquals(atOther.heatmap(), call(() -> tab.shownExplanation().orElseThrow().heatmap()));

            onEdt(() -> tab.methods.get(Method.SCORE_CAM).doClick());
            idle(panel);
            onEdt(() -> tab.topChannels.setValue(8));
            idle(panel);
            Explanation score = explainer.explain(input, ExplainRequest.of(Method.SCORE_CAM).forOutput(second).atLayer(other.name())
                    .withTopChannels(8));
            assertEquals(score.heatmap(), call(() -> tab.shownExplanation().orElseThrow().heatmap()));
            assertShows(panel, score, Colormap.VIRIDIS, 0.8f);

            onEdt(() -> tab.methods.get(Method.OCCLUSION).doClick());
            idle(panel);
            assertFalse(call(tab.layer::isEnabled), "occlusion works on the input's pixels: no layer");
            Explanation occlusion = explainer.explain(input, ExplainRequest.of(Method.OCCLUSION).forOutput(second));
            assertShows(panel, occlusion, Colormap.VIRIDIS, 0.8f);

            onEdt(() -> tab.methods.get(Method.ABLATION_CAM).doClick());
            idle(panel);
            assertTrue(call(tab.layer::isEnabled), "Ablation-CAM is a CAM: at a layer");
            Explanation ablation = explainer.explain(input, ExplainRequest.of(Method.ABLATION_CAM).forOutput(second).atLayer(other.name()));
            assertEquals(ablation.heatmap(), call(() -> tab.shownExplanation().orElseThrow().heatmap()));
            assertShows(panel, ablation, Colormap.VIRIDIS, 0.8f);

            // Back to an explanation computed before: kept, nothing runs.
            runs = model.calls.get();
            onEdt(() -> tab.methods.get(Method.SCORE_CAM).doClick());
            idle(panel);
            assertShows(panel, score, Colormap.VIRIDIS, 0.8f);
            assertEquals(runs, model.calls.get());

            // A CAM at a layer without feature maps is refused in the tab, in words; nothing goes to the error handler.
            LayerInfo flat = real.layers().stream().filter(l -> l.outputShape().isPresent() && !l.hasSpatialOutput()).findFirst()
                    .orElseThrow();
            onEdt(() -> tab.setSettings(tab.settings().withMethod(Method.GRAD_CAM).atLayer(flat.name())));
            idle(panel);
            assertFalse(call(panel::hasViewImage));
            String message = call(() -> messageOf(tab));
            assertTrue(message.contains(flat.name()) && message.contains("not feature maps"), message);
            assertFalse(call(() -> tab.shownExplanation().isPresent()));
            assertEquals(List.of(), errors);
        } finally {
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    @Test
    void occlusionAndSmoothGradControlsGiveTheExplainersResultForTheirParametersAndTheChartDrawsItsCurves() throws Exception {
        Counting model = new Counting(real, true);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExplainTab tab = new ExplainTab();
        FilterScopePanel panel = panel(model, tab, errors);
        Explainer explainer = new Explainer(real);
        try {
            // Grad-CAM has none of the other methods' own controls; the chart draws its curves as the api computes them.
            assertFalse(call(tab.occlusionControls::isVisible));
            assertFalse(call(tab.smoothGradControls::isVisible));
            assertFalse(call(tab.scoreCamControls::isVisible));
            Explanation gradCam = explainer.explain(input, ExplainRequest.of(Method.GRAD_CAM));
            assertSameCurves(explainer.faithfulness(input, gradCam, Progress.NONE), call(() -> tab.chartedFaithfulness().orElseThrow()));

            // Occlusion with a window, stride and baseline of its own, set through its controls.
            onEdt(() -> tab.methods.get(Method.OCCLUSION).doClick());
            idle(panel);
            assertTrue(call(tab.occlusionControls::isVisible));
            assertFalse(call(tab.smoothGradControls::isVisible));
            assertFalse(call(tab.scoreCamControls::isVisible));
            onEdt(() -> tab.occlusionWindow.setValue(6));
            idle(panel);
            onEdt(() -> tab.occlusionStride.setValue(4));
            idle(panel);
            onEdt(() -> tab.occlusionBaseline.setValue(-1.5));
            idle(panel);
            ExplainRequest.Occlusion o = new ExplainRequest.Occlusion(6, 4, -1.5f);
            assertEquals(o, call(() -> tab.settings().occlusion()));
            Explanation occlusion = explainer.explain(input, ExplainRequest.of(Method.OCCLUSION).withOcclusion(o));
            Explanation automatic = explainer.explain(input, ExplainRequest.of(Method.OCCLUSION));
            assertNotEquals(automatic.heatmap(), occlusion.heatmap(), "the parameters change the map, so the test can tell");
            assertEquals(occlusion, call(() -> tab.shownExplanation().orElseThrow()));
            assertShows(panel, occlusion, Colormap.INFERNO, 0.5f);
            assertSameCurves(explainer.faithfulness(input, occlusion, Progress.NONE), call(() -> tab.chartedFaithfulness().orElseThrow()));
            String line = call(() -> tab.info.getText());
            assertTrue(line.contains("window 6 px, stride 4 px, baseline -1.5"), line);

            // SmoothGrad with its own noise level and samples.
            onEdt(() -> tab.methods.get(Method.SMOOTH_GRAD).doClick());
            idle(panel);
            assertTrue(call(tab.smoothGradControls::isVisible));
            assertFalse(call(tab.occlusionControls::isVisible));
            onEdt(() -> tab.smoothGradNoise.setValue(0.3));
            idle(panel);
            onEdt(() -> tab.smoothGradSamples.setValue(6));
            idle(panel);
            ExplainRequest.SmoothGrad sg = new ExplainRequest.SmoothGrad(0.3f, 6, 0);
            Explanation smooth = explainer.explain(input, ExplainRequest.of(Method.SMOOTH_GRAD).withSmoothGrad(sg));
            assertNotEquals(explainer.explain(input, ExplainRequest.of(Method.SMOOTH_GRAD)).heatmap(), smooth.heatmap());
            assertEquals(smooth, call(() -> tab.shownExplanation().orElseThrow()), "the heatmap and the averaged input gradient");
            assertShows(panel, smooth, Colormap.INFERNO, 0.5f);
            assertSameCurves(explainer.faithfulness(input, smooth, Progress.NONE), call(() -> tab.chartedFaithfulness().orElseThrow()));

            // Another method's settings changed from code while SmoothGrad is shown: nothing runs; back to occlusion: kept.
            int runs = model.calls.get();
            onEdt(() -> tab.setSettings(tab.settings().withOcclusion(new ExplainRequest.Occlusion(3, 3, 0f))));
            idle(panel);
            assertEquals(runs, model.calls.get());
            onEdt(() -> tab.setSettings(tab.settings().withOcclusion(o).withMethod(Method.OCCLUSION)));
            idle(panel);
            assertEquals(runs, model.calls.get(), "the occlusion map and its curves were kept");
            assertEquals(occlusion, call(() -> tab.shownExplanation().orElseThrow()));
            assertEquals(o, call(() -> new ExplainRequest.Occlusion((Integer) tab.occlusionWindow.getValue(),
                    (Integer) tab.occlusionStride.getValue(), ((Number) tab.occlusionBaseline.getValue()).floatValue())), "the controls follow");

            // Without faithfulness there is no chart.
            onEdt(() -> tab.faithfulness.doClick());
            idle(panel);
            assertFalse(call(() -> tab.chartedFaithfulness().isPresent()));
            assertFalse(call(tab.chart::isVisible));
            assertEquals(List.of(), errors);
        } finally {
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    /** The same curves, sample for sample, and the same areas. */
    static void assertSameCurves(Faithfulness expected, Faithfulness actual) {
        assertEquals(expected.deletion().size(), actual.deletion().size());
        assertEquals(expected.insertion().size(), actual.insertion().size());
        for (int i = 0; i < expected.deletion().size(); i++) {
            assertEquals(expected.deletion().get(i), actual.deletion().get(i), 1e-6, "deletion sample " + i);
            assertEquals(expected.insertion().get(i), actual.insertion().get(i), 1e-6, "insertion sample " + i);
        }
        assertEquals(expected.deletionArea(), actual.deletionArea(), 1e-6);
        assertEquals(expected.insertionArea(), actual.insertionArea(), 1e-6);
    }

    @Test
    void withoutGradientsTheGradientMethodsAreDisabledAndScoreCamIsShown() throws Exception {
        Counting model = new Counting(real, false);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExplainTab tab = new ExplainTab();
        FilterScopePanel panel = panel(model, tab, errors);
        try {
            for (Method m : Method.values()) {
                boolean enabled = call(() -> tab.methods.get(m).isEnabled());
                assertEquals(!m.needsGradients(), enabled, m.id());
                String tip = call(() -> tab.methods.get(m).getToolTipText());
                if (m.needsGradients()) {
                    assertTrue(tip.contains("needs gradients") && tip.contains("Score-CAM") && tip.contains("Occlusion"), tip);
                }
            }
            assertEquals(Method.SCORE_CAM, call(() -> tab.settings().method()), "a forward-only method instead");
            Explanation expected = new Explainer(real).explain(input, ExplainRequest.of(Method.SCORE_CAM));
            assertEquals(expected.heatmap(), call(() -> tab.shownExplanation().orElseThrow().heatmap()));
            assertShows(panel, expected, Colormap.INFERNO, 0.5f);

            // A host asking for a gradient method anyway gets the reason in the tab.
            onEdt(() -> tab.setSettings(tab.settings().withMethod(Method.SALIENCY)));
            idle(panel);
            assertFalse(call(panel::hasViewImage));
            String message = call(() -> messageOf(tab));
            assertTrue(message.contains("Saliency needs gradients") && message.contains("Score-CAM"), message);
            assertEquals(List.of(), errors);
            assertEquals(0, model.gradientCalls.get());

            // The same tab on a model with gradients offers them again, and returns to Grad-CAM.
            onEdt(() -> tab.setSettings(tab.settings().withMethod(Method.SCORE_CAM)));
            idle(panel);
            onEdt(() -> panel.setModel(new Counting(real, true)));
            idle(panel);
            assertTrue(call(() -> tab.methods.get(Method.GRAD_CAM).isEnabled()));
        } finally {
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    @Test
    void ablationCamIsOfferedOnlyWhereTheModelRunsFromALayer() throws Exception {
        Counting model = new Counting(real, true);
        model.runsFromLayers = false;
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExplainTab tab = new ExplainTab();
        FilterScopePanel panel = panel(model, tab, errors);
        try {
            assertFalse(call(() -> tab.methods.get(Method.ABLATION_CAM).isEnabled()));
            String tip = call(() -> tab.methods.get(Method.ABLATION_CAM).getToolTipText());
            assertTrue(tip.contains("runs the network from a layer") && tip.contains("Score-CAM"), tip);
            assertTrue(call(() -> tab.methods.get(Method.GRAD_CAM).isEnabled()));
            // A host asking for it anyway gets the reason in the tab, and the model is not run for it.
            int runs = model.calls.get();
            onEdt(() -> tab.setSettings(tab.settings().withMethod(Method.ABLATION_CAM)));
            idle(panel);
            assertFalse(call(panel::hasViewImage));
            String message = call(() -> messageOf(tab));
            assertTrue(message.contains("Ablation-CAM runs the network from a layer"), message);
            assertEquals(runs, model.calls.get());
            assertEquals(List.of(), errors);
        } finally {
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    @Test
    void aBackendsRefusalIsShownInTheTabAndNotRunAgain() throws Exception {
        Counting model = new Counting(real, true);
        model.gradientFailure = new FilterScopeException(ErrorKind.UNSUPPORTED,
                "fashion_cnn.onnx: the backward pass has no gradient for operator 'Erf' (node /gelu)");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExplainTab tab = new ExplainTab();
        FilterScopePanel panel = panel(model, tab, errors);
        try {
            String message = call(() -> messageOf(tab));
            assertTrue(message.contains("operator 'Erf'") && message.contains("forward-only"), message);
            assertFalse(call(panel::hasViewImage));
            assertEquals(1, errors.size(), "the panel's error handler hears it once");
            int tries = model.gradientCalls.get();

            onEdt(() -> tab.methods.get(Method.OCCLUSION).doClick());
            idle(panel);
            assertTrue(call(panel::hasViewImage), "a forward-only method works");
            onEdt(() -> tab.methods.get(Method.GRAD_CAM).doClick());
            idle(panel);
            assertEquals(message.replace("Cannot draw Explain: ", ""), call(() -> messageOf(tab)), "the refusal, from the tab");
            assertEquals(tries, model.gradientCalls.get(), "not asked again");
            assertEquals(1, errors.size());
        } finally {
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    @Test
    void cancelStopsALongMethodBetweenBatches() throws Exception {
        Counting model = new Counting(real, false);
        CountDownLatch gate = new CountDownLatch(1);
        ExplainTab tab = new ExplainTab();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        FilterScopePanel panel = call(() -> {
            FilterScopePanel p = new FilterScopePanel();
            p.setErrorHandler(errors::add);
            p.addTab(tab);
            p.setModel(model);
            p.setLabels(labels);
            p.setImage(boot);
            return p;
        });
        try {
            idle(panel);
            model.gate = gate;
            onEdt(() -> {
                tab.setSettings(tab.settings().withMethod(Method.OCCLUSION));
                panel.showTab(tab);
            });
            assertTrue(model.entered.await(60, TimeUnit.SECONDS), "the first batch of occlusion runs");
            assertTrue(call(() -> panel.statusLine().isBusy()));
            assertTrue(call(panel::statusText).startsWith("Explaining 9 Ankle boot with Occlusion"), call(panel::statusText));
            onEdt(() -> panel.statusLine().cancel.doClick());
            gate.countDown();
            idle(panel);
            assertEquals(1, model.gatedCalls.get(), "the explainer stopped before its next batch");
            assertFalse(call(panel::hasViewImage));
            assertTrue(call(() -> messageOf(tab)).contains("cancelled"), call(() -> messageOf(tab)));
            assertFalse(call(() -> tab.shownExplanation().isPresent()));
            assertEquals(List.of(), errors);
        } finally {
            model.gate = null;
            onEdt(() -> panel.setModel(null));
            idle(panel);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The picture is the api's overlay of the explanation on the enlarged input, then the api's heatmap alone. */
    static void assertShows(FilterScopePanel panel, Explanation e, Colormap cmap, float alpha) throws Exception {
        BufferedImage view = call(panel::currentViewImage);
        int s = 224 / 28;
        BufferedImage big = nearest(seen, s);
        BufferedImage overlay = Heatmaps.overlay(big, e.heatmap().normalized().values(), cmap, alpha);
        BufferedImage alone = e.heatmap().upsampled(28 * s, 28 * s).image(cmap);
        assertEquals(2 * 224 + ExplainPicture.GAP, view.getWidth());
        assertEquals(224, view.getHeight());
        Screens.assertSameRegion(overlay, 0, 0, view, 0, 0, 224, 224);
        Screens.assertSameRegion(alone, 0, 0, view, 224 + ExplainPicture.GAP, 0, 224, 224);
    }

    /** The test's own nearest-neighbour enlargement. */
    static BufferedImage nearest(BufferedImage img, int s) {
        BufferedImage out = new BufferedImage(img.getWidth() * s, img.getHeight() * s, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x / s, y / s));
            }
        }
        return out;
    }

    static FilterScopePanel panel(Model model, ExplainTab tab, List<Throwable> errors) throws Exception {
        FilterScopePanel panel = call(() -> {
            FilterScopePanel p = new FilterScopePanel();
            p.setErrorHandler(errors::add);
            p.addTab(tab);
            p.showTab(tab);
            p.setModel(model);
            p.setLabels(labels);
            p.setImage(boot);
            return p;
        });
        idle(panel);
        return panel;
    }

    static void idle(FilterScopePanel panel) throws Exception {
        panel.whenIdle().get(120, TimeUnit.SECONDS);
        onEdt(() -> { }); // what the drawing posted before it finished
    }

    /** The message the tab shows in place of a picture. */
    static String messageOf(ExplainTab tab) {
        return messageOf(tab.toolbar());
    }

    /** The message shown in place of a picture by the tab with this toolbar. */
    static String messageOf(javax.swing.JComponent toolbar) {
        Container holder = toolbar.getParent();
        for (java.awt.Component c : holder.getComponents()) {
            if (c instanceof GridTab g) {
                return g.messageText();
            }
        }
        throw new AssertionError("no grid tab beside the toolbar");
    }

    /**
     * The real model seen through a seam: counts every run (captures, batches, gradients), may hide
     * its gradients (as a model whose backward pass lacks an operator reports), and may hold its
     * batches at a gate.
     */
    static final class Counting implements Model {
        final Model real;
        final boolean gradients;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger gradientCalls = new AtomicInteger();
        final AtomicInteger gatedCalls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate;
        /** Whether the model may run from a layer ({@link Capability#RUN_FROM_LAYER}), as the real one can. */
        volatile boolean runsFromLayers = true;
        /** When set, gradients fail with it, as a backward pass that lacks an operator does. */
        volatile FilterScopeException gradientFailure;

        Counting(Model real, boolean gradients) {
            this.real = real;
            this.gradients = gradients;
        }

        @Override
        public ModelMetadata metadata() {
            return real.metadata();
        }

        @Override
        public List<LayerInfo> layers() {
            return real.layers();
        }

        @Override
        public Set<Capability> capabilities() {
            Set<Capability> c = EnumSet.copyOf(real.capabilities());
            if (!gradients) {
                c.remove(Capability.GRADIENTS);
            }
            if (!runsFromLayers) {
                c.remove(Capability.RUN_FROM_LAYER);
            }
            return c;
        }

        @Override
        public FilterBank filters(String layer) {
            return real.filters(layer);
        }

        @Override
        public Activations capture(Tensor in, CaptureRequest request) {
            calls.incrementAndGet();
            return real.capture(in, request);
        }

        @Override
        public Tensor run(Tensor in) {
            calls.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                gatedCalls.incrementAndGet();
                entered.countDown();
                try {
                    if (!g.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("the gate was never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.run(in);
        }

        @Override
        public Tensor runFrom(String layer, Tensor layerOutput) {
            calls.incrementAndGet();
            return runsFromLayers ? real.runFrom(layer, layerOutput) : Model.super.runFrom(layer, layerOutput);
        }

        @Override
        public Gradients gradients(Tensor in, GradientRequest request) {
            calls.incrementAndGet();
            gradientCalls.incrementAndGet();
            if (!gradients) {
                return Model.super.gradients(in, request);
            }
            if (gradientFailure != null) {
                throw gradientFailure;
            }
            return real.gradients(in, request);
        }

        @Override
        public void close() {
            // The real model is closed by the test class.
        }
    }
}
