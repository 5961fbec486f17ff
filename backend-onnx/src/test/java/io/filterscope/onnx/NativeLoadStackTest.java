package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Loading ONNX Runtime's native library needs more stack than a small JVM thread stack: the process
 * used to die with a segmentation fault (no Java error) when DL4J's jars made the class path long.
 * A fresh JVM with a tiny default stack must still open a model.
 */
class NativeLoadStackTest {
    /** Opens the model given as the first argument and prints its layer count. */
    public static void main(String[] args) {
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            System.out.println("layers " + model.layers().size());
        }
    }

    @Test
    void opensAModelFromAThreadWithASmallStack() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path model = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");
        Process p = new ProcessBuilder(java.toString(), "-Xss300k", "-cp", System.getProperty("java.class.path"),
                NativeLoadStackTest.class.getName(), model.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the JVM died: " + out);
        assertEquals(true, out.contains("layers "), out);
    }
}
