package io.filterscope.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bins as numpy.histogram puts them (values from numpy 2.4: np.histogram(x, bins=n)). */
class HistogramTest {

    @Test
    void lastBinHoldsTheMaximum() {
        // np.histogram([0, 1, 2, 3, 4], bins=4) -> [1, 1, 1, 2], edges 0..4
        Histogram h = Histogram.of(new float[] {0, 1, 2, 3, 4}, 4);
        assertArrayEquals(new long[] {1, 1, 1, 2}, h.counts());
        assertEquals(0, h.min());
        assertEquals(4, h.max());
        assertEquals(1.0, h.edge(1));
    }

    @Test
    void equalValuesSpanPlusMinusHalf() {
        // np.histogram([2, 2, 2], bins=2) -> [0, 3], edges [1.5, 2, 2.5]
        Histogram h = Histogram.of(new float[] {2, 2, 2}, 2);
        assertArrayEquals(new long[] {0, 3}, h.counts());
        assertEquals(1.5, h.min());
        assertEquals(2.5, h.max());
    }

    @Test
    void nanLeftOut() {
        // numpy refuses NaN unless given the range; with range=(-1, 1) it leaves them out: [1, 1].
        Histogram h = Histogram.of(new float[] {Float.NaN, -1, 1}, 2);
        assertArrayEquals(new long[] {1, 1}, h.counts());
    }
}
