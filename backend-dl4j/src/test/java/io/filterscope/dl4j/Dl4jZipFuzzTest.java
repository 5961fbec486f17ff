package io.filterscope.dl4j;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the DL4J zip reader (docs/fuzzing.md): the zip sniffing, the stored
 * input shape (JSON and the filtered legacy object), the parameter-size checks, DL4J's restore of
 * the configuration and parameters, and the layer mapping. Without {@code JAZZER_FUZZ=1} it replays
 * the seeds under {@code Dl4jZipFuzzTestInputs/} (written by {@link MakeFuzzSeeds}) and every crash
 * found so far. The property is {@link FuzzedModels#openGivesAModelOrOneLine}.
 */
class Dl4jZipFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void openGivesAModelOrOneLine(byte[] data) throws IOException {
        FuzzedModels.openGivesAModelOrOneLine(data, "fuzz.zip");
    }
}
