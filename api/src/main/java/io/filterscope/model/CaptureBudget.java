package io.filterscope.model;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.Limits;
import io.filterscope.tensor.Shape;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;

/**
 * Refuses a capture whose feature maps would not fit in memory, before the model runs: a large
 * batch or image through every layer of a deep network can ask for more than the heap holds, and
 * an {@link OutOfMemoryError} midway would take the application with it. Backends call
 * {@link #check} with the layers they are about to capture.
 *
 * <p>The size is worked out from each layer's output shape. Dimensions the model leaves open are
 * taken from the input: the batch from the input's first dimension, any other from the input's
 * largest (a convolutional network rarely grows an image), so the figure is an estimate, on the
 * high side for typical networks.
 */
public final class CaptureBudget {
    private CaptureBudget() {
    }

    /** Bytes the float32 feature maps of {@code layers} take for {@code input}. */
    public static long estimateBytes(Collection<LayerInfo> layers, Shape input) {
        long batch = input.rank() > 0 && input.dim(0) > 0 ? input.dim(0) : 1;
        long largest = 1;
        for (int i = 1; i < input.rank(); i++) {
            largest = Math.max(largest, input.dim(i));
        }
        long total = 0;
        for (LayerInfo l : layers) {
            Shape s = l.outputShape().orElse(null);
            if (s == null) {
                continue;
            }
            long values = 1;
            for (int i = 0; i < s.rank(); i++) {
                long d = i == 0 ? batch : s.dim(i) > 0 ? s.dim(i) : largest;
                values = saturatingMultiply(values, d);
            }
            total = saturatingAdd(total, saturatingMultiply(values, Float.BYTES));
        }
        return total;
    }

    /**
     * Throws when capturing {@code layers} for {@code input} needs more than
     * {@link Limits#captureMaxBytes()}.
     *
     * @param file the model file, named in the message
     * @throws FilterScopeException saying how much is needed, the budget, and how to narrow the request
     */
    public static void check(Path file, Collection<LayerInfo> layers, Shape input) {
        long need = estimateBytes(layers, input);
        long budget = Limits.captureMaxBytes();
        if (need <= budget) {
            return;
        }
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        throw new FilterScopeException(ErrorKind.RESOURCE_LIMIT, String.format(Locale.ROOT, "%s: capturing %d layer%s for an input of %s needs about %s of "
                        + "feature maps, more than the %s budget; capture fewer layers (--layer NAME) or a smaller batch or image, "
                        + "or raise the budget (-Xmx, or -D%s=SIZE such as 8g)", name, layers.size(), layers.size() == 1 ? "" : "s",
                input, megabytes(need), megabytes(budget), Limits.CAPTURE_MAX_BYTES));
    }

    private static String megabytes(long bytes) {
        return bytes < 1 << 20 ? String.format(Locale.ROOT, "%,.1f KB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%,.1f MB", bytes / (1024.0 * 1024.0));
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
