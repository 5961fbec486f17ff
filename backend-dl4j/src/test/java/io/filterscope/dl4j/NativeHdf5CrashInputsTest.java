package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.keras.Hdf5Reader;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inputs on which fuzzing crashed (SIGSEGV) and hung the JVM inside the native HDF5 library, and a
 * Keras 2 file whose weights lie past its end, are read in Java and refused or opened in one line.
 * None of them can reach native code: every Keras file, Keras 1/2 included, is read by jhdf, and the
 * native HDF5 binding is not on the class path ({@link #theNativeHdf5LibraryIsNotThereToReach}, and
 * {@code NoNativeHdf5Test} for the classes a Keras 2 load touches). The time limits are hang bounds
 * only, far above the second or so each takes: a hang fails the test instead of stalling the build.
 */
class NativeHdf5CrashInputsTest {
    static final Path SEEDS = Path.of("src/test/resources/io/filterscope/dl4j/Keras3FuzzTestInputs");
    static final Path HUNG = SEEDS.resolve("hdf5GivesAModelOrOneLine/crash-h5-hung-in-native-Attribute-read.h5");
    static final Path CRASHED = SEEDS.resolve("kerasZipGivesAModelOrOneLine/crash-keras-sigsegv-in-native-after-damaged-files.keras");
    static final Path SEQ_CNN = Path.of("src/test/resources/keras3/seq_cnn/model.keras");

    @TempDir
    Path tmp;

    @BeforeAll
    static void theNativeHdf5LibraryIsNotThereToReach() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.bytedeco.hdf5.global.hdf5"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theH5ThatHungInAttributeReadIsRefusedInOneLine() throws IOException {
        Path file = Files.copy(HUNG, tmp.resolve("hang.h5"));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> new Dl4jBackend().open(file, OpenOptions.defaults()).close());
        assertOneLine(e, "hang.h5");
        assertTrue(e.getMessage().contains("the HDF5 content cannot be read (") && e.getMessage().contains("truncated or damaged"), e.getMessage());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theKerasThatCrashedAfterDamagedFilesOpensAfterThemAsAlone() throws IOException {
        int layers;
        try (Model intact = new Dl4jBackend().open(SEQ_CNN, OpenOptions.defaults())) {
            layers = intact.layers().size();
        }
        // The native crash needed the state that damaged files before it left behind: open some first.
        byte[] good = Files.readAllBytes(SEQ_CNN);
        for (int i = 0; i < 24; i++) {
            byte[] damaged = good.clone();
            int at = (int) ((long) damaged.length * (i + 1) / 26);
            damaged[at] ^= (byte) 0x5a;
            damaged[at + 1] ^= (byte) 0xa5;
            FuzzedModels.openGivesAModelOrOneLine(damaged, "damaged-" + i + ".keras");
        }
        FuzzedModels.openGivesAModelOrOneLine(Files.readAllBytes(HUNG), "hang.h5");
        // Its two changed bytes leave the layers as they were (alone, the native library opened it too).
        try (Model model = new Dl4jBackend().open(Files.copy(CRASHED, tmp.resolve("crash.keras")), OpenOptions.defaults())) {
            assertEquals(layers, model.layers().size());
        }
        FuzzedModels.openGivesAModelOrOneLine(Files.readAllBytes(CRASHED), "crash.keras");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aKeras2FileWhoseWeightsLiePastItsEndIsRefusedInOneLine() throws IOException {
        Path source = Path.of("src/test/resources/keras2/small_cnn_keras2.h5");
        byte[] bytes = Files.readAllBytes(source);
        // Point the first weight dataset's storage past the end of the file; config and structure stay readable.
        long dataAt = offsetOfFirstDataset(source, bytes);
        int field = indexOfOnly(bytes, le(dataAt));
        ByteBuffer.wrap(bytes, field, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length + 4096L);
        Path file = Files.write(tmp.resolve("moved.h5"), bytes);

        FilterScopeException e = assertThrows(FilterScopeException.class, () -> new Dl4jBackend().open(file, OpenOptions.defaults()).close());
        assertOneLine(e, "moved.h5");
        // Refused when its weights are read in Java (NOT_A_MODEL), not by DL4J's Keras import (UNSUPPORTED, "DL4J's Keras import cannot read").
        assertTrue(e.getMessage().startsWith("moved.h5: the HDF5 content cannot be read ("), e.getMessage());
    }

    /** Where the first dataset's values lie in the file: found by its values, read in Java. */
    private static long offsetOfFirstDataset(Path file, byte[] bytes) {
        try (Hdf5Reader h5 = Hdf5Reader.open(file, file)) {
            List<String> path = new ArrayList<>(List.of("model_weights"));
            while (h5.getDataSets(path.toArray(String[]::new)).isEmpty()) {
                path.add(h5.getGroups(path.toArray(String[]::new)).get(0));
            }
            String[] groups = path.toArray(String[]::new);
            float[] values = h5.readDataSet(h5.getDataSets(groups).get(0), groups).values();
            ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                raw.putFloat(v);
            }
            return indexOfOnly(bytes, raw.array());
        }
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static int indexOfOnly(byte[] in, byte[] what) {
        int found = -1;
        for (int i = 0; i + what.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                assertEquals(-1, found, "found twice");
                found = i;
            }
        }
        assertTrue(found >= 0, "not found");
        return found;
    }

    private static void assertOneLine(FilterScopeException e, String name) {
        String m = e.getMessage();
        assertTrue(m.startsWith(name + ": "), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertEquals(ErrorKind.NOT_A_MODEL, e.kind(), m);
    }
}
