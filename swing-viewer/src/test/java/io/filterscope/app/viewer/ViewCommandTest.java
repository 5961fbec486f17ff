package io.filterscope.app.viewer;

import static io.filterscope.app.viewer.Gui.edt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.app.Main;
import java.awt.AWTEvent;
import java.awt.Toolkit;
import java.awt.event.AWTEventListener;
import java.awt.event.WindowEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javax.swing.LookAndFeel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code filterscope view MODEL IMAGE} opens the window on those files and returns 0 when it is closed. */
@Tag("gui")
class ViewCommandTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");

    @Test
    void aMissingFileIsOneLineExit2BeforeAnyWindow() {
        Gui.requireDisplay();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"view", "no-such-model.onnx"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, text);
        assertEquals(List.of("no-such-model.onnx: no such file; give the path of a model file"), text.lines().toList());
        err.reset();
        code = Main.run(new String[] {"view", FASHION.resolve("fashion_cnn.onnx").toString(), "no-such-image.png"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals(List.of("no-such-image.png: no such file; give the path of an image"), err.toString(StandardCharsets.UTF_8).lines().toList());
        assertTrue(java.util.Arrays.stream(java.awt.Window.getWindows()).noneMatch(w -> w instanceof ViewerFrame && w.isShowing()));
    }

    @Test
    void viewOpensTheGivenFilesAndReturnsWhenClosed() throws Exception {
        Gui.requireDisplay();
        String node = "io/filterscope/test-" + UUID.randomUUID();
        System.setProperty(ViewerPreferences.NODE_PROPERTY, node);
        CompletableFuture<ViewerFrame> opened = new CompletableFuture<>();
        AWTEventListener l = e -> {
            if (e.getID() == WindowEvent.WINDOW_OPENED && e.getSource() instanceof ViewerFrame f) {
                opened.complete(f);
            }
        };
        Toolkit.getDefaultToolkit().addAWTEventListener(l, AWTEvent.WINDOW_EVENT_MASK);
        Path model = FASHION.resolve("fashion_cnn_keras.onnx");
        Path image = FASHION.resolve("images/3-dress.png");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LookAndFeel lookAndFeel = Gui.lookAndFeel();
        try {
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Main.run(
                    new String[] {"view", model.toString(), image.toString()}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
            ViewerFrame frame = opened.get(60, TimeUnit.SECONDS);
            edt(frame::lastOpen).get(2, TimeUnit.MINUTES);
            assertEquals(model.toAbsolutePath().normalize(), frame.modelFile().orElseThrow());
            assertEquals(image.toAbsolutePath().normalize(), frame.imageFile().orElseThrow());
            assertEquals(model.toAbsolutePath().normalize(), frame.panel().model().orElseThrow().metadata().file().toAbsolutePath().normalize());
            assertTrue(edt(frame::getTitle).contains("fashion_cnn_keras.onnx"), frame::getTitle);
            // Files given on the command line are remembered like files opened from the menu.
            assertEquals(List.of(image.toAbsolutePath().normalize(), model.toAbsolutePath().normalize()), edt(frame::recentFiles));
            edt(frame::dispose);
            assertEquals(0, code.get(60, TimeUnit.SECONDS));
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        } finally {
            Gui.restore(lookAndFeel);
            Toolkit.getDefaultToolkit().removeAWTEventListener(l);
            System.clearProperty(ViewerPreferences.NODE_PROPERTY);
            Preferences.userRoot().node(node).removeNode();
        }
    }
}
