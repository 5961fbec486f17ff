package io.filterscope.model;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Every channel of one layer's feature maps for a batch, each reduced to how strongly and where it
 * responded: per item and channel the largest value, the mean, and the position of the largest.
 * It is what dataset examples rank images by ({@link io.filterscope.examples.ExampleSearch}). A
 * backend may compute it inside the runtime without handing the maps out ({@link Model#peaks}),
 * which costs a fraction of copying and scanning them.
 *
 * <p>The definitions every backend keeps to, for a map of {@code H × W} values:
 * <ul>
 *   <li>{@link #max}: the largest value, NaN values left out ({@code -Infinity} when all are NaN);
 *       a zero is always {@code +0.0}, so no backend's order of comparisons shows;</li>
 *   <li>{@link #mean}: the arithmetic mean, NaN when a value is NaN; backends may sum in different
 *       orders, so means agree to float rounding, not to the bit;</li>
 *   <li>{@link #y}, {@link #x}: the first position in row-major order that holds the largest
 *       value, {@code (0, 0)} when there is none.</li>
 * </ul>
 * A map with no positions ({@code H × W = 0}) has max and mean NaN.
 *
 * <p>Immutable; the arrays given to {@link #of(String, int, int, int, int, float[], float[], int[])}
 * are copied.
 */
public final class ChannelPeaks {
    private final String layer;
    private final int items;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] max;
    private final float[] mean;
    private final int[] position;

    private ChannelPeaks(String layer, int items, int channels, int height, int width, float[] max, float[] mean, int[] position) {
        this.layer = layer;
        this.items = items;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.max = max;
        this.mean = mean;
        this.position = position;
    }

    /**
     * Peaks a backend computed: item {@code n}, channel {@code c} at index {@code n * channels + c}
     * of each array; {@code position} holds {@code y * width + x}. Negative zeros in {@code max}
     * become {@code +0.0}.
     *
     * @throws IllegalArgumentException when an array's length is not {@code items × channels}, or a
     *         position lies outside the map
     */
    public static ChannelPeaks of(String layer, int items, int channels, int height, int width, float[] max, float[] mean, int[] position) {
        Objects.requireNonNull(layer, "layer");
        Preconditions.checkArgument(items >= 0 && channels >= 0 && height >= 0 && width >= 0,
                "negative size: %s items, %s channels, %s × %s", items, channels, height, width);
        int count = Math.multiplyExact(items, channels);
        Preconditions.checkArgument(max.length == count && mean.length == count && position.length == count,
                "%s items × %s channels, but %s maxima, %s means and %s positions", items, channels, max.length, mean.length, position.length);
        int hw = Math.multiplyExact(height, width);
        float[] m = max.clone();
        for (int i = 0; i < count; i++) {
            Preconditions.checkArgument(position[i] >= 0 && (position[i] < hw || position[i] == 0),
                    "position %s outside a %s × %s map", position[i], height, width);
            m[i] = positiveZero(m[i]);
        }
        return new ChannelPeaks(layer, items, channels, height, width, m, mean.clone(), position.clone());
    }

    /**
     * The peaks of {@code maps} ({@code N × C × H × W}, as {@link Model#capture} gives a spatial
     * layer), computed here: what {@link Model#peaks} does for backends that do not compute them
     * themselves, and the reference for those that do.
     *
     * @throws IllegalArgumentException when {@code maps} is not of rank 4
     */
    public static ChannelPeaks of(String layer, Tensor maps) {
        Objects.requireNonNull(layer, "layer");
        Preconditions.checkArgument(maps.shape().rank() == 4, "feature maps must be N×C×H×W, got %s", maps.shape());
        int n = Math.toIntExact(maps.shape().dim(0));
        int c = Math.toIntExact(maps.shape().dim(1));
        int h = Math.toIntExact(maps.shape().dim(2));
        int w = Math.toIntExact(maps.shape().dim(3));
        int hw = Math.multiplyExact(h, w);
        int count = Math.multiplyExact(n, c);
        float[] max = new float[count];
        float[] mean = new float[count];
        int[] position = new int[count];
        // One copy per item (a lent batch checks its loan per copy), then each channel's map read in place.
        float[] item = new float[Math.multiplyExact(c, hw)];
        for (int i = 0; i < n; i++) {
            maps.copyTo(i * item.length, item, 0, item.length);
            for (int ch = 0; ch < c; ch++) {
                int at = ch * hw;
                int best = 0;
                float m = Float.NEGATIVE_INFINITY;
                double sum = 0;
                for (int p = 0; p < hw; p++) {
                    float v = item[at + p];
                    sum += v;
                    if (v > m) {
                        m = v;
                        best = p;
                    }
                }
                int k = i * c + ch;
                max[k] = hw == 0 ? Float.NaN : positiveZero(m);
                mean[k] = hw == 0 ? Float.NaN : (float) (sum / hw);
                position[k] = best;
            }
        }
        return new ChannelPeaks(layer, n, c, h, w, max, mean, position);
    }

    private static float positiveZero(float v) {
        return v == 0f ? 0f : v;
    }

    /** The layer's name. */
    public String layer() {
        return layer;
    }

    /** Items in the batch. */
    public int items() {
        return items;
    }

    /** Channels of the layer. */
    public int channels() {
        return channels;
    }

    /** Height of each map. */
    public int height() {
        return height;
    }

    /** Width of each map. */
    public int width() {
        return width;
    }

    /** The largest value of item {@code n}'s map of channel {@code c}. */
    public float max(int n, int c) {
        return max[index(n, c)];
    }

    /** The mean value of item {@code n}'s map of channel {@code c}. */
    public float mean(int n, int c) {
        return mean[index(n, c)];
    }

    /** The row of the largest value of item {@code n}'s map of channel {@code c}. */
    public int y(int n, int c) {
        return width == 0 ? 0 : position[index(n, c)] / width;
    }

    /** The column of the largest value of item {@code n}'s map of channel {@code c}. */
    public int x(int n, int c) {
        return width == 0 ? 0 : position[index(n, c)] % width;
    }

    private int index(int n, int c) {
        Objects.checkIndex(n, items);
        Objects.checkIndex(c, channels);
        return n * channels + c;
    }

    /** Equal when every size, the layer's name and every value are (floats compared as {@link Float#equals} does). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelPeaks p && layer.equals(p.layer) && items == p.items && channels == p.channels && height == p.height
                && width == p.width && Arrays.equals(max, p.max) && Arrays.equals(mean, p.mean) && Arrays.equals(position, p.position);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, items, channels, height, width, Arrays.hashCode(max), Arrays.hashCode(mean), Arrays.hashCode(position));
    }

    @Override
    public String toString() {
        return "ChannelPeaks[" + layer + ", " + items + " × " + channels + " maps of " + height + " × " + width + "]";
    }
}
