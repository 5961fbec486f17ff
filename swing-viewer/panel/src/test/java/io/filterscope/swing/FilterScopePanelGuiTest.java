package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Normalization;
import io.filterscope.render.Paper;
import io.filterscope.render.RenderedGrid;
import io.filterscope.model.CaptureRequest;
import java.awt.Color;
import java.awt.Point;
import java.awt.Toolkit;
import java.awt.datatransfer.DataFlavor;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.event.MouseEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The panel in a real window with the bundled ONNX model, checked on the screen's pixels and
 * against references computed with ONNX Runtime in Python ({@code src/test/python/make_viewer_references.py}).
 */
@Tag("gui")
class FilterScopePanelGuiTest {
    static final Path BUNDLE = Path.of(System.getProperty("basedir", ".")).resolve("../../samples/models/fashion-mnist").normalize();
    static final int WHITE = 0xffffff;

    static JsonNode ref;
    static Model onnx;
    static CountingModel model;
    static List<String> labels;
    static BufferedImage boot;
    static JFrame frame;
    static FilterScopePanel panel;
    static final List<Throwable> errors = new ArrayList<>();

    @BeforeAll
    static void openWindow() throws IOException {
        Screens.requireDisplay();
        try (var in = FilterScopePanelGuiTest.class.getResourceAsStream("/viewer/references.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        onnx = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"));
        model = new CountingModel(onnx);
        labels = Predictions.readLabels(BUNDLE.resolve("labels.txt"));
        boot = Images.read(BUNDLE.resolve("images/9-ankle-boot.png"));
        onEdt(() -> {
            FlatLightLaf.setup();
            panel = new FilterScopePanel();
            panel.setErrorHandler(errors::add);
            frame = new JFrame("FilterScopePanel test");
            frame.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
            frame.getContentPane().add(panel);
            frame.setBounds(0, 0, 1250, 950);
            frame.setVisible(true);
            panel.setModel(model);
            panel.setLabels(labels);
            panel.setImage(boot);
        });
        idle();
    }

    @AfterAll
    static void closeWindow() {
        if (panel != null) {
            idle();
            onEdt(() -> {
                frame.dispose();
                FlatLightLaf.setup();
            });
        }
        if (onnx != null) {
            onnx.close();
        }
    }

    @BeforeEach
    void reset() {
        Screens.parkPointer();
        onEdt(() -> {
            // The pixel comparisons read one screen pixel per image pixel; fit-to-view (the default) is tested on its own.
            panel.setSettings(ViewSettings.defaults().withZoom(1));
            panel.showTab(ViewTab.FILTERS);
            panel.selectLayer("/conv1/Conv");
            errors.clear();
        });
        idle();
    }

    @AfterEach
    void noUnexpectedErrors() {
        idle();
        assertEquals(List.of(), call(() -> List.copyOf(errors)), "background work failed");
    }

