package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import io.filterscope.stats.WeightStats;
import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.awt.event.InputEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.swing.JCheckBox;
import javax.swing.JFrame;
import javax.swing.JLabel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * In a real window: the Filters tab's weight-statistics line shows above the grid, and a click on the
 * Dataset examples tab's Patches box redraws the folder's examples as patches.
 */
@Tag("gui")
class DatasetExamplesGuiTest {
    static final Path BUNDLE = Path.of(System.getProperty("basedir", ".")).resolve("../../samples/models/fashion-mnist").normalize();

    @Test
    void statisticsLineAndPatchesBoxInAWindow() throws Exception {
        Screens.requireDisplay();
        List<Throwable> errors = new ArrayList<>();
        DatasetExamplesTab tab = new DatasetExamplesTab();
        JFrame[] frame = {null};
        FilterScopePanel[] panel = {null};
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            onEdt(() -> {
                FlatLightLaf.setup();
                panel[0] = new FilterScopePanel();
                panel[0].setErrorHandler(errors::add);
                panel[0].addTab(tab);
                frame[0] = new JFrame("Dataset examples test");
                frame[0].getContentPane().add(panel[0]);
                frame[0].setBounds(0, 0, 1250, 950);
                frame[0].setVisible(true);
                panel[0].setModel(model);
                panel[0].showTab(ViewTab.FILTERS);
                panel[0].selectLayer("/conv2/Conv");
            });
            try {
                panel[0].whenIdle().get(Screens.HANG_BOUND_S, TimeUnit.SECONDS);
                JLabel summary = (JLabel) find(frame[0], "filters-summary");
                String expected = FilterBadges.summary(WeightStats.of(model.filters("/conv2/Conv"), FiltersSource.STATS), FiltersSource.STATS);
                Screens.waitUntil(() -> summary.isShowing() && summary.getText().equals(expected), "the statistics line above the filters");
                assertTrue(call(() -> summary.getText().startsWith("32 filters · L2 norm ")), call(summary::getText));

                onEdt(() -> {
                    panel[0].showTab(tab);
                    tab.setFolder(BUNDLE.resolve("images"));
                });
                panel[0].whenIdle().get(Screens.HANG_BOUND_S, TimeUnit.SECONDS);
                java.awt.image.BufferedImage images = call(panel[0]::currentViewImage);
                JCheckBox box = (JCheckBox) find(frame[0], "examples-patches");
                Screens.parkPointer();
                Point at = Screens.onScreen(box, 8, call(box::getHeight) / 2);
                Screens.robot().mouseMove(at.x, at.y);
                Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
                Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
                Screens.waitUntil(box::isSelected, "the Patches box to be ticked");
                Screens.parkPointer();
                panel[0].whenIdle().get(Screens.HANG_BOUND_S, TimeUnit.SECONDS);
                java.awt.image.BufferedImage patches = call(panel[0]::currentViewImage);
                assertSame(expected(model, io.filterscope.render.ExampleGrid.Content.IMAGES, ""), images);
                assertSame(expected(model, io.filterscope.render.ExampleGrid.Content.PATCHES, ", patches under the strongest response"), patches);
                assertEquals(List.of(), errors);
            } finally {
                onEdt(() -> {
                    panel[0].setModel(null);
                    frame[0].dispose();
                });
                panel[0].whenIdle().get(Screens.HANG_BOUND_S, TimeUnit.SECONDS);
            }
        }
    }

    /** The bundled images' examples for conv2 through the api alone. */
    private static java.awt.image.BufferedImage expected(Model model, io.filterscope.render.ExampleGrid.Content content, String tail) {
        io.filterscope.io.ImageFolder f = io.filterscope.io.ImageFolder.of(BUNDLE.resolve("images"));
        io.filterscope.preprocess.Preprocessing prep = io.filterscope.preprocess.Preprocessing.forModel(model.metadata(), java.util.Optional.empty());
        io.filterscope.examples.ExampleSearch.Result r = io.filterscope.examples.ExampleSearch.run(model, f.files(), f::name, prep,
                io.filterscope.examples.ExampleSearch.Settings.of("/conv2/Conv", 5), io.filterscope.examples.ExampleSearch.Listener.none());
        io.filterscope.examples.ExampleImages ex = new io.filterscope.examples.ExampleImages(model, "/conv2/Conv", n -> f.dir().resolve(n), prep,
                io.filterscope.preprocess.FreeSize.DEFAULT);
        return io.filterscope.render.ExampleGrid.draw(r.top(), ex::view, ex::patch, content, io.filterscope.render.ExampleGrid.tileFor(28, 28),
                "/conv2/Conv: top 5 of 10 images per channel by max activation" + tail);
    }

    private static void assertSame(java.awt.image.BufferedImage expected, java.awt.image.BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        int w = expected.getWidth();
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.getRGB(0, 0, w, expected.getHeight(), null, 0, w),
                actual.getRGB(0, 0, w, actual.getHeight(), null, 0, w));
    }

    private static Component find(Container root, String name) {
        return call(() -> search(root, name));
    }

    private static Component search(Container c, String name) {
        for (Component child : c.getComponents()) {
            if (name.equals(child.getName())) {
                return child;
            }
            if (child instanceof Container k) {
                Component found = search(k, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
