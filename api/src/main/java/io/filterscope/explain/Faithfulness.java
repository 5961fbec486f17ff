package io.filterscope.explain;

import java.util.List;

/**
 * How faithful a heatmap is to the model (Petsiuk et al. 2018, RISE): the explained class's
 * probability as the pixels the heatmap ranks highest are removed (deletion: a good map makes it
 * fall fast, small area) or added to an empty input (insertion: a good map makes it rise fast,
 * large area).
 *
 * @param deletion      the probability after removing {@code i / steps} of the pixels, i = 0 … steps
 * @param insertion     the probability with {@code i / steps} of the pixels put back into the baseline
 * @param deletionArea  area under the deletion curve over [0, 1] (trapezoids); lower is better
 * @param insertionArea area under the insertion curve; higher is better
 */
public record Faithfulness(List<Double> deletion, List<Double> insertion, double deletionArea, double insertionArea) {
    public Faithfulness {
        deletion = List.copyOf(deletion);
        insertion = List.copyOf(insertion);
    }

    /** Area under {@code curve} sampled at equal steps over [0, 1], by the trapezoid rule. */
    static double area(List<Double> curve) {
        int n = curve.size() - 1;
        if (n <= 0) {
            return curve.isEmpty() ? 0 : curve.get(0);
        }
        double a = 0;
        for (int i = 0; i < n; i++) {
            a += (curve.get(i) + curve.get(i + 1)) / 2;
        }
        return a / n;
    }
}
