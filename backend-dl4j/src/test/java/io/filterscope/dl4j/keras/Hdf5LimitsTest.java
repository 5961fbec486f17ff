package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.Dl4jBackend;
import io.filterscope.spi.OpenOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Compressed HDF5 content is bounded by what it declares (docs/bad-inputs.md): a chunk that inflates
 * past its declared size (a decompression bomb) is stopped at that size, and a chunk declared larger
 * than its dataset is refused before anything is read, each in one line naming the file, never an
 * {@code OutOfMemoryError}. The fixtures are written by {@code src/test/python/make_hdf5_limit_fixtures.py}.
 */
class Hdf5LimitsTest {
    private static final Path DIR = Path.of("src/test/resources/hdf5-limits");
    private static final String BOMB = "a compressed chunk inflates past the 1,024 bytes its chunk size declares";

    @Test
    void aChunkThatInflatesPastItsDeclaredSizeIsStoppedThere() {
        FilterScopeException e = refused("bomb.h5");
        // 16 MiB of zeros behind a 1 KiB chunk: stopped after at most 1 KiB (and one 8 KiB buffer) was inflated.
        assertTrue(e.getMessage().startsWith("bomb.h5: the HDF5 content cannot be read (" + BOMB), e.getMessage());
    }

    @Test
    void aChunkDeflatedTwiceToMoreThanTheHeapIsStoppedAtItsDeclaredSize() {
        // Inflated whole (as jhdf's own filter does) its 10 KB would need 4 GiB: more than this JVM has.
        assumeTrue(Runtime.getRuntime().maxMemory() < 4L << 30, "the test JVM's heap is smaller than the bomb");
        FilterScopeException e = refused("bomb-twice.h5");
        assertTrue(e.getMessage().startsWith("bomb-twice.h5: the HDF5 content cannot be read (" + BOMB), e.getMessage());
    }

    @Test
    void aKerasFileWithABombForAKernelIsRefusedInOneLine() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Dl4jBackend().open(DIR.resolve("small_cnn_keras2_bomb.h5"), OpenOptions.defaults()).close());
        assertOneLine(e, "small_cnn_keras2_bomb.h5");
        assertTrue(e.getMessage().contains("(a compressed chunk inflates past the 108 bytes its chunk size declares"), e.getMessage());
    }

    /**
     * A config is a size the file declares too: a Dense layer of 1,500,000,000 units in a file of a
     * few kilobytes is refused from its parameter count, before DL4J allocates them (tens of
     * gigabytes), on both readers: DL4J's Keras 2 import and FilterScope's Keras 3 assembler.
     * The fixtures are written by {@code src/test/python/make_declared_params_fixtures.py}.
     */
    @Test
    void aConfigDeclaringFarMoreParametersThanTheFileHoldsIsRefusedBeforeAllocating() {
        for (String f : new String[] {"small_cnn_keras2_huge_dense.h5", "seq_cnn_keras3_huge_dense.h5"}) {
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> new Dl4jBackend().open(DIR.resolve(f), OpenOptions.defaults()).close());
            assertOneLine(e, f.startsWith("small") ? f : DIR.resolve(f).toString());
            assertTrue(e.getMessage().contains(": the model configuration declares ") && e.getMessage().contains(",000,0")
                    && e.getMessage().contains(" parameters, but the file holds "), e.getMessage());
        }
    }

    @Test
    void aChunkDeclaredLargerThanItsDatasetIsRefusedBeforeItIsRead() {
        String[] conv = {"model_weights", "conv", "conv"};
        try (Hdf5Reader h5 = Hdf5Reader.open(DIR.resolve("small_cnn_keras2_big_chunk.h5"), Path.of("big.h5"))) {
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> h5.readDataSet("kernel:0", conv));
            assertOneLine(e, "big.h5");
            // 1024 × 1024 × 64 × 3 float32 for 3 × 3 × 1 × 3 values.
            assertTrue(e.getMessage().contains("(dataset '/model_weights/conv/conv/kernel:0' declares chunks of 805,306,368 bytes, more than its "
                    + "108 bytes of values)"), e.getMessage());
            // The rest of the file stays readable: the refusal is about that dataset only.
            assertEquals(4, h5.readDataSet("kernel:0", "model_weights", "dense", "dense").shape()[1]);
        }
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Dl4jBackend().open(DIR.resolve("small_cnn_keras2_big_chunk.h5"), OpenOptions.defaults()).close());
        assertOneLine(e, "small_cnn_keras2_big_chunk.h5");
        assertTrue(e.getMessage().contains("declares chunks of 805,306,368 bytes"), e.getMessage());
    }

    @Test
    void aFilterKerasDoesNotWriteIsRefusedBeforeDecoding() {
        FilterScopeException e = refused("lzf.h5");
        assertTrue(e.getMessage().startsWith("lzf.h5: the HDF5 content cannot be read (dataset '/weights' is compressed with filter 32000 (lzf), "
                + "which Keras does not write)"), e.getMessage());
    }

    private static FilterScopeException refused(String file) {
        try (Hdf5Reader h5 = Hdf5Reader.open(DIR.resolve(file), Path.of(file))) {
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> h5.readDataSet("weights"));
            assertOneLine(e, file);
            return e;
        }
    }

    private static void assertOneLine(FilterScopeException e, String name) {
        String m = e.getMessage();
        assertTrue(m.startsWith(name + ": "), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
        assertEquals(ErrorKind.NOT_A_MODEL, e.kind(), m);
    }
}
