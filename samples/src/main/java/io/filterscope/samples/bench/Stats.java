package io.filterscope.samples.bench;

import java.util.Arrays;

/** The statistics the benchmark harnesses report. */
public final class Stats {
    private Stats() {
    }

    /** The median of the values (the mean of the middle two for an even count). */
    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
