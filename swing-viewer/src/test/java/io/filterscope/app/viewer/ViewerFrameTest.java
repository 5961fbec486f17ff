package io.filterscope.app.viewer;

import static io.filterscope.app.viewer.Gui.colourfulPixelsOf;
import static io.filterscope.app.viewer.Gui.differingFraction;
import static io.filterscope.app.viewer.Gui.edt;
import static io.filterscope.app.viewer.Gui.screenshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.app.BundledModel;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.render.Colormap;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import io.filterscope.swing.FilterScopePanel;
import io.filterscope.swing.Screens;
import io.filterscope.swing.ViewTab;
import java.awt.Toolkit;
import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javax.imageio.ImageIO;
import javax.swing.JComboBox;
import javax.swing.JList;
import javax.swing.JMenu;
import javax.swing.JMenuItem;
import javax.swing.JMenuBar;
import javax.swing.JToolBar;
import javax.swing.LookAndFeel;
import javax.swing.TransferHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real application window under a real display (Xvfb in CI) on the bundled model: what is on the
 * screen is checked with Robot screenshots. Waits on the futures the window and the panel give, never
 * on sleeps.
 */
@Tag("gui")
class ViewerFrameTest {
    private static final long TIMEOUT_S = 120;
    private static final Path BAD = Path.of("../backend-onnx/src/test/resources/bad");
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");

    private final Preferences node = Preferences.userRoot().node("io/filterscope/test-" + UUID.randomUUID());
    private ViewerFrame frame;
    private Gui.DialogWatch dialogs;
    private final LookAndFeel lookAndFeel = Gui.lookAndFeel();

    @BeforeEach
    void openWindow() throws Exception {
        Gui.requireDisplay();
        Screens.parkPointer();
        dialogs = new Gui.DialogWatch();
        // The desktop is asked through a fake: the test machine's own theme must not matter.
        SystemTheme light = new SystemTheme(Map.of(), "Linux", cmd -> Optional.empty());
        frame = edt(() -> {
            ViewerFrame.installLookAndFeel(false);
            ViewerFrame f = new ViewerFrame(new ViewerPreferences(node), light);
            f.setSize(1100, 760);
            f.setLocation(0, 0);
            f.setVisible(true);
            return f;
        });
        BundledModel bundled = BundledModel.get();
        await(edt(() -> frame.openModel(bundled.model(), "fashion_cnn.onnx (bundled)", OpenOptions.defaults(), false)));
        await(edt(() -> frame.openImage(bundled.defaultImage(), false)));
    }

