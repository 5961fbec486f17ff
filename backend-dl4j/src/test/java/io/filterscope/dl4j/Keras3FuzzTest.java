package io.filterscope.dl4j;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the Keras 3 reader (docs/fuzzing.md): {@code .keras} zips (the JSON
 * configuration and {@code model.weights.h5}) and legacy HDF5 {@code .h5} files, whose parsing is
 * native code (the HDF5 library through JavaCPP). Without {@code JAZZER_FUZZ=1} each target replays
 * its seeds under {@code Keras3FuzzTestInputs/} (small real Keras 3 files and a Keras 2 one) and every
 * crash found so far. The property is {@link FuzzedModels#openGivesAModelOrOneLine}.
 */
class Keras3FuzzTest {

    @FuzzTest(maxDuration = "60s")
    void kerasZipGivesAModelOrOneLine(byte[] data) throws IOException {
        FuzzedModels.openGivesAModelOrOneLine(data, "fuzz.keras");
    }

    @FuzzTest(maxDuration = "60s")
    void hdf5GivesAModelOrOneLine(byte[] data) throws IOException {
        FuzzedModels.openGivesAModelOrOneLine(data, "fuzz.h5");
    }
}
