package io.filterscope.stats;

import io.filterscope.tensor.Shape;
import java.util.List;

/**
 * Statistics of one convolution layer's weights.
 *
 * @param layer      the layer's name
 * @param shape      the weights' shape, out × in/groups × kH × kW
 * @param norms      the L2 norm of each filter (all its in/groups × kH × kW weights), by output channel
 * @param histogram  the layer's weights in equal-width bins over their range
 * @param mean       the mean weight
 * @param std        the standard deviation of the weights (population, as numpy's default)
 * @param dead       output channels whose filter is near zero: norm at most
 *                   {@link WeightStats.Settings#deadFraction()} × the layer's median norm, in order
 * @param duplicates pairs of filters whose cosine similarity is at least
 *                   {@link WeightStats.Settings#duplicateCosine()}, most similar first
 */
public record LayerWeightStats(String layer, Shape shape, double[] norms, Histogram histogram, double mean, double std,
                               List<Integer> dead, List<DuplicatePair> duplicates) {

    public LayerWeightStats {
        norms = norms.clone();
        dead = List.copyOf(dead);
        duplicates = List.copyOf(duplicates);
    }

    @Override
    public double[] norms() {
        return norms.clone();
    }

    /** The number of filters. */
    public int filters() {
        return norms.length;
    }

    /**
     * Two filters that look alike.
     *
     * @param a      the first output channel
     * @param b      the second, larger than {@code a}
     * @param cosine their cosine similarity, −1..1
     */
    public record DuplicatePair(int a, int b, double cosine) {
    }
}