    @AfterEach
    void closeWindow() throws Exception {
        List<String> unexpected = dialogs == null ? List.of() : dialogs.untaken();
        if (dialogs != null) {
            dialogs.close();
        }
        if (frame != null) {
            edt(() -> frame.dispose());
        }
        Gui.restore(lookAndFeel);
        node.removeNode();
        assertEquals(List.of(), unexpected, "dialogs nobody expected (errors shown to the user)");
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private FilterScopePanel panel() {
        return frame.panel();
    }

    private void idle() throws Exception {
        await(panel().whenIdle());
    }

    private List<LayerInfo> spatialLayers() {
        return panel().model().orElseThrow().layers().stream().filter(LayerInfo::hasSpatialOutput).toList();
    }

    @Test
    void layersTabsAndColormapsChangeWhatIsOnScreen() throws Exception {
        edt(() -> panel().showTab(ViewTab.FEATURE_MAPS));
        List<LayerInfo> layers = spatialLayers();
        assertTrue(layers.size() >= 3, layers::toString);
        Colormap first = edt(() -> panel().settings().colormap());
        List<BufferedImage> shots = new ArrayList<>();
        for (LayerInfo l : layers.subList(0, 3)) {
            edt(() -> panel().selectLayer(l.name()));
            idle();
            assertEquals(l.name(), edt(() -> panel().selectedLayer().orElseThrow().name()));
            BufferedImage shot = screenshot(panel());
            assertTrue(colourfulPixelsOf(shot, first) > 2000,
                    "feature maps of " + l.name() + " are not on screen in " + first + ": " + colourfulPixelsOf(shot, first));
            shots.add(shot);
        }
        for (int i = 1; i < shots.size(); i++) {
            assertTrue(differingFraction(shots.get(i - 1), shots.get(i)) > 0.02, "layer " + i + " looks like layer " + (i - 1));
        }

        Colormap other = first == Colormap.MAGMA ? Colormap.VIRIDIS : Colormap.MAGMA;
        int before = colourfulPixelsOf(shots.get(2), first);
        edt(() -> panel().setSettings(panel().settings().withColormap(other)));
        idle();
        BufferedImage recoloured = screenshot(panel());
        assertTrue(colourfulPixelsOf(recoloured, other) > 2000, "no " + other + " cells on screen");
        assertTrue(colourfulPixelsOf(recoloured, first) < before / 4, first + " cells are still on screen");

        edt(() -> panel().showTab(ViewTab.FILTERS));
        idle();
        assertEquals(ViewTab.FILTERS, edt(() -> panel().currentTab()));
        BufferedImage filters = screenshot(panel());
        assertTrue(differingFraction(recoloured, filters) > 0.02, "the Filters tab looks like the Feature maps tab");

        edt(() -> panel().showTab(ViewTab.MODEL));
        idle();
        assertEquals(ViewTab.MODEL, edt(() -> panel().currentTab()));
        assertTrue(differingFraction(filters, screenshot(panel())) > 0.02, "the Model tab looks like the Filters tab");
    }

    @Test
    void aBadFileGivesADialogAndTheOldModelStays(@TempDir Path tmp) throws Exception {
        edt(() -> panel().showTab(ViewTab.FEATURE_MAPS));
        idle();
        Model old = panel().model().orElseThrow();
        Path oldFile = frame.modelFile().orElseThrow();
        BufferedImage before = screenshot(panel());

        Path truncated = BAD.resolve("truncated.onnx");
        Path brokenImage = Files.write(tmp.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not a model");
        Map<Path, String> expected = Map.of(
                truncated, "truncated.onnx",
                brokenImage, "broken.png: not a readable image",
                text, "notes.txt: neither a model that an installed backend reads");
        for (Map.Entry<Path, String> bad : expected.entrySet()) {
            CompletableFuture<Void> open = edt(() -> frame.openFiles(List.of(bad.getKey())));
            assertThrows(ExecutionException.class, () -> open.get(TIMEOUT_S, TimeUnit.SECONDS));
            String message = dialogs.nextMessage();
            assertTrue(message.contains(bad.getValue()), message);
            assertEquals(1, message.lines().count(), message);
            assertSame(old, panel().model().orElseThrow(), "the model was replaced by a failed open");
            assertEquals(oldFile, frame.modelFile().orElseThrow());
        }
        idle();
        assertTrue(differingFraction(before, screenshot(panel())) < 0.01, "the view changed after failed opens");
        assertEquals(List.of(), edt(() -> frame.recentFiles()), "failed files must not be remembered");
    }

    @Test
    void aDropOpensModelAndImageAndRemembersThem(@TempDir Path tmp) throws Exception {
        edt(() -> panel().showTab(ViewTab.FEATURE_MAPS));
        idle();
        BufferedImage before = screenshot(panel());
        Model bundled = panel().model().orElseThrow();
        Tensor input = Tensor.of(Shape.of(1, 1, 28, 28), new float[28 * 28]);
        bundled.run(input); // open: runs
        // The Keras export of the model (NHWC input) with its labels, and another image, in a folder of their own.
        Path model = Files.copy(FASHION.resolve("fashion_cnn_keras.onnx"), tmp.resolve("keras.onnx"));
        Files.copy(FASHION.resolve("labels.txt"), tmp.resolve("labels.txt"));
        Path image = Files.copy(FASHION.resolve("images/1-trouser.png"), tmp.resolve("trouser.png"));

        // Through the window's own drop handler, image first: models are opened before images whatever the order.
        Transferable files = new Transferable() {
            @Override
            public DataFlavor[] getTransferDataFlavors() {
                return new DataFlavor[] {DataFlavor.javaFileListFlavor};
            }

            @Override
            public boolean isDataFlavorSupported(DataFlavor f) {
                return DataFlavor.javaFileListFlavor.equals(f);
            }

            @Override
            public Object getTransferData(DataFlavor f) {
                return List.of(new File(image.toString()), new File(model.toString()));
            }
        };
        assertTrue(edt(() -> frame.getTransferHandler().importData(new TransferHandler.TransferSupport(frame.getRootPane(), files))));
        await(edt(() -> frame.lastOpen()));
        idle();

        assertEquals(model.toAbsolutePath().normalize(), frame.modelFile().orElseThrow());
        assertEquals(image.toAbsolutePath().normalize(), frame.imageFile().orElseThrow());
        assertEquals(model.toAbsolutePath().normalize(), panel().model().orElseThrow().metadata().file().toAbsolutePath().normalize());
        assertTrue(edt(() -> frame.getTitle()).contains("keras.onnx"), frame::getTitle);
        assertEquals(List.of(image.toAbsolutePath().normalize(), model.toAbsolutePath().normalize()), edt(() -> frame.recentFiles()));
        assertEquals(2, edt(() -> recentMenu().getItemCount()));
        assertEquals(2, new ViewerPreferences(node).recentFiles().size(), "recent files are not in the preferences");
        assertTrue(differingFraction(before, screenshot(panel())) > 0.02, "the view did not change for the dropped files");
        // The window owns its models: the replaced one is closed once the panel let go of it.
        await(edt(() -> frame.lastClose()));
        io.filterscope.FilterScopeException closed = assertThrows(io.filterscope.FilterScopeException.class, () -> bundled.run(input));
        assertEquals(io.filterscope.ErrorKind.MODEL_CLOSED, closed.kind(), closed.getMessage());

        // File ▸ Open recent ▸ keras.onnx opens the file again: a new model in place of the first.
        Model dropped = panel().model().orElseThrow();
        edt(() -> recentMenu().getItem(1).doClick());
        await(edt(() -> frame.lastOpen()));
        Model reopened = panel().model().orElseThrow();
        assertTrue(reopened != dropped, "Open recent did not open the model again");
        assertEquals(model.toAbsolutePath().normalize(), reopened.metadata().file().toAbsolutePath().normalize());
        assertEquals(List.of(model.toAbsolutePath().normalize(), image.toAbsolutePath().normalize()), edt(() -> frame.recentFiles()));

        // Dropped on the layer list, which has a transfer handler of its own, files still open.
        Path dress = Files.copy(FASHION.resolve("images/3-dress.png"), tmp.resolve("dress.png"));
        JList<?> layerList = edt(() -> Gui.find(panel(), JList.class).orElseThrow());
        Transferable dressFile = new Transferable() {
            @Override
            public DataFlavor[] getTransferDataFlavors() {
                return new DataFlavor[] {DataFlavor.javaFileListFlavor};
            }

            @Override
            public boolean isDataFlavorSupported(DataFlavor f) {
                return DataFlavor.javaFileListFlavor.equals(f);
            }

            @Override
            public Object getTransferData(DataFlavor f) {
                return List.of(dress.toFile());
            }
        };
        assertTrue(edt(() -> layerList.getTransferHandler().importData(new TransferHandler.TransferSupport(layerList, dressFile))));
        await(edt(() -> frame.lastOpen()));
        assertEquals(dress.toAbsolutePath().normalize(), frame.imageFile().orElseThrow());
    }

    @Test
    void themeSwitchChangesTheBackgroundAndIsRemembered() throws Exception {
        JToolBar toolBar = edt(() -> Gui.find(frame.getContentPane(), JToolBar.class).orElseThrow());
        edt(() -> frame.applyTheme(Theme.LIGHT));
        BufferedImage light = screenshot(toolBar);
        // The empty right end of the toolbar shows the theme's background.
        double lightLum = Gui.luminance(light, light.getWidth() - 8, light.getHeight() / 2);
        assertTrue(lightLum > 200, "light toolbar background has luminance " + lightLum);

        edt(() -> themeItem("Dark").doClick()); // View ▸ Theme ▸ Dark
        assertTrue(edt(() -> themeItem("Dark").isSelected() && !themeItem("Light").isSelected()));
        BufferedImage dark = screenshot(toolBar);
        double darkLum = Gui.luminance(dark, dark.getWidth() - 8, dark.getHeight() / 2);
        assertTrue(darkLum < 100, "dark toolbar background has luminance " + darkLum);
        assertEquals(Theme.DARK, new ViewerPreferences(node).theme());

        edt(() -> themeItem("System").doClick()); // the fake desktop says nothing: light
        BufferedImage system = screenshot(toolBar);
        assertTrue(Gui.luminance(system, system.getWidth() - 8, system.getHeight() / 2) > 200);
        assertEquals(Theme.SYSTEM, new ViewerPreferences(node).theme());
    }

    @Test
    void choosingAnotherProviderReopensTheModel() throws Exception {
        Model before = panel().model().orElseThrow();
        @SuppressWarnings("unchecked")
        JComboBox<ExecutionProvider> provider = edt(() -> (JComboBox<ExecutionProvider>) Gui.named(frame, "provider").orElseThrow());
        @SuppressWarnings("unchecked")
        JComboBox<String> backend = edt(() -> (JComboBox<String>) Gui.named(frame, "backend").orElseThrow());
        assertEquals("onnx", edt(() -> backend.getSelectedItem()));
        assertEquals(ExecutionProvider.CPU, edt(() -> provider.getSelectedItem()));

        // This build has ONNX Runtime's CPU package: CUDA falls back to the CPU with a log line, no dialog.
        edt(() -> provider.setSelectedItem(ExecutionProvider.CUDA));
        await(edt(() -> frame.lastOpen()));
        Model after = panel().model().orElseThrow();
        assertTrue(after != before, "the model was not reopened");
        assertEquals(ExecutionProvider.CUDA, frame.openOptions().executionProvider());
        assertEquals(Optional.of("onnx"), frame.openOptions().backend());
        assertEquals(ExecutionProvider.CUDA, edt(() -> provider.getSelectedItem()));
        assertEquals(frame.modelFile().orElseThrow(), after.metadata().file().toAbsolutePath().normalize());
    }

    @Test
    void saveViewWritesThePanelsPicture(@TempDir Path tmp) throws Exception {
        edt(() -> panel().showTab(ViewTab.FILTERS));
        idle();
        Path png = tmp.resolve("view.png");
        edt(() -> frame.saveView(png));
        BufferedImage saved = ImageIO.read(png.toFile());
        BufferedImage expected = edt(() -> panel().currentViewImage());
        assertEquals(0.0, differingFraction(expected, saved), "the saved PNG is not the current view");

        // File ▸ Copy view puts the same picture on the clipboard.
        edt(() -> menuItem("Copy view").doClick());
        Transferable copied = edt(() -> Toolkit.getDefaultToolkit().getSystemClipboard().getContents(null));
        BufferedImage pasted = (BufferedImage) copied.getTransferData(DataFlavor.imageFlavor);
        assertEquals(0.0, differingFraction(expected, pasted), "the clipboard does not hold the current view");
    }

    @Test
    void theStandaloneViewerHasTheExplainTab(@TempDir Path tmp) throws Exception {
        edt(() -> panel().showTab(frame.explainTab()));
        idle();
        assertSame(frame.explainTab(), edt(() -> panel().currentPanelTab().orElseThrow()));
        Model model = panel().model().orElseThrow();
        io.filterscope.explain.Explanation shown = edt(() -> frame.explainTab().shownExplanation().orElseThrow());
        assertEquals(io.filterscope.explain.Method.GRAD_CAM, shown.method());
        assertEquals(9, shown.outputIndex(), "the top-1 class of the bundled ankle boot");
        assertEquals(new io.filterscope.explain.Explainer(model).defaultLayer().name(), shown.layer().orElseThrow());

        // File ▸ Save view gives the picture on screen, as on the other tabs.
        Path png = tmp.resolve("explain.png");
        edt(() -> frame.saveView(png));
        assertEquals(0.0, differingFraction(edt(() -> panel().currentViewImage()), ImageIO.read(png.toFile())));

        // A CAM at a layer without feature maps is refused in the tab: no dialog (checked after each test), the window stays.
        LayerInfo flat = model.layers().stream().filter(l -> l.outputShape().isPresent() && !l.hasSpatialOutput()).findFirst().orElseThrow();
        edt(() -> frame.explainTab().setSettings(frame.explainTab().settings().atLayer(flat.name())));
        idle();
        assertTrue(!edt(() -> panel().hasViewImage()), "a message, no picture");
        assertTrue(edt(() -> frame.isDisplayable()));
    }

    private JMenuItem themeItem(String text) {
        JMenu view = frame.getJMenuBar().getMenu(1);
        JMenu themes = (JMenu) view.getItem(0);
        for (int i = 0; i < themes.getItemCount(); i++) {
            if (text.equals(themes.getItem(i).getText())) {
                return themes.getItem(i);
            }
        }
        throw new AssertionError("no View ▸ Theme ▸ " + text);
    }

    private JMenuItem menuItem(String text) {
        JMenu file = frame.getJMenuBar().getMenu(0);
        for (int i = 0; i < file.getItemCount(); i++) {
            if (file.getItem(i) != null && text.equals(file.getItem(i).getText())) {
                return file.getItem(i);
            }
        }
        throw new AssertionError("no File ▸ " + text);
    }

    private JMenu recentMenu() {
        JMenuBar bar = frame.getJMenuBar();
        JMenu file = bar.getMenu(0);
        for (int i = 0; i < file.getItemCount(); i++) {
            if (file.getItem(i) instanceof JMenu m && m.getText().equals("Open recent")) {
                return m;
            }
        }
        throw new AssertionError("no File ▸ Open recent");
    }
}
