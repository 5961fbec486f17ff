package io.filterscope.app.viewer;

import static io.filterscope.app.viewer.Gui.edt;

import io.filterscope.app.BundledModel;
import io.filterscope.model.LayerInfo;
import io.filterscope.render.Colormap;
import io.filterscope.render.Normalization;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import io.filterscope.swing.ViewSettings;
import io.filterscope.swing.ViewTab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Makes the README's pictures of the viewer: the real window on the bundled model, captured with
 * Robot. Not a test; runs only when asked for:
 *
 * <pre>xvfb-run -a -s "-screen 0 1280x1024x24" ./mvnw -B -o -q -pl swing-viewer -am verify -Dtest=DocScreenshots \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfilterscope.docImages=$PWD/docs/images</pre>
 */
@Tag("gui")
@EnabledIfSystemProperty(named = "filterscope.docImages", matches = ".+")
class DocScreenshots {

    @Test
    void writeScreenshots() throws Exception {
        Gui.requireDisplay();
        Path out = Path.of(System.getProperty("filterscope.docImages"));
        Files.createDirectories(out);
        Preferences node = Preferences.userRoot().node("io/filterscope/docs-" + UUID.randomUUID());
        javax.swing.LookAndFeel lookAndFeel = Gui.lookAndFeel();
        SystemTheme light = new SystemTheme(Map.of(), "Linux", cmd -> Optional.empty());
        ViewerFrame frame = edt(() -> {
            ViewerFrame.installLookAndFeel(false);
            ViewerFrame f = new ViewerFrame(new ViewerPreferences(node), light);
            f.setSize(1100, 720);
            f.setLocation(0, 0);
            f.setVisible(true);
            return f;
        });
        try {
            BundledModel b = BundledModel.get();
            edt(() -> frame.openModel(b.model(), "fashion_cnn.onnx (bundled)", OpenOptions.defaults(), false)).get(2, TimeUnit.MINUTES);
            edt(() -> frame.openImage(b.defaultImage(), false)).get(2, TimeUnit.MINUTES);
            List<LayerInfo> spatial = frame.panel().model().orElseThrow().layers().stream().filter(LayerInfo::hasSpatialOutput).toList();
            LayerInfo conv = frame.panel().model().orElseThrow().layers().stream().filter(l -> l.filterShape().isPresent()).findFirst().orElseThrow();

            shoot(frame, ViewTab.FILTERS, conv.name(), out.resolve("viewer-filters.png"));
            shoot(frame, ViewTab.FEATURE_MAPS, spatial.get(0).name(), out.resolve("viewer-feature-maps.png"));
            shoot(frame, ViewTab.MODEL, spatial.get(0).name(), out.resolve("viewer-model.png"));
            edt(() -> {
                frame.panel().showTab(frame.explainTab());
                return null;
            });
            frame.panel().whenIdle().get(2, TimeUnit.MINUTES);
            Png.write(Gui.screenshot(frame), out.resolve("viewer-explain.png"));
            edt(() -> frame.applyTheme(Theme.DARK));
            shoot(frame, ViewTab.FEATURE_MAPS, spatial.get(1).name(), out.resolve("viewer-dark.png"));
        } finally {
            edt(() -> frame.dispose());
            Gui.restore(lookAndFeel);
            node.removeNode();
        }
    }

    /** The tab as a new user sees it: grids fitted to the view (the default zoom). */
    private static void shoot(ViewerFrame frame, ViewTab tab, String layer, Path png) throws Exception {
        edt(() -> {
            // Weights are signed: a diverging map around zero shows them best; activations keep the default.
            ViewSettings base = ViewSettings.defaults();
            frame.panel().setSettings((tab == ViewTab.FILTERS
                    ? base.withColormap(Colormap.COOLWARM).withNormalization(Normalization.SYMMETRIC) : base));
            frame.panel().selectLayer(layer);
            frame.panel().showTab(tab);
        });
        frame.panel().whenIdle().get(2, TimeUnit.MINUTES);
        Png.write(Gui.screenshot(frame), png);
        System.out.printf("%s: %d KB%n", png, Files.size(png) / 1024);
    }
}