    /**
     * Waits until the panel shows its newest request. Screenshots settle on their own (repaints and
     * the X server), and everything else a test reads is state on the EDT, read after the result.
     */
    static void idle() {
        try {
            panel.whenIdle().get(Screens.HANG_BOUND_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the panel did not become idle within " + Screens.HANG_BOUND_S + " s: " + e, e);
        }
    }

    /** The grid image as it is on screen (only the image, not the viewport around it). */
    static BufferedImage gridOnScreen(ViewTab tab) {
        GridView view = call(() -> panel.tab(tab).view);
        BufferedImage shot = Screens.shootVisible(view);
        BufferedImage img = call(panel::currentViewImage);
        int w = Math.min(shot.getWidth(), img.getWidth());
        int h = Math.min(shot.getHeight(), img.getHeight());
        return shot.getSubimage(0, 0, w, h);
    }

    static GridStyle style(Colormap c, Normalization n, GridStyle base) {
        return base.withColormap(c).withNormalization(n);
    }

    @Test
    void conv1FiltersShowSixteenTilesOnScreenExactlyAsGridRendererDrawsThem() {
        BufferedImage screen = gridOnScreen(ViewTab.FILTERS);
        assertEquals(16, Screens.regions(screen, WHITE, 40), "conv1 has 16 filters of 1×3×3");
        BufferedImage expected = GridRenderer.filters(onnx.filters("/conv1/Conv"),
                style(Colormap.VIRIDIS, Normalization.PER_LAYER, GridStyle.filters()));
        Screens.assertSameTopLeft(expected, screen);
        assertEquals(expected.getWidth(), call(panel::currentViewImage).getWidth());
    }

    @Test
    void conv2FeatureMapsShowThirtyTwoTilesAndMatchGridRenderer() {
        onEdt(() -> {
            panel.selectLayer("/conv2/Conv");
            panel.showTab(ViewTab.FEATURE_MAPS);
        });
        idle();
        BufferedImage screen = gridOnScreen(ViewTab.FEATURE_MAPS);
        assertEquals(32, Screens.regions(screen, WHITE, 40));
        FeatureMaps maps = referenceCapture("/conv2/Conv");
        BufferedImage expected = GridRenderer.featureMaps(maps, GridStyle.featureMaps());
        Screens.assertSameTopLeft(expected, screen);
    }

    @Test
    void changingTheColormapRedrawsWithoutRunningTheModel() {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        int runs = model.captures.get();
        BufferedImage viridis = gridOnScreen(ViewTab.FEATURE_MAPS);
        onEdt(() -> panel.setSettings(panel.settings().withColormap(Colormap.MAGMA)));
        idle();
        BufferedImage magma = gridOnScreen(ViewTab.FEATURE_MAPS);
        assertEquals(viridis.getWidth(), magma.getWidth());
        assertFalse(samePixels(viridis, magma), "the colormap changed, so must the pixels");
        Screens.assertSameTopLeft(GridRenderer.featureMaps(referenceCapture("/conv1/Conv"),
                style(Colormap.MAGMA, Normalization.PER_LAYER, GridStyle.featureMaps())), magma);
        assertEquals(runs, model.captures.get(), "a colormap change only redraws");
    }

    @Test
    void switchingBetweenCapturedLayersDoesNotRunTheModelAgainButAPresetChangeDoes() {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        int runs = model.captures.get();
        for (String layer : List.of("/conv2/Conv", "/pool1/MaxPool", "/conv3/Conv", "/conv1/Conv")) {
            onEdt(() -> panel.selectLayer(layer));
            idle();
            assertTrue(call(panel::hasViewImage), layer + " has feature maps");
        }
        assertEquals(runs, model.captures.get());
        onEdt(() -> panel.setSettings(panel.settings().withPreset(Preset.RAW)));
        idle();
        assertEquals(runs + 1, model.captures.get(), "a new preset runs the model once");
        // 0..255 inputs to a model trained on 0..1 saturate: the picture and the numbers change.
        BufferedImage seen = call(() -> panel.inputPreview().seen());
        assertEquals(28, seen.getWidth());
    }

    @Test
    void topPredictionForTheAnkleBootIsAnkleBootWithOnnxRuntimesProbabilities() {
        List<Prediction> shown = call(() -> panel.predictionBars().shown());
        assertEquals(FilterScopePanel.TOP_K, shown.size());
        assertEquals("Ankle boot", shown.get(0).label());
        for (int i = 0; i < shown.size(); i++) {
            JsonNode r = ref.get("top").get(i);
            assertEquals(r.get("index").asInt(), shown.get(i).index());
            assertEquals(r.get("label").asText(), shown.get(i).label());
            assertEquals(r.get("probability").asDouble(), shown.get(i).probability(), 1e-5);
        }
        // The top bar is drawn: a run of the bar colour about 99.7 % of the bar's length.
        PredictionBars bars = call(panel::predictionBars);
        BufferedImage shot = Screens.shoot(bars);
        Color barColour = call(() -> UIManager.getColor("ProgressBar.foreground"));
        int longest = longestRun(shot, barColour.getRGB() & 0xffffff);
        int full = call(bars::getWidth) - 8;
        assertEquals(full * ref.get("top").get(0).get("probability").asDouble(), longest, 2.0);
    }

    @Test
    void topChannelsByMeanAreOnnxRuntimesStrongestChannelsInOrder() {
        onEdt(() -> {
            panel.showTab(ViewTab.FEATURE_MAPS);
            panel.setSettings(panel.settings().withChannels(ChannelSelection.top(ChannelSelection.Mode.TOP_MEAN, 4)));
        });
        idle();
        JsonNode means = ref.get("layers").get("/conv1/Conv").get("mean");
        List<Integer> expected = java.util.stream.IntStream.range(0, means.size()).boxed()
                .sorted((a, b) -> Double.compare(means.get(b).asDouble(), means.get(a).asDouble())).limit(4).toList();
        GridView view = call(() -> panel.tab(ViewTab.FEATURE_MAPS).view);
        assertEquals(expected, call(() -> view.shown().orElseThrow().grid().tiles().stream().map(RenderedGrid.Tile::channel).toList()));
        assertEquals(4, Screens.regions(gridOnScreen(ViewTab.FEATURE_MAPS), WHITE, 40));
        // Top N by max: a different choice for this image.
        onEdt(() -> panel.setSettings(panel.settings().withChannels(ChannelSelection.top(ChannelSelection.Mode.TOP_MAX, 4))));
        idle();
        JsonNode maxes = ref.get("layers").get("/conv1/Conv").get("max");
        List<Integer> byMax = java.util.stream.IntStream.range(0, maxes.size()).boxed()
                .sorted((a, b) -> Double.compare(maxes.get(b).asDouble(), maxes.get(a).asDouble())).limit(4).toList();
        assertEquals(byMax, call(() -> view.shown().orElseThrow().grid().tiles().stream().map(RenderedGrid.Tile::channel).toList()));
    }

    @Test
    void cancelWhileTheModelRunsStopsWaitingAndDropsTheResult() throws Exception {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        CountDownLatch gate = new CountDownLatch(1);
        model.gate = gate;
        try {
            onEdt(() -> panel.setSettings(panel.settings().withPreset(Preset.RAW)));
            assertTrue(model.entered.await(30, TimeUnit.SECONDS), "the capture started");
            StatusLine status = call(panel::statusLine);
            assertTrue(call(status::isBusy), "busy while the model runs");
            assertTrue(call(() -> status.cancel.isShowing()), "a Cancel button is shown");
            var idle = panel.whenIdle();
            assertFalse(idle.isDone());
            // A real click on the Cancel button.
            Point p = Screens.onScreen(status.cancel, 5, 5);
            Screens.robot().mouseMove(p.x, p.y);
            Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
            Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            gate.countDown();
            idle.get(30, TimeUnit.SECONDS);
            Screens.settle();
            assertEquals("Cancelled", call(panel::statusText));
            assertFalse(call(status::isBusy));
            assertFalse(call(panel::hasViewImage), "the cancelled run's maps are not shown");
        } finally {
            model.gate = null;
            gate.countDown();
        }
        // Choosing again runs the model again and shows the maps.
        onEdt(() -> panel.setSettings(panel.settings().withPreset(null)));
        idle();
        assertTrue(call(panel::hasViewImage));
    }

    @Test
    void keyboardDownMovesToTheNextLayerAndTellsTheListeners() {
        List<LayerInfo> told = new ArrayList<>();
        LayerSelectionListener l = told::add;
        onEdt(() -> panel.addLayerSelectionListener(l));
        try {
            var list = call(() -> panel.layerList().layerJList());
            Point p = Screens.onScreen(list, 20, call(() -> list.getCellBounds(0, 0).height / 2));
            Screens.robot().mouseMove(p.x, p.y);
            Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
            Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
            Screens.waitUntil(() -> panel.selectedLayer().map(x -> x.name().equals("/conv1/Conv")).orElse(false), "the click to select conv1");
            idle();
            assertEquals("/conv1/Conv", call(() -> panel.selectedLayer().orElseThrow().name()));
            Screens.robot().keyPress(KeyEvent.VK_DOWN);
            Screens.robot().keyRelease(KeyEvent.VK_DOWN);
            Screens.waitUntil(() -> !panel.selectedLayer().orElseThrow().name().equals("/conv1/Conv"), "the key to move the selection");
            idle();
            String second = onnx.layers().get(1).name();
            assertEquals(second, call(() -> panel.selectedLayer().orElseThrow().name()));
            assertEquals(List.of(second), told.stream().map(LayerInfo::name).toList());
            // The Filters tab now says the Relu has none, and names the layers that have.
            String message = call(() -> panel.tab(ViewTab.FILTERS).messageText());
            assertTrue(message.contains("has no filters") && message.contains("/conv2/Conv"), message);
            assertFalse(call(panel::hasViewImage));
        } finally {
            onEdt(() -> panel.removeLayerSelectionListener(l));
        }
    }

    @Test
    void typingInTheFilterFieldNarrowsTheList() {
        var field = call(() -> panel.layerList().filterField());
        onEdt(() -> field.setText("conv"));
        assertEquals(List.of("/conv1/Conv", "/conv2/Conv", "/conv3/Conv"),
                call(() -> panel.layerList().visibleLayers().stream().map(LayerInfo::name).toList()));
        onEdt(() -> field.setText(""));
        assertEquals(onnx.layers().size(), call(() -> panel.layerList().visibleLayers().size()));
    }

    @Test
    void hoveringATileTellsItsChannelAndOnnxRuntimesStatistics() {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        JsonNode r = ref.get("layers").get("/conv1/Conv");
        GridView view = call(() -> panel.tab(ViewTab.FEATURE_MAPS).view);
        for (int c : new int[] {2, 5, 15}) {
            RenderedGrid.Tile t = tile(view, c);
            String tip = call(() -> view.getToolTipText(new MouseEvent(view, MouseEvent.MOUSE_MOVED, 0, 0,
                    t.x() + t.width() / 2, t.y() + t.height() / 2, 0, false)));
            assertTrue(tip.contains("channel " + c), tip);
            assertNumber(r.get("min").get(c).asDouble(), tip, "min");
            assertNumber(r.get("max").get(c).asDouble(), tip, "max");
            assertNumber(r.get("mean").get(c).asDouble(), tip, "mean");
        }
        assertEquals(null, call(() -> view.getToolTipText(new MouseEvent(view, MouseEvent.MOUSE_MOVED, 0, 0, 1, 1, 0, false))),
                "no tooltip over the margin");
    }

    @Test
    void clickingATileEnlargesItAndReadsOutTheValueUnderThePointer() {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        GridView view = call(() -> panel.tab(ViewTab.FEATURE_MAPS).view);
        JsonNode cell = ref.get("layers").get("/conv1/Conv").get("cells").get(1); // channel 5, row 3, column 10
        int c = cell.get(0).asInt();
        RenderedGrid.Tile t = tile(view, c);
        Point p = Screens.onScreen(view, t.x() + t.width() / 2, t.y() + t.height() / 2);
        Screens.robot().mouseMove(p.x, p.y);
        Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
        Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        Screens.waitUntil(() -> panel.inspector().isPresent(), "the tile window to open");
        TileInspector inspector = call(() -> panel.inspector().orElseThrow(() -> new AssertionError("no tile window opened")));
        try {
            assertTrue(call(inspector::isShowing));
            assertTrue(call(inspector::getTitle).contains("channel " + c));
            int size = call(inspector::cellSize);
            // The enlarged picture is the tile's own pixels, one flat square per value. Seeing them on
            // the screen is also how the test knows the X server has put the window up.
            BufferedImage grid = call(panel::currentViewImage);
            try {
                Screens.waitFor(() -> showsTileEnlarged(Screens.shoot(inspector.picture()), grid, t, size),
                        "the tile window to show channel " + c + " enlarged on the screen");
            } catch (AssertionError e) {
                // Seen once in 18 runs under load (2026-11-26), cause not yet known: keep what was on the
                // screen and where, for the next person to look at.
                BufferedImage shot = Screens.shoot(inspector.picture());
                Path dir = Path.of(System.getProperty("basedir", "."), "target");
                try {
                    ImageIO.write(shot, "png", dir.resolve("tile-window-on-screen.png").toFile());
                    ImageIO.write(grid, "png", dir.resolve("tile-window-grid.png").toFile());
                } catch (IOException io) {
                    e.addSuppressed(io);
                }
                throw new AssertionError(e.getMessage() + "; tile " + t + ", cell " + size + " px, window at "
                        + call(() -> inspector.getBounds()) + " showing " + call(inspector::isShowing) + ", picture at "
                        + Screens.onScreen(inspector.picture(), 0, 0) + " size " + call(() -> inspector.picture().getSize())
                        + ", pointer at " + java.awt.MouseInfo.getPointerInfo().getLocation()
                        + "; screenshots in target/tile-window-*.png", e);
            }
            int row = cell.get(1).asInt();
            int column = cell.get(2).asInt();
            Point q = Screens.onScreen(inspector.picture(), column * size + size / 2, row * size + size / 2);
            Screens.robot().mouseMove(q.x, q.y);
            String at = "row " + row + ", column " + column + ": ";
            Screens.waitUntil(() -> inspector.readoutText().startsWith(at), "the read-out of " + at + "under the pointer");
            String readout = call(inspector::readoutText);
            assertEquals(cell.get(3).asDouble(), Double.parseDouble(readout.substring(readout.indexOf(": ") + 2)),
                    1e-3 * Math.abs(cell.get(3).asDouble()) + 1e-6);
            // A window that opens under a resting pointer gets an enter event and no move: that
            // alone reads out the value.
            onEdt(() -> inspector.picture().dispatchEvent(new MouseEvent(inspector.picture(), MouseEvent.MOUSE_ENTERED,
                    System.currentTimeMillis(), 0, size / 2, size / 2, 0, false)));
            assertTrue(call(inspector::readoutText).startsWith("row 0, column 0: "), call(inspector::readoutText));
        } finally {
            onEdt(inspector::dispose);
        }
    }

    @Test
    void filterTilesReadOutTheWeightsInTheModelFile() {
        GridView view = call(() -> panel.tab(ViewTab.FILTERS).view);
        ShownGrid shown = call(() -> view.shown().orElseThrow());
        for (JsonNode cell : ref.get("conv1_cells")) {
            RenderedGrid.Tile t = tile(view, cell.get(0).asInt());
            String v = shown.values().valueAt(t, cell.get(1).asInt(), cell.get(2).asInt());
            assertEquals(cell.get(3).asDouble(), Double.parseDouble(v), 1e-3 * Math.abs(cell.get(3).asDouble()) + 1e-7);
        }
    }

    @Test
    void saveWritesExactlyTheViewAndCopyPutsItOnTheClipboard(@TempDir Path dir) throws Exception {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        Path png = dir.resolve("view.png");
        onEdt(() -> panel.saveCurrentView(png));
        BufferedImage view = call(panel::currentViewImage);
        BufferedImage saved = ImageIO.read(png.toFile());
        assertEquals(view.getWidth(), saved.getWidth());
        assertEquals(view.getHeight(), saved.getHeight());
        Screens.assertSameRegion(view, 0, 0, saved, 0, 0, view.getWidth(), view.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList(), "no temporary file is left");
        }

        onEdt(panel::copyCurrentViewToClipboard);
        BufferedImage clip = (BufferedImage) call(() -> Toolkit.getDefaultToolkit().getSystemClipboard().getData(DataFlavor.imageFlavor));
        Screens.assertSameRegion(view, 0, 0, clip, 0, 0, view.getWidth(), view.getHeight());
    }

