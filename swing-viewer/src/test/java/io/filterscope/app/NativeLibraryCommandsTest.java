package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime's native library that cannot load, through the command line in a fresh JVM as a user
 * would meet it: one line on stderr naming what is missing and how to get it, exit 2, no stack
 * trace, nothing on stdout.
 */
class NativeLibraryCommandsTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        /** The one line on stderr, after checking there is only one and no stack trace. */
        String oneLine() {
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), this::toString);
            assertFalse(err.contains("Exception") || err.contains("\tat "), this::toString);
            return lines.get(0);
        }
    }

    private static Run filterscope(String classPath, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        // stderr is read on another thread so that neither stream's pipe fills and blocks the child.
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        reader.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        try {
            return new Run(code, out, err.get());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    @Test
    void nd4jsNativeJarMissingIsOneLineExit2() throws Exception {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.matches("nd4j-native-\\d.*-" + java.util.regex.Pattern.quote(platform) + "\\.jar")) {
                dropped++;
            } else {
                kept.add(entry);
            }
        }
        assertEquals(1, dropped, "ND4J's native jar for " + platform + " is on the test class path");
        Run r = filterscope(String.join(File.pathSeparator, kept), List.of(), "info", FASHION.resolve("fashion_cnn_keras.keras").toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.startsWith("fashion_cnn_keras.keras: ND4J's native library could not be loaded for platform " + platform), line);
        assertTrue(line.contains("(Could not find jnind4jcpu in class, module, and library paths.)")
                && line.endsWith("put ND4J's native jars for " + platform + " on the class path (org.nd4j:nd4j-native and org.bytedeco:openblas "
                + "with classifier " + platform + "; FilterScope's build includes them with -Djavacpp.platform=" + platform + ")"), line);
    }

    @Test
    void onnxRuntimesLibraryNotWhereItIsSaidToBeIsOneLineExit2() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("no-natives"));
        Run r = filterscope(System.getProperty("java.class.path"), List.of("-Donnxruntime.native.path=" + empty),
                "info", FASHION.resolve("fashion_cnn.onnx").toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.startsWith("fashion_cnn.onnx: ONNX Runtime's native library could not be loaded on "), line);
        assertTrue(line.contains("(Native library 'onnxruntime' not found at " + empty.resolve(System.mapLibraryName("onnxruntime")) + ")")
                && line.contains("onnxruntime.native.path is set to " + empty + ": point it at a folder"), line);
    }
}
