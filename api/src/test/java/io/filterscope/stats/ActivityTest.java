package io.filterscope.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityTest {
    private static final Activity A = new Activity(3, Map.of("conv", new float[] {-1f, 0f, 2f}));
    private static final Activity B = new Activity(5, Map.of("conv", new float[] {-3f, 0.5f, 1f}, "fc", new float[] {7f}));
    private static final Activity C = new Activity(1, Map.of("conv", new float[] {-0.5f, -2f, 0f}));

    private static void assertSame(Activity want, Activity got) {
        assertEquals(want.images(), got.images());
        assertEquals(want.maxima().keySet(), got.maxima().keySet());
        want.maxima().forEach((k, v) -> assertArrayEquals(v, got.maxima().get(k), k));
    }

    @Test
    void mergeAddsImagesAndTakesEachChannelsLargerMaximum() {
        Activity ab = A.merge(B);
        assertEquals(8, ab.images());
        assertArrayEquals(new float[] {-1f, 0.5f, 2f}, ab.maxima().get("conv"));
        assertArrayEquals(new float[] {7f}, ab.maxima().get("fc"));
        assertEquals(List.of(0), ab.neverActive("conv"));
        assertEquals(List.of(0, 1), A.neverActive("conv"));
    }

    @Test
    void mergeIsAssociativeAndCommutativeWithNoneAsIdentity() {
        assertSame(A.merge(B).merge(C), A.merge(B.merge(C)));
        assertSame(A.merge(B), B.merge(A));
        assertSame(A, Activity.none().merge(A));
        assertSame(A, A.merge(Activity.none()));
        // The operands are left as they were.
        assertArrayEquals(new float[] {-1f, 0f, 2f}, A.maxima().get("conv"));
    }

    @Test
    void mergeRefusesALayerOfAnotherWidth() {
        Activity other = new Activity(1, Map.of("conv", new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> A.merge(other));
    }
}
