package io.filterscope.stats;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How active each channel of some layers is over a folder of images: the largest value each
 * channel's (post-activation) map reaches. A channel whose largest value is at most 0 never fires
 * on those images (after a ReLU: it is always zero), the second kind of dead filter.
 *
 * @param images  the number of images run
 * @param maxima  per layer, the largest value of each channel over all images and positions
 */
public record Activity(int images, Map<String, float[]> maxima) {

    public Activity {
        Map<String, float[]> copy = new LinkedHashMap<>();
        maxima.forEach((k, v) -> copy.put(k, v.clone()));
        maxima = java.util.Collections.unmodifiableMap(copy);
    }

    /** The channels of {@code layer} that never exceeded 0. */
    public List<Integer> neverActive(String layer) {
        float[] m = maxima.get(layer);
        List<Integer> out = new ArrayList<>();
        for (int c = 0; m != null && c < m.length; c++) {
            if (!(m[c] > 0)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Runs {@code files} through {@code model} in batches and records each channel's maximum for the
     * named layers (which must have N × C × H × W outputs). Unreadable images go to the listener.
     */
    public static Activity scan(Model model, List<String> layers, List<Path> files, Preprocessing prep, FreeSize rule, int batch,
                                ImageBatches.Listener listener) {
        Map<String, float[]> maxima = new LinkedHashMap<>();
        CaptureRequest request = CaptureRequest.layers(layers);
        int ran = ImageBatches.forEach(files, prep, rule, ImageBatches.batchLimit(model.metadata(), batch), listener, b -> {
            Activations acts = model.capture(b.input(), request);
            for (LayerOutput lo : acts.layers()) {
                Tensor v = lo.values();
                if (!lo.isSpatial()) {
                    throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "layer '" + lo.layer().name() + "' outputs " + v.shape()
                            + ", not N×C×H×W feature maps");
                }
                int n = (int) v.shape().dim(0);
                int c = (int) v.shape().dim(1);
                int hw = (int) (v.shape().dim(2) * v.shape().dim(3));
                float[] m = maxima.computeIfAbsent(lo.layer().name(), k -> {
                    float[] init = new float[c];
                    Arrays.fill(init, Float.NEGATIVE_INFINITY);
                    return init;
                });
                FloatBuffer buf = v.buffer();
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        int base = (i * c + ch) * hw;
                        for (int p = 0; p < hw; p++) {
                            m[ch] = Math.max(m[ch], buf.get(base + p));
                        }
                    }
                }
            }
        });
        if (ran == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, "none of the " + files.size() + " images could be read");
        }
        return new Activity(ran, maxima);
    }
}