    @Test
    void theModelTabShowsTheMetadataAndOnnxRuntimesHash() {
        onEdt(() -> panel.showTab(ViewTab.MODEL));
        idle();
        ModelInfo info = call(panel::modelInfo);
        assertEquals(ref.get("sha256").asText(), call(() -> info.value("SHA-256")));
        assertEquals("ONNX", call(() -> info.value("Format")));
        assertEquals("17", call(() -> info.value("Opset")));
        assertTrue(call(() -> info.value("Input")).startsWith("input: batch×1×28×28"), call(() -> info.value("Input")));
        assertThrows(FilterScopeException.class, () -> call(panel::currentViewImage), "the Model tab has no grid");
    }

    @Test
    void zoomMagnifiesCrisplyOnScreen() {
        onEdt(() -> panel.setSettings(panel.settings().withZoom(2)));
        idle();
        GridView view = call(() -> panel.tab(ViewTab.FILTERS).view);
        BufferedImage img = call(panel::currentViewImage);
        BufferedImage shot = Screens.shootVisible(view);
        int w = Math.min(shot.getWidth() / 2, img.getWidth());
        int h = Math.min(shot.getHeight() / 2, img.getHeight());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int e = img.getRGB(x, y) & 0xffffff;
                for (int d = 0; d < 4; d++) {
                    assertEquals(e, shot.getRGB(2 * x + d % 2, 2 * y + d / 2) & 0xffffff, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void fitToViewTheDefaultMagnifiesASmallLayersFiltersCrisplyToFillTheTab() {
        onEdt(() -> panel.setSettings(ViewSettings.defaults()));
        idle();
        GridView view = call(() -> panel.tab(ViewTab.FILTERS).view);
        java.awt.Dimension port = call(() -> panel.tab(ViewTab.FILTERS).scroll.getViewport().getSize());
        BufferedImage img = call(panel::currentViewImage);
        double z = call(view::zoom);
        int k = (int) z;
        assertEquals(k, z, "a whole number of screen pixels per image pixel");
        assertEquals(Math.min(port.width / img.getWidth(), port.height / img.getHeight()), k, "as large as fits in " + port);
        assertTrue(k >= 2, "conv1's 3×3 filters are magnified, not shown at 100 %: " + k);
        assertEquals(k * 100, call(() -> ((Number) panel.controls().zoom.getValue()).intValue()), "the zoom control shows it");
        assertTrue(call(() -> panel.controls().fit.isSelected()));
        BufferedImage shot = Screens.shootVisible(view);
        assertTrue(shot.getWidth() >= k * img.getWidth() - 1 && shot.getHeight() >= k * img.getHeight() - 1, "the whole grid is visible");
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                int e = img.getRGB(x, y) & 0xffffff;
                assertEquals(e, shot.getRGB(k * x + k / 2, k * y + k / 2) & 0xffffff, "pixel " + x + "," + y);
            }
        }

        // Leaving Fit keeps what is on screen as a set zoom; Fit brings the fitted view back.
        onEdt(() -> panel.controls().fit.doClick());
        idle();
        assertFalse(call(() -> panel.settings().fitToView()));
        assertEquals(k, call(() -> panel.settings().zoom()), 1e-9, "leaving fit keeps the magnification on screen");
        onEdt(() -> panel.controls().fit.doClick());
        idle();
        assertTrue(call(() -> panel.settings().fitToView()));
        assertEquals(z, call(view::zoom), 1e-9);
    }

    @Test
    void clearingTheImageAndTheModelLeavesPlainMessagesAndSettingThemBackRestoresTheView() {
        onEdt(() -> {
            panel.showTab(ViewTab.FEATURE_MAPS);
            panel.setImage(null);
        });
        idle();
        assertTrue(call(() -> panel.tab(ViewTab.FEATURE_MAPS).messageText()).contains("Open an image"));
        assertTrue(call(() -> panel.predictionBars().shown()).isEmpty());
        onEdt(() -> panel.setModel(null));
        idle();
        assertTrue(call(() -> panel.model().isEmpty()));
        assertTrue(call(() -> panel.selectedLayer().isEmpty()));
        assertTrue(call(() -> panel.tab(ViewTab.FEATURE_MAPS).messageText()).contains("Open a model"));
        assertThrows(FilterScopeException.class, () -> onEdt(() -> panel.selectLayer("/conv1/Conv")));
        onEdt(() -> {
            panel.setModel(model);
            panel.setImage(boot);
        });
        idle();
        assertEquals("/conv1/Conv", call(() -> panel.selectedLayer().orElseThrow().name()), "the first conv layer is selected");
        assertTrue(call(panel::hasViewImage));
        assertEquals("Ankle boot", call(() -> panel.predictionBars().shown().get(0).label()));
    }

    @Test
    void ctrlWheelOnTheGridZooms() {
        GridView view = call(() -> panel.tab(ViewTab.FILTERS).view);
        Point p = Screens.onScreen(view, 30, 30);
        Screens.robot().mouseMove(p.x, p.y);
        Screens.robot().keyPress(KeyEvent.VK_CONTROL);
        try {
            Screens.robot().mouseWheel(-1);
        } finally {
            Screens.robot().keyRelease(KeyEvent.VK_CONTROL);
        }
        Screens.waitUntil(() -> panel.settings().zoom() != 1.0, "the wheel to zoom");
        idle();
        assertEquals(1.1, call(() -> panel.settings().zoom()), 1e-9);
        assertEquals(1.1, call(view::zoom), 1e-9);
        assertEquals(110, call(() -> ((Number) panel.controls().zoom.getValue()).intValue()), "the zoom control follows");
    }

    @Test
    void arrowKeysInTheFilterFieldStepThroughTheMatches() {
        var field = call(() -> panel.layerList().filterField());
        onEdt(() -> field.setText("conv"));
        Point p = Screens.onScreen(field, 10, 5);
        Screens.robot().mouseMove(p.x, p.y);
        Screens.robot().mousePress(InputEvent.BUTTON1_DOWN_MASK);
        Screens.robot().mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        Screens.waitUntil(field::hasFocus, "the click to focus the filter field");
        Screens.robot().keyPress(KeyEvent.VK_DOWN);
        Screens.robot().keyRelease(KeyEvent.VK_DOWN);
        Screens.waitUntil(() -> panel.selectedLayer().map(x -> !x.name().equals("/conv1/Conv")).orElse(false), "the key to move the selection");
        idle();
        assertEquals("/conv2/Conv", call(() -> panel.selectedLayer().orElseThrow().name()));
        assertTrue(call(field::hasFocus), "typing can go on");
        onEdt(() -> field.setText(""));
    }

    @Test
    void theNextLayersAreDrawnAheadSoSteppingToThemShowsThemAtOnce() throws Exception {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        panel.whenPrefetched().get(60, TimeUnit.SECONDS);
        int runs = model.captures.get();
        // The next layer with feature maps below conv1 in the list is relu1 (the same tensor).
        boolean shownAtOnce = call(() -> {
            panel.selectLayer("/relu1/Relu");
            return panel.hasViewImage() && panel.tab(ViewTab.FEATURE_MAPS).grid().orElseThrow().layer().equals("/relu1/Relu")
                    && !panel.statusLine().isBusy();
        });
        assertTrue(shownAtOnce, "a prefetched layer is shown within the selection, with nothing left to draw");
        idle();
        // On the Filters tab relu1 has none; the nearest layers with filters, conv1 above and conv2
        // below, are drawn ahead (in a colormap no test drew before, so nothing was cached).
        onEdt(() -> {
            panel.showTab(ViewTab.FILTERS);
            panel.setSettings(panel.settings().withColormap(Colormap.INFERNO));
        });
        idle();
        panel.whenPrefetched().get(60, TimeUnit.SECONDS);
        for (String layer : List.of("/conv2/Conv", "/relu1/Relu", "/conv1/Conv")) {
            assertTrue(call(() -> {
                panel.selectLayer(layer);
                return layer.contains("Relu") || panel.hasViewImage() && panel.tab(ViewTab.FILTERS).grid().orElseThrow().layer().equals(layer)
                        && !panel.statusLine().isBusy();
            }), layer);
            idle();
        }
        Screens.assertSameTopLeft(GridRenderer.filters(onnx.filters("/conv1/Conv"),
                style(Colormap.INFERNO, Normalization.PER_LAYER, GridStyle.filters())), gridOnScreen(ViewTab.FILTERS));
        assertEquals(runs, model.captures.get());
    }

    @Test
    void afterReplacingTheModelWhenIdleWaitsForAPrefetchStillReadingTheOldOne() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        model.filtersGateLayer = "/conv2/Conv";
        model.filtersGate = gate;
        try {
            // A colormap not drawn before: conv1 is drawn now, and conv2 is prefetched and blocks.
            onEdt(() -> panel.setSettings(panel.settings().withColormap(Colormap.GRAY)));
            idle();
            assertTrue(model.filtersEntered.await(30, TimeUnit.SECONDS), "conv2 is being prefetched");
            onEdt(() -> panel.setModel(null));
            var idle = panel.whenIdle();
            Screens.settle();
            assertFalse(idle.isDone(), "the old model is still in use");
            gate.countDown();
            idle.get(30, TimeUnit.SECONDS);
        } finally {
            model.filtersGate = null;
            gate.countDown();
            onEdt(() -> {
                panel.setModel(model);
                panel.setImage(boot);
            });
            idle();
        }
    }

