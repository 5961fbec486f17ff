package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import io.filterscope.FilterScope;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FilterScope's sessions share one pool of ONNX Runtime threads when FilterScope makes the
 * environment, and keep threads of their own when the application made it first (ONNX Runtime then
 * refuses a shared pool) or asked for thread counts. Each case in a fresh JVM, since the environment
 * is made once per process.
 */
class SharedThreadsTest {
    private static final Path MODEL = OnnxModelTest.BUNDLED;

    /**
     * Opens the model with default options and with one intra-op thread, captures the same batch
     * with both and the peaks too, and prints whether sessions share the pool and whether the
     * results agree. With "app-first" the application makes ONNX Runtime's environment first.
     */
    public static void main(String[] args) throws Exception {
        Thread t = new Thread(null, () -> {
            if (args[1].equals("app-first")) {
                OrtEnvironment.getEnvironment();
            }
            float[] v = new float[2 * 28 * 28];
            Arrays.fill(v, 0.5f);
            Tensor x = Tensor.wrap(Shape.of(2, 1, 28, 28), v);
            try (Model shared = FilterScope.open(Path.of(args[0]));
                 Model own = FilterScope.open(Path.of(args[0]), new OpenOptions(Optional.empty(), OpenOptions.defaults().executionProvider(), 1, 0))) {
                boolean same = shared.capture(x, CaptureRequest.allSpatial()).output().equals(own.capture(x, CaptureRequest.allSpatial()).output())
                        && shared.peaks(x, "/conv2/Conv").equals(own.peaks(x, "/conv2/Conv"));
                System.out.println("shares " + Sessions.sharesThreads() + " same " + same);
            }
        }, "main-large-stack", 64L << 20);
        t.start();
        t.join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"filterscope-first", "app-first"})
    void sessionsRunWithTheSharedPoolOrTheirOwn(String order) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), SharedThreadsTest.class.getName(),
                MODEL.toString(), order).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the JVM failed: " + out);
        boolean shares = order.equals("filterscope-first");
        assertTrue(out.contains("shares " + shares + " same true"), out);
    }
}
