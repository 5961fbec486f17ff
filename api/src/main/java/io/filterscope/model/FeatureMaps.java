package io.filterscope.model;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer's output for one input image, as {@code C × H × W} whatever layout the model uses,
 * with statistics per channel.
 *
 * @param layer   the layer's name
 * @param tensor  the name of the captured tensor in the model (post-activation where the layer is
 *                followed by one)
 * @param maps    C × H × W
 * @param stats   one entry per channel
 */
public record FeatureMaps(String layer, String tensor, Tensor maps, List<ChannelStats> stats) {

    public FeatureMaps {
        Preconditions.checkArgument(maps.shape().rank() == 3, "feature maps of %s must be C×H×W, got %s", layer, maps.shape());
        stats = List.copyOf(stats);
    }

    /** Feature maps with statistics computed from {@code maps} (C × H × W). */
    public static FeatureMaps of(String layer, String tensor, Tensor maps) {
        int c = (int) maps.shape().dim(0);
        int hw = (int) (maps.shape().dim(1) * maps.shape().dim(2));
        float[] values = maps.toArray();
        List<ChannelStats> stats = new ArrayList<>(c);
        for (int k = 0; k < c; k++) {
            stats.add(ChannelStats.of(values, k * hw, hw));
        }
        return new FeatureMaps(layer, tensor, maps, stats);
    }

    public int channels() {
        return (int) maps.shape().dim(0);
    }

    public int height() {
        return (int) maps.shape().dim(1);
    }

    public int width() {
        return (int) maps.shape().dim(2);
    }

    /** One channel as H × W. */
    public Tensor channel(int c) {
        return maps.slice(c);
    }
}
