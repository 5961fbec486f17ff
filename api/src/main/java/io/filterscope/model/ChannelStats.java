package io.filterscope.model;

/**
 * Summary of one channel of a feature map.
 *
 * @param min          smallest value
 * @param max          largest value
 * @param mean         arithmetic mean
 * @param zeroFraction fraction of values that are exactly zero (dead units after ReLU)
 */
public record ChannelStats(float min, float max, double mean, double zeroFraction) {

    /** Statistics of {@code length} values of {@code data} from {@code offset}. */
    public static ChannelStats of(float[] data, int offset, int length) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        int zeros = 0;
        for (int i = offset; i < offset + length; i++) {
            float v = data[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            if (v == 0f) {
                zeros++;
            }
        }
        return new ChannelStats(min, max, length == 0 ? 0 : sum / length, length == 0 ? 0 : (double) zeros / length);
    }
}
