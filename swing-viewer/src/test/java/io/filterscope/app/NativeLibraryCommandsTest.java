package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.app.FreshJvm.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static Run filterscope(String classPath, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return FreshJvm.filterscope(classPath, jvmOptions, args);
    }

    @Test
    void nd4jsNativeJarMissingIsOneLineExit2() throws Exception {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        String classPath = FreshJvm.classPathWithout(p -> p.getFileName().toString()
                .matches("nd4j-native-\\d.*-" + java.util.regex.Pattern.quote(platform) + "\\.jar"), 1, "ND4J's native jar for " + platform);
        Run r = filterscope(classPath, List.of(), "info", FASHION.resolve("fashion_cnn_keras.keras").toString());
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
        Run r = filterscope(FreshJvm.classPath(), List.of("-Donnxruntime.native.path=" + empty),
                "info", FASHION.resolve("fashion_cnn.onnx").toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.startsWith("fashion_cnn.onnx: ONNX Runtime's native library could not be loaded on "), line);
        assertTrue(line.contains("(Native library 'onnxruntime' not found at " + empty.resolve(System.mapLibraryName("onnxruntime")) + ")")
                && line.contains("onnxruntime.native.path is set to " + empty + ": point it at a folder"), line);
    }
}
