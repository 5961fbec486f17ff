package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Keras file reaches the native HDF5 library (docs/fuzzing.md): Keras 1/2 files are read in Java
 * and built from their config, so neither DL4J's {@code Hdf5Archive} nor the JavaCPP binding
 * {@code org.bytedeco.hdf5} is ever loaded, and the binding is not even on the class path.
 */
class NoNativeHdf5Test {
    private static final Path KERAS2 = Path.of("src/test/resources/keras2");

    @TempDir
    Path tmp;

    @Test
    void theNativeHdf5BindingIsNotOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.bytedeco.hdf5.global.hdf5"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.bytedeco.hdf5.H5File"));
    }

    /**
     * A fresh JVM, logging every class it loads, opens Keras 2 files and captures a layer: DL4J's Keras
     * import runs (its classes are in the log), {@code Hdf5Archive} and {@code org.bytedeco.hdf5} do not.
     * The time limit is a hang bound only.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aKeras2LoadNeverLoadsHdf5ArchiveOrTheNativeBinding() throws IOException, InterruptedException {
        Path log = tmp.resolve("classes.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx1g", "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                NoNativeHdf5Test.class.getName(), KERAS2.resolve("small_cnn_keras2.h5").toString(),
                KERAS2.resolve("small_cnn_keras2_gzip.h5").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("small_cnn_keras2.h5: conv captured") && out.contains("small_cnn_keras2_gzip.h5: conv captured"), out);

        List<String> loaded = Files.readAllLines(log);
        // The log records this path: FilterScope's Keras 2 reader and DL4J's Keras import were loaded.
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" io.filterscope.dl4j.Keras2Weights ")), "Keras2Weights not in the class log");
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.deeplearning4j.nn.modelimport.keras.KerasModel ")), "KerasModel not in the class log");
        List<String> hdf5 = loaded.stream().filter(l -> l.contains("org.bytedeco.hdf5") || l.contains("Hdf5Archive")).toList();
        assertTrue(hdf5.isEmpty(), "native HDF5 classes loaded: " + hdf5);
        assertFalse(out.contains("libhdf5"), out);
    }

    /** Opens each Keras file given and captures its conv layer: the child JVM of the test above. */
    public static void main(String[] args) throws IOException {
        for (String file : args) {
            try (Model model = FilterScope.open(Path.of(file))) {
                model.capture(Npy.read(KERAS2.resolve("input.npy")), CaptureRequest.layers("conv")).layer("conv").orElseThrow();
                System.out.println(Path.of(file).getFileName() + ": conv captured");
            }
        }
    }
}
