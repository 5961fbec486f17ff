package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.Heatmaps;
import io.filterscope.tensor.Tensor;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.swing.JFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Explain tab in a real window: what the screen shows is the api's own overlay of the
 * Explainer's heatmap on the input (and the heatmap alone beside it), pixel for pixel, and an
 * opacity change reaches the screen; occlusion's own controls, set on screen, give the Explainer's
 * map for those parameters, and the chart draws the api's deletion and insertion curves.
 */
@Tag("gui")
class ExplainTabGuiTest {

    @Test
    void theScreenShowsTheApisOverlayOfTheExplainersHeatmap() throws Exception {
        Screens.requireDisplay();
        Screens.parkPointer();
        BufferedImage boot = Images.read(ExplainTabTest.BUNDLE.resolve("images/9-ankle-boot.png"));
        try (Model model = FilterScope.open(ExplainTabTest.BUNDLE.resolve("fashion_cnn.onnx"))) {
            ExplainTab tab = new ExplainTab();
            JFrame[] frame = new JFrame[1];
            FilterScopePanel panel = call(() -> {
                FlatLightLaf.setup();
                FilterScopePanel p = new FilterScopePanel();
                p.setSettings(ViewSettings.defaults().withZoom(1)); // the screen is compared pixel for pixel
                p.addTab(tab);
                p.showTab(tab);
                frame[0] = new JFrame("Explain");
                frame[0].getContentPane().add(p);
                frame[0].setBounds(0, 0, 1400, 860);
                frame[0].setVisible(true);
                p.setModel(model);
                p.setLabels(Predictions.readLabels(ExplainTabTest.BUNDLE.resolve("labels.txt")));
                p.setImage(boot);
                return p;
            });
            try {
                idle(panel);
                Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
                Tensor input = Preprocessor.apply(boot, prep);
                BufferedImage big = ExplainTabTest.nearest(Preprocessor.toImage(input, prep), 8);
                Explanation e = new Explainer(model).explain(input, ExplainRequest.of(Method.GRAD_CAM));
                GridView view = call(() -> gridTab(tab).view);
                assertTrue(call(() -> tab.methods.get(Method.GRAD_CAM).isShowing() && tab.info.isShowing()), "the controls are on screen");
                assertTrue(call(() -> tab.info.getText()).contains("deletion AUC"), "the faithfulness line");

                compare(view, Heatmaps.overlay(big, e.heatmap().normalized().values(), Colormap.INFERNO, 0.5f),
                        e.heatmap().upsampled(224, 224).image(Colormap.INFERNO));

                onEdt(() -> tab.opacity.setValue(25));
                idle(panel);
                compare(view, Heatmaps.overlay(big, e.heatmap().normalized().values(), Colormap.INFERNO, 0.25f),
                        e.heatmap().upsampled(224, 224).image(Colormap.INFERNO));
                Explainer explainer = new Explainer(model);
                assertChartShows(tab, explainer.faithfulness(input, e, Progress.NONE));

                // Occlusion's controls appear with it; set on screen, they give the Explainer's map for those parameters.
                onEdt(() -> tab.methods.get(Method.OCCLUSION).doClick());
                idle(panel);
                assertTrue(call(() -> tab.occlusionWindow.isShowing() && !tab.smoothGradNoise.isShowing() && !tab.topChannels.isShowing()));
                onEdt(() -> tab.occlusionWindow.setValue(6));
                idle(panel);
                onEdt(() -> tab.occlusionStride.setValue(4));
                idle(panel);
                onEdt(() -> tab.occlusionBaseline.setValue(-1.5));
                idle(panel);
                Explanation occlusion = explainer.explain(input, ExplainRequest.of(Method.OCCLUSION)
                        .withOcclusion(new ExplainRequest.Occlusion(6, 4, -1.5f)));
                compare(view, Heatmaps.overlay(big, occlusion.heatmap().normalized().values(), Colormap.INFERNO, 0.25f),
                        occlusion.heatmap().upsampled(224, 224).image(Colormap.INFERNO));
                assertChartShows(tab, explainer.faithfulness(input, occlusion, Progress.NONE));
            } finally {
                onEdt(() -> panel.setModel(null));
                panel.whenIdle().get(60, TimeUnit.SECONDS);
                onEdt(frame[0]::dispose);
            }
        }
    }

    /**
     * The chart on screen has the api's curves: each sample of the insertion curve (drawn last) is a
     * square of its colour where the chart places it, and each of the deletion curve's samples has
     * its colour there too, unless an insertion sample covers that place.
     */
    private static void assertChartShows(ExplainTab tab, Faithfulness expected) {
        ExplainTabTest.assertSameCurves(expected, call(() -> tab.chartedFaithfulness().orElseThrow()));
        assertTrue(call(tab.chart::isShowing), "the chart is on screen");
        BufferedImage shot = Screens.shoot(tab.chart);
        int n = expected.insertion().size() - 1;
        int checked = 0;
        for (int i = 0; i <= n; i++) {
            Point ins = pointOf(tab, i, n, expected.insertion().get(i));
            assertEquals(FaithfulnessChart.INSERTION.getRGB(), shot.getRGB(ins.x, ins.y), "insertion sample " + i + " at " + ins);
            Point del = pointOf(tab, i, n, expected.deletion().get(i));
            boolean covered = false;
            for (int j = 0; j <= n; j++) {
                Point other = pointOf(tab, j, n, expected.insertion().get(j));
                covered |= Math.abs(other.x - del.x) <= FaithfulnessChart.MARK && Math.abs(other.y - del.y) <= FaithfulnessChart.MARK;
            }
            if (!covered) {
                boolean found = false;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        found |= shot.getRGB(del.x + dx, del.y + dy) == FaithfulnessChart.DELETION.getRGB();
                    }
                }
                assertTrue(found, "deletion sample " + i + " at " + del);
                checked++;
            }
        }
        assertTrue(checked > 0, "some deletion samples lie apart from the insertion curve's");
    }

    private static Point pointOf(ExplainTab tab, int i, int n, double v) {
        return call(() -> tab.chart.point(i, n, v));
    }

    /** The visible grid shows the overlay at its top-left and the heatmap alone after the gap. */
    private static void compare(GridView view, BufferedImage overlay, BufferedImage alone) {
        BufferedImage shot = Screens.shootVisible(view);
        assertTrue(shot.getWidth() >= 2 * 224 + ExplainPicture.GAP && shot.getHeight() >= 224,
                "the whole picture is visible: " + shot.getWidth() + "×" + shot.getHeight());
        Screens.assertSameRegion(overlay, 0, 0, shot, 0, 0, 224, 224);
        Screens.assertSameRegion(alone, 0, 0, shot, 224 + ExplainPicture.GAP, 0, 224, 224);
    }

    private static GridTab gridTab(ExplainTab tab) {
        for (java.awt.Component c : tab.toolbar().getParent().getComponents()) {
            if (c instanceof GridTab g) {
                return g;
            }
        }
        throw new AssertionError("no grid tab beside the toolbar");
    }

    private static void idle(FilterScopePanel panel) {
        try {
            panel.whenIdle().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the panel did not become idle: " + e, e);
        }
        Screens.settle();
    }
}
