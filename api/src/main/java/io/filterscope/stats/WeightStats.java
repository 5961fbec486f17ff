package io.filterscope.stats;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Per-filter L2 norms, a weight histogram, dead filters and near-duplicate filters of convolution
 * layers, computed in double precision from {@link Model#filters} (so any backend).
 */
public final class WeightStats {
    private WeightStats() {
    }

    /**
     * How to judge the filters.
     *
     * @param bins            histogram bins
     * @param deadFraction    a filter is dead when its norm is at most this fraction of the layer's
     *                        median norm (0.01: a hundredth of a typical filter)
     * @param duplicateCosine two filters are near-duplicates when their cosine similarity is at
     *                        least this (0.95)
     */
    public record Settings(int bins, double deadFraction, double duplicateCosine) {
        public Settings {
            if (bins < 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "the number of histogram bins must be 1 or more, got " + bins);
            }
            if (!(deadFraction >= 0)) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "the dead-filter fraction must be 0 or more, got " + deadFraction);
            }
            if (!(duplicateCosine >= -1 && duplicateCosine <= 1)) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT,
                        "the duplicate cosine threshold must be between -1 and 1, got " + duplicateCosine);
            }
        }

        /** 32 bins, dead below 1 % of the median norm, duplicates from cosine 0.95. */
        public static Settings defaults() {
            return new Settings(32, 0.01, 0.95);
        }
    }

    /** The statistics of every convolution layer of {@code model}, in execution order. */
    public static List<LayerWeightStats> of(Model model, Settings settings) {
        return model.allFilters().stream().map(b -> of(b, settings)).toList();
    }

    /** The statistics of one filter bank. */
    public static LayerWeightStats of(FilterBank bank, Settings settings) {
        int out = bank.outChannels();
        float[] w = bank.weights().toArray();
        int per = out == 0 ? 0 : w.length / out;
        double[] norms = new double[out];
        double sum = 0;
        for (int f = 0; f < out; f++) {
            double s = 0;
            for (int i = f * per; i < (f + 1) * per; i++) {
                s += (double) w[i] * w[i];
                sum += w[i];
            }
            norms[f] = Math.sqrt(s);
        }
        double mean = w.length == 0 ? 0 : sum / w.length;
        double var = 0;
        for (float v : w) {
            var += (v - mean) * (v - mean);
        }
        double std = w.length == 0 ? 0 : Math.sqrt(var / w.length);

        double median = median(norms);
        List<Integer> dead = new ArrayList<>();
        for (int f = 0; f < out; f++) {
            if (norms[f] <= settings.deadFraction() * median) {
                dead.add(f);
            }
        }

        List<LayerWeightStats.DuplicatePair> dups = new ArrayList<>();
        for (int a = 0; a < out; a++) {
            for (int b = a + 1; b < out; b++) {
                if (norms[a] == 0 || norms[b] == 0) {
                    continue; // a zero filter has no direction; it is reported as dead instead
                }
                double dot = 0;
                int oa = a * per;
                int ob = b * per;
                for (int i = 0; i < per; i++) {
                    dot += (double) w[oa + i] * w[ob + i];
                }
                double cos = dot / (norms[a] * norms[b]);
                if (cos >= settings.duplicateCosine()) {
                    dups.add(new LayerWeightStats.DuplicatePair(a, b, cos));
                }
            }
        }
        dups.sort(Comparator.comparingDouble(LayerWeightStats.DuplicatePair::cosine).reversed()
                .thenComparingInt(LayerWeightStats.DuplicatePair::a).thenComparingInt(LayerWeightStats.DuplicatePair::b));
        return new LayerWeightStats(bank.layer(), bank.shape(), norms, Histogram.of(w, settings.bins()), mean, std, dead, dups);
    }

    /** The median of {@code values} (the mean of the middle two for an even count), 0 for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
