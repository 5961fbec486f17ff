package io.filterscope.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.filterscope.FilterScopeException;

/**
 * Coverage-guided fuzzing of the .npy reader (docs/fuzzing.md). Without {@code JAZZER_FUZZ=1} it
 * replays the committed seeds under {@code NpyFuzzTestInputs/} (real .npy files of every dtype,
 * version and order) and every crash found so far, in a second; with it, Jazzer mutates them.
 *
 * <p>The property: any bytes give either a tensor that survives a write/read round trip, or a
 * {@link FilterScopeException} of one line naming the file; never another exception, never a hang
 * or an allocation the header alone asked for.
 */
class NpyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parseGivesATensorOrOneLine(byte[] data) {
        Tensor t;
        try {
            t = Npy.parse(data, "fuzz.npy");
        } catch (FilterScopeException e) {
            assertTrue(e.getMessage().startsWith("fuzz.npy: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            return;
        }
        long count = 1;
        for (long d : t.shape().toArray()) {
            count *= d;
        }
        assertEquals(count, t.size());
        Tensor again = Npy.parse(Npy.toBytes(t), "again.npy");
        assertEquals(t.shape(), again.shape());
        assertArrayEquals(t.toArray(), again.toArray());
    }
}
