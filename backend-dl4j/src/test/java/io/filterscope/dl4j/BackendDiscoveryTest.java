package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.spi.ModelBackend;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class BackendDiscoveryTest {
    static final Path SAMPLES = Path.of("../samples/models/fashion-mnist");
    @TempDir
    Path dir;

    @Test
    void serviceLoaderFindsTheDl4jBackend() {
        assertTrue(FilterScope.backends().stream().anyMatch(b -> b instanceof Dl4jBackend && b.id().equals("dl4j")));
    }

    @Test
    void claimsDl4jZipsHdf5AndKerasFiles() throws Exception {
        Dl4jBackend backend = new Dl4jBackend();
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, true), dir.resolve("model.bin"));
        assertTrue(backend.claims(zip), "a ModelSerializer zip, whatever its name");
        assertTrue(backend.claims(SAMPLES.resolve("fashion_cnn_keras.h5")));
        assertTrue(backend.claims(SAMPLES.resolve("fashion_cnn_keras.keras")));
        Path renamed = Files.copy(SAMPLES.resolve("fashion_cnn_keras.h5"), dir.resolve("weights.dat"));
        assertTrue(backend.claims(renamed), "HDF5 by its signature");
    }

    @Test
    void onnxAndOtherFilesAreNotClaimed() throws Exception {
        Dl4jBackend backend = new Dl4jBackend();
        assertFalse(backend.claims(SAMPLES.resolve("fashion_cnn.onnx")));
        assertFalse(backend.claims(SAMPLES.resolve("fashion_cnn_keras.onnx")));
        assertFalse(backend.claims(SAMPLES.resolve("fashion_cnn_torch.pt")), "a PyTorch zip without DL4J entries");
        assertFalse(backend.claims(SAMPLES.resolve("labels.txt")));
        assertFalse(backend.claims(dir.resolve("missing.zip").resolveSibling("missing.bin")));
    }

    /**
     * Claiming runs without ND4J or DL4J: the backend is loaded in a class loader that cannot see
     * them, and claiming still works.
     */
    @Test
    void claimingLoadsNoDl4jClass() throws Exception {
        URL[] urls = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> !p.contains("deeplearning4j") && !p.contains("nd4j") && !p.contains("bytedeco"))
                .map(p -> {
                    try {
                        return Path.of(p).toUri().toURL();
                    } catch (java.net.MalformedURLException e) {
                        throw new IllegalStateException(e);
                    }
                }).toArray(URL[]::new);
        try (URLClassLoader isolated = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> type = Class.forName(Dl4jBackend.class.getName(), true, isolated);
            Object backend = type.getConstructor().newInstance();
            // Called through the interface, as FilterScope does.
            Class<?> spi = Class.forName(ModelBackend.class.getName(), false, isolated);
            var claims = spi.getMethod("claims", Path.class);
            assertEquals(true, claims.invoke(backend, SAMPLES.resolve("fashion_cnn_keras.keras")));
            assertEquals(true, claims.invoke(backend, SAMPLES.resolve("fashion_cnn_keras.h5")));
            assertEquals(false, claims.invoke(backend, SAMPLES.resolve("fashion_cnn.onnx")));
            assertEquals("dl4j", spi.getMethod("id").invoke(backend));
        }
    }
}
