package io.filterscope.predict;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzzing of the labels reader (docs/fuzzing.md); replays the seeds under
 * {@code LabelsFuzzTestInputs/} without {@code JAZZER_FUZZ=1}. Any bytes give labels (trimmed, at
 * least one, none with a line break) or one line naming the file.
 */
class LabelsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readLabelsGivesLabelsOrOneLine(byte[] data) throws IOException {
        Path file = Files.createTempFile("fuzz-labels-", ".txt");
        try {
            Files.write(file, data);
            List<String> labels;
            try {
                labels = Predictions.readLabels(file);
            } catch (FilterScopeException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                return;
            }
            assertFalse(labels.isEmpty());
            for (String l : labels) {
                assertTrue(l.equals(l.trim()) && !l.contains("\n") && !l.contains("\r"), l);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
