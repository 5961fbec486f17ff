package io.filterscope.stats;

import com.google.common.base.Preconditions;

/**
 * Counts of values in equal-width bins from {@code min} to {@code max}, as {@code numpy.histogram}
 * with {@code bins} bins over the data's range: every bin is half-open but the last, which holds
 * {@code max}; when all values are equal the range is {@code value ± 0.5}.
 *
 * @param min    the lower edge of the first bin
 * @param max    the upper edge of the last bin
 * @param counts values per bin
 */
public record Histogram(double min, double max, long[] counts) {

    public Histogram {
        Preconditions.checkArgument(counts.length >= 1, "a histogram needs at least one bin");
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** The number of bins. */
    public int bins() {
        return counts.length;
    }

    /** The lower edge of bin {@code i} (i = bins() gives the upper edge of the last). */
    public double edge(int i) {
        return edge(min, max, counts.length, i);
    }

    /** numpy.linspace's edge i: i · step + start, with the last edge exactly the stop. */
    private static double edge(double lo, double hi, int bins, int i) {
        return i == bins ? hi : i * ((hi - lo) / bins) + lo;
    }

    /** The histogram of {@code values} in {@code bins} bins over their range; NaNs are left out. */
    public static Histogram of(float[] values, int bins) {
        Preconditions.checkArgument(bins >= 1, "bins must be 1 or more, got %s", bins);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            return new Histogram(0, 1, new long[bins]);
        }
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        long[] counts = new long[bins];
        double denom = hi - lo;
        for (float v : values) {
            if (Float.isNaN(v)) {
                continue;
            }
            // numpy's arithmetic step for step, so values on an edge land in the same bin as there.
            int i = (int) (((v - lo) / denom) * bins);
            if (i >= bins) {
                i = bins - 1;
            }
            if (v < edge(lo, hi, bins, i)) {
                i--;
            } else if (i != bins - 1 && v >= edge(lo, hi, bins, i + 1)) {
                i++;
            }
            counts[i]++;
        }
        return new Histogram(lo, hi, counts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && h.min == min && h.max == max && java.util.Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(min, max, java.util.Arrays.hashCode(counts));
    }

    @Override
    public String toString() {
        return "Histogram[" + min + ".." + max + " " + java.util.Arrays.toString(counts) + "]";
    }
}
