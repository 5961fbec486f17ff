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

    /** No images yet: the identity of {@link #merge}. */
    public static Activity none() {
        return new Activity(0, Map.of());
    }

    /**
     * This activity and another's (of other images: another shard of a folder) as one: the image
     * counts added, each channel's maximum the larger of the two. Associative and commutative, with
     * {@link #none()} as identity, so shards can be scanned apart (on other threads or machines) and
     * merged in any grouping to the one-pass answer.
     *
     * @throws IllegalArgumentException when a layer has a different number of channels in the two
     */
    public Activity merge(Activity other) {
        Map<String, float[]> m = new LinkedHashMap<>();
        maxima.forEach((k, v) -> m.put(k, v.clone()));
        other.maxima.forEach((k, v) -> {
            float[] mine = m.get(k);
            if (mine == null) {
                m.put(k, v.clone());
                return;
            }
            if (mine.length != v.length) {
                throw new IllegalArgumentException("layer " + k + " has " + mine.length + " channels in one activity and " + v.length
                        + " in the other: not the same model");
            }
            for (int c = 0; c < v.length; c++) {
                mine[c] = Math.max(mine[c], v[c]);
            }
        });
        return new Activity(images + other.images, m);
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
        int ran = ImageBatches.forEach(files, prep, rule, model.metadata(), batch, listener, b -> {
            // Closed at once: the maxima are copied out, and the next batch reuses the memory.
            try (Activations acts = model.capture(b.input(), request)) {
                record(model, acts, b.size(), maxima);
            }
        });
        if (ran == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, "none of the " + files.size() + " images could be read");
        }
        return new Activity(ran, maxima);
    }

    /** Raises each channel's maximum in {@code maxima} to what this batch reached. */
    private static void record(Model model, Activations acts, int images, Map<String, float[]> maxima) {
        for (LayerOutput lo : acts.layers()) {
            Tensor v = lo.values();
            if (!lo.isSpatial()) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, model.metadata().file().getFileName() + ": layer '"
                        + lo.layer().name() + "' outputs " + v.shape()
                        + ", not N×C×H×W feature maps; choose layers with feature maps (`filterscope info` lists them)");
            }
            int n = images;   // rows past the images are padding (a model with a fixed batch size)
            int c = (int) v.shape().dim(1);
            int hw = (int) (v.shape().dim(2) * v.shape().dim(3));
            float[] m = maxima.computeIfAbsent(lo.layer().name(), k -> {
                float[] init = new float[c];
                Arrays.fill(init, Float.NEGATIVE_INFINITY);
                return init;
            });
            float[] map = new float[hw];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    v.copyTo((i * c + ch) * hw, map, 0, hw);   // a map at a time, not a copy of the whole batch
                    for (float x : map) {
                        m[ch] = Math.max(m[ch], x);
                    }
                }
            }
        }
    }
}
