package io.filterscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The peak definitions every backend keeps to, computed from maps, and what a backend may hand in. */
class ChannelPeaksTest {
    private static final float NAN = Float.NaN;

    /** One item, four channels of 2 × 3 maps, each a case of the definitions. */
    private static final float[] MAPS = {
        // channel 0: ties for the max; the first in row-major order counts
        1, 5, 2, 5, 0, 5,
        // channel 1: a NaN is skipped by the max and makes the mean NaN
        3, NAN, 7, 1, 2, 0,
        // channel 2: zeros of both signs, the max is +0 at the first zero
        -0f, 0f, -1, -2, -0f, -3,
        // channel 3: NaN only
        NAN, NAN, NAN, NAN, NAN, NAN,
    };

    @Test
    void definitionsHoldForTiesNaNAndZeros() {
        ChannelPeaks p = ChannelPeaks.of("conv", Tensor.wrap(Shape.of(1, 4, 2, 3), MAPS.clone()));
        assertEquals(1, p.items());
        assertEquals(4, p.channels());
        assertEquals(2, p.height());
        assertEquals(3, p.width());
        assertEquals("conv", p.layer());

        assertEquals(5f, p.max(0, 0));
        assertEquals(18 / 6f, p.mean(0, 0), 1e-6);
        assertEquals(0, p.y(0, 0));
        assertEquals(1, p.x(0, 0));

        assertEquals(7f, p.max(0, 1));
        assertTrue(Float.isNaN(p.mean(0, 1)));
        assertEquals(0, p.y(0, 1));
        assertEquals(2, p.x(0, 1));

        assertEquals(0, Float.floatToRawIntBits(p.max(0, 2)), "+0.0, not -0.0");
        assertEquals(0, p.y(0, 2));
        assertEquals(0, p.x(0, 2));
        assertEquals(-1f, p.mean(0, 2), 1e-6);

        assertEquals(Float.NEGATIVE_INFINITY, p.max(0, 3));
        assertTrue(Float.isNaN(p.mean(0, 3)));
        assertEquals(0, p.y(0, 3));
        assertEquals(0, p.x(0, 3));
    }

    @Test
    void positionsAreRowMajorAcrossItems() {
        float[] v = new float[2 * 1 * 3 * 4];
        v[7] = 9;           // item 0: y 1, x 3
        v[12 + 8] = 4;      // item 1: y 2, x 0
        ChannelPeaks p = ChannelPeaks.of("l", Tensor.wrap(Shape.of(2, 1, 3, 4), v));
        assertEquals(java.util.List.of(1, 3, 2, 0), java.util.List.of(p.y(0, 0), p.x(0, 0), p.y(1, 0), p.x(1, 0)));
        assertEquals(9f / 12, p.mean(0, 0), 1e-7);
    }

    @Test
    void emptyMapsHaveNoScore() {
        ChannelPeaks p = ChannelPeaks.of("l", Tensor.wrap(Shape.of(1, 2, 0, 5), new float[0]));
        assertTrue(Float.isNaN(p.max(0, 1)));
        assertTrue(Float.isNaN(p.mean(0, 1)));
        assertEquals(0, p.y(0, 1));
    }

    @Test
    void aBackendsPeaksAreCheckedCopiedAndNormalised() {
        float[] max = {-0f, 2};
        int[] position = {5, 0};
        ChannelPeaks p = ChannelPeaks.of("l", 1, 2, 2, 3, max, new float[] {1, 2}, position);
        max[1] = 99;
        position[0] = 1;
        assertEquals(0, Float.floatToRawIntBits(p.max(0, 0)), "a backend's -0.0 becomes +0.0");
        assertEquals(2f, p.max(0, 1), "the arrays are copied");
        assertEquals(1, p.y(0, 0));
        assertEquals(2, p.x(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ChannelPeaks.of("l", 1, 2, 2, 3, new float[2], new float[2], new int[] {6, 0}),
                "a position outside the map");
        assertThrows(IllegalArgumentException.class, () -> ChannelPeaks.of("l", 1, 2, 2, 3, new float[3], new float[2], new int[2]),
                "lengths that are not items × channels");
        assertThrows(IndexOutOfBoundsException.class, () -> p.max(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> p.mean(0, 2));
        assertThrows(IllegalArgumentException.class, () -> ChannelPeaks.of("l", Tensor.wrap(Shape.of(2, 3), new float[6])));
    }
}
