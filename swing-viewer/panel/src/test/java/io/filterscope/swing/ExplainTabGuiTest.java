package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.Heatmaps;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.swing.JFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Explain tab in a real window: what the screen shows is the api's own overlay of the
 * Explainer's heatmap on the input (and the heatmap alone beside it), pixel for pixel, and an
 * opacity change reaches the screen.
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
            } finally {
                onEdt(() -> panel.setModel(null));
                panel.whenIdle().get(60, TimeUnit.SECONDS);
                onEdt(frame[0]::dispose);
            }
        }
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