    @Test
    void anUnknownLayerIsRefusedWithCloseNames() {
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> onEdt(() -> panel.selectLayer("/conv9/Conv")));
        assertTrue(e.getMessage().contains("no layer named '/conv9/Conv'"), e.getMessage());
        assertEquals("/conv1/Conv", call(() -> panel.selectedLayer().orElseThrow().name()));
    }

    @Test
    void aFailedRunGoesToTheErrorHandlerAndThePanelStaysUsable() {
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        model.failWith = new FilterScopeException("fashion_cnn.onnx: simulated failure; try again");
        try {
            onEdt(() -> panel.setSettings(panel.settings().withPreset(Preset.TF)));
            idle();
            assertEquals(1, errors.size(), () -> "errors: " + errors.stream().map(e -> { var w = new java.io.StringWriter(); e.printStackTrace(new java.io.PrintWriter(w)); return w.toString(); }).toList());
            assertTrue(call(panel::statusText).contains("simulated failure"), call(panel::statusText));
            assertTrue(call(() -> panel.tab(ViewTab.FEATURE_MAPS).messageText()).contains("could not run"));
        } finally {
            model.failWith = null;
        }
        onEdt(() -> panel.showTab(ViewTab.FILTERS));
        onEdt(() -> panel.selectLayer("/conv2/Conv"));
        idle();
        assertTrue(call(panel::hasViewImage), "filters still draw");
        onEdt(() -> panel.setSettings(panel.settings().withPreset(null)));
        onEdt(() -> panel.showTab(ViewTab.FEATURE_MAPS));
        idle();
        assertTrue(call(panel::hasViewImage), () -> "feature maps come back once the model runs; shown: "
                + call(() -> panel.tab(ViewTab.FEATURE_MAPS).messageText()) + " / " + call(panel::statusText) + " / " + errors);
        assertEquals(1, errors.size(), () -> "errors: " + errors);
        onEdt(errors::clear);
    }

    @Test
    void darkAndLightThemesColourTheChromeFromTheLookAndFeel() {
        try {
            for (boolean dark : new boolean[] {false, true}) {
                onEdt(() -> {
                    if (dark) {
                        FlatDarkLaf.setup();
                    } else {
                        FlatLightLaf.setup();
                    }
                    SwingUtilities.updateComponentTreeUI(frame);
                });
                idle();
                var list = call(() -> panel.layerList().layerJList());
                BufferedImage shot = Screens.shoot(list);
                // Below the last row the list shows only its background.
                int y = shot.getHeight() - 3;
                int rgb = shot.getRGB(shot.getWidth() / 2, y) & 0xffffff;
                assertEquals(call(() -> UIManager.getColor("List.background").getRGB()) & 0xffffff, rgb);
                double luma = (0.299 * (rgb >> 16) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff)) / 255;
                assertTrue(dark ? luma < 0.35 : luma > 0.8, (dark ? "dark" : "light") + " list background, luma " + luma);
                // The grid is drawn on white paper in the light theme and on the theme's own colours in
                // the dark one; the screen shows the saved picture, which is GridRenderer's on that paper.
                int paper = dark ? call(() -> UIManager.getColor("Panel.background").getRGB()) & 0xffffff : WHITE;
                BufferedImage grid = gridOnScreen(ViewTab.FILTERS);
                assertEquals(paper, grid.getRGB(0, grid.getHeight() - 1) & 0xffffff, "the grid's margin");
                assertEquals(16, Screens.regions(grid, paper, 40));
                BufferedImage expected = GridRenderer.filters(onnx.filters("/conv1/Conv"), style(Colormap.VIRIDIS, Normalization.PER_LAYER,
                        GridStyle.filters()).withPaper(dark ? new Paper(paper, call(() -> UIManager.getColor("Label.foreground").getRGB())) : Paper.WHITE));
                Screens.assertSameTopLeft(expected, grid);
                ContentSourceTest.assertSamePixels(expected, call(panel::currentViewImage));
            }
        } finally {
            onEdt(() -> {
                FlatLightLaf.setup();
                SwingUtilities.updateComponentTreeUI(frame);
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The layer's feature maps computed here through the api alone, as a reference for the screen. */
    static FeatureMaps referenceCapture(String layer) {
        Preprocessing prep = Preprocessing.forModel(onnx.metadata(), java.util.Optional.empty());
        return onnx.capture(Preprocessor.apply(boot, prep), CaptureRequest.layers(layer)).layer(layer).orElseThrow().featureMaps(0);
    }

    static RenderedGrid.Tile tile(GridView view, int channel) {
        return call(() -> view.shown().orElseThrow().grid().tiles().stream().filter(t -> t.channel() == channel).findFirst().orElseThrow());
    }

    static void assertNumber(double expected, String text, String name) {
        Matcher m = Pattern.compile(name + " ([-0-9.e]+)").matcher(text);
        assertTrue(m.find(), () -> name + " not in " + text);
        assertEquals(expected, Double.parseDouble(m.group(1)), 1e-3 * Math.abs(expected) + 1e-6, name + " in " + text);
    }

    /** Whether {@code shot} shows tile {@code t} of {@code grid} with each value as a {@code size}-pixel square. */
    static boolean showsTileEnlarged(BufferedImage shot, BufferedImage grid, RenderedGrid.Tile t, int size) {
        for (int row = 0; row < t.rows(); row += 3) {
            for (int col = 0; col < t.columns(); col += 3) {
                int e = grid.getRGB(t.x() + col * t.scale(), t.y() + row * t.scale()) & 0xffffff;
                int x = col * size + size / 2;
                int y = row * size + size / 2;
                if (x >= shot.getWidth() || y >= shot.getHeight() || (shot.getRGB(x, y) & 0xffffff) != e) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean samePixels(BufferedImage a, BufferedImage b) {
        for (int y = 0; y < Math.min(a.getHeight(), b.getHeight()); y++) {
            for (int x = 0; x < Math.min(a.getWidth(), b.getWidth()); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    static int longestRun(BufferedImage img, int rgb) {
        int best = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            int run = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                run = (img.getRGB(x, y) & 0xffffff) == rgb ? run + 1 : 0;
                best = Math.max(best, run);
            }
        }
        return best;
    }
}
