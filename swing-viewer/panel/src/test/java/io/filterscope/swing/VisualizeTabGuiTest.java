package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Images;
import io.filterscope.render.RenderedGrid;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.awt.Point;
import java.awt.event.InputEvent;
import java.awt.image.BufferedImage;
import java.util.concurrent.TimeUnit;
import javax.swing.JFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * "What excites this channel" in a real window: a click on a feature map opens the tile window, its
 * button brings the "What excites it" tab for that channel, and the screen shows the api's
 * {@link FeatureVisualizer} image for it, pixel for pixel.
 */
@Tag("gui")
class VisualizeTabGuiTest {
    private static final String CONV = "/conv3/Conv";

    @Test
    void theTileWindowsButtonShowsWhatExcitesThatChannel() throws Exception {
        Screens.requireDisplay();
        Screens.parkPointer();
        BufferedImage boot = Images.read(ExplainTabTest.BUNDLE.resolve("images/9-ankle-boot.png"));
        try (Model model = FilterScope.open(ExplainTabTest.BUNDLE.resolve("fashion_cnn.onnx"))) {
            VisualizeTab tab = new VisualizeTab();
            JFrame[] frame = new JFrame[1];
            FilterScopePanel panel = call(() -> {
                FlatLightLaf.setup();
                FilterScopePanel p = new FilterScopePanel();
                p.setSettings(ViewSettings.defaults().withZoom(1)); // the screen is compared pixel for pixel
                p.addTab(tab);
                frame[0] = new JFrame("What excites it");
                frame[0].getContentPane().add(p);
                frame[0].setBounds(0, 0, 1400, 860);
                frame[0].setVisible(true);
                p.setModel(model);
                p.setImage(boot);
                p.selectLayer(CONV);
                p.showTab(ViewTab.FEATURE_MAPS);
                tab.setSettings(new VisualizeTab.Settings(0, 20, 3));
                return p;
            });
            try {
                idle(panel);
                GridView maps = call(() -> panel.tab(ViewTab.FEATURE_MAPS).view);
                RenderedGrid.Tile t = FilterScopePanelGuiTest.tile(maps, 5);
                Point p = Screens.onScreen(maps, t.x() + t.width() / 2, t.y() + t.height() / 2);
                Screens.robot().mouseMove(p.x, p.y);
                Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
                Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
                Screens.waitUntil(() -> panel.inspector().isPresent(), "the tile window to open");
                TileInspector inspector = call(() -> panel.inspector().orElseThrow());
                Screens.waitUntil(() -> inspector.excite.isShowing(), "the tile window's \"What excites this channel\" button");
                onEdt(inspector.excite::doClick);
                idle(panel);
                assertTrue(call(() -> panel.currentPanelTab().orElseThrow() == tab), "the tab is in front");
                assertEquals(5, call(() -> tab.settings().channel()));

                Visualization expected = new FeatureVisualizer(model).visualize(VisualizeRequest.channel(CONV, 5).withSteps(20).withSeed(3));
                BufferedImage big = ExplainTabTest.nearest(expected.picture(), 8);
                GridView view = call(() -> gridTab(tab).view);
                BufferedImage shot = Screens.shootVisible(view);
                assertTrue(shot.getWidth() >= 224 && shot.getHeight() >= 224, "the whole picture is visible");
                Screens.assertSameRegion(big, 0, 0, shot, 0, 0, 224, 224);
            } finally {
                onEdt(() -> panel.setModel(null));
                panel.whenIdle().get(60, TimeUnit.SECONDS);
                onEdt(frame[0]::dispose);
            }
        }
    }

    private static GridTab gridTab(VisualizeTab tab) {
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
