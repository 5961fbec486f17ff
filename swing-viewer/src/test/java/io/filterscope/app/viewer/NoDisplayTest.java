package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.app.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without a display the viewer says so in one line and exits with 2. Runs the real launcher in a
 * fresh JVM, since a JVM decides once whether it is headless.
 */
class NoDisplayTest {

    private record Run(int code, String out, String err) {
    }

    private static Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not exit");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsWithHeadlessJavaIsOneLineExit2() throws Exception {
        Run r = launch(Map.of(), "-Djava.awt.headless=true", Main.class.getName());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("No display: the viewer needs a graphical desktop (java.awt.headless is true)."), r::toString);
        assertTrue(lines.get(0).contains("java -jar filterscope.jar filters|activations"), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
    }

    @Test
    void viewWithoutDisplayVariableNamesIt() throws Exception {
        Run r = launch(Map.of(), Main.class.getName(), "view", "no-such-model.onnx");
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r::toString);
        // The display is checked first: no point looking at files without a window to show them in.
        assertTrue(r.err().startsWith("No display: the viewer needs a graphical desktop (DISPLAY is not set)."), r::toString);
    }

    @Test
    void aDisplayThatCannotBeReachedIsOneLineExit2() throws Exception {
        // No X server listens on display :4711 (xvfb-run -a counts up from :99).
        Run r = launch(Map.of("DISPLAY", ":4711"), Main.class.getName(), "view");
        assertEquals(2, r.code(), r::toString);
        List<String> lines = r.err().lines().filter(l -> l.startsWith("No display")).toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).contains(":4711"), r::toString);
        assertFalse(r.err().contains("Exception") || r.err().contains("internal error"), r::toString);
    }

    @Test
    void messageForEachCause() {
        assertTrue(NoDisplay.message(false, null, ":0").isEmpty());
        assertTrue(NoDisplay.message(true, null, ":7").orElseThrow().contains("Java found no screen on DISPLAY=:7"));
    }
}
