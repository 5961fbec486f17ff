package io.filterscope.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.tensor.Tensor;

/**
 * Compares heatmaps as the explain issue asks: both normalised to [0, 1], Pearson ≥ 0.99, max |diff| ≤
 * 1e-3. Shared by the backends' explanation reference tests.
 */
public final class Heatmaps {
    private Heatmaps() {
    }

    /** Asserts that {@code actual} matches the reference {@code expected} (same shape, normalised values). */
    public static void assertMatches(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        float[] e = normalize(expected.toArray());
        float[] a = normalize(actual.toArray());
        double maxDiff = 0;
        int worst = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        double r = pearson(e, a);
        assertTrue(r >= 0.99 && maxDiff <= 1e-3, what + ": Pearson " + r + ", max |diff| " + maxDiff + " at " + worst
                + " (expected " + e[worst] + ", got " + a[worst] + ")");
    }

    /** Min-max to [0, 1]; a constant map becomes zeros. */
    public static float[] normalize(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0;
        }
        return out;
    }

    /** Pearson's correlation of two equally long arrays; 1 when both are constant. */
    public static double pearson(float[] x, float[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 && syy == 0 ? 1 : sxy / Math.sqrt(sxx * syy);
    }
}
