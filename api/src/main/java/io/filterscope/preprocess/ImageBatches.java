package io.filterscope.preprocess;

import com.google.common.base.Preconditions;
import io.filterscope.FilterScopeException;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads many image files as model inputs, a batch at a time, so a folder of any size is run with
 * memory for one batch. An image that cannot be read is reported and left out; images whose
 * preprocessed sizes differ (a model with a free height and width) go in separate batches.
 *
 * <p>A model whose input fixes the batch size (say 1 × 3 × 224 × 224, or 8 × …) gets batches of
 * exactly that size, as {@link io.filterscope.explain.Explainer} gives it: a short batch (the last
 * one, or one cut by a change of image size) is padded by repeating its last input, and
 * {@link Batch#size()} counts only the real images. Use {@link #forEach(List, Preprocessing, FreeSize,
 * ModelMetadata, int, Listener, Consumer)} for a model.
 */
public final class ImageBatches {
    private ImageBatches() {
    }

    /**
     * One batch.
     *
     * @param files  the images, in order
     * @param input  their inputs stacked along the batch axis; for a model with a fixed batch size,
     *               followed by copies of the last one up to that size (padding, whose outputs are
     *               not any image's: read the first {@link #size()} items only)
     * @param preprocessing how they were preprocessed (the same for all: one size)
     */
    public record Batch(List<Path> files, Tensor input, Preprocessing preprocessing) {
        public Batch {
            files = List.copyOf(files);
        }

        public int size() {
            return files.size();
        }
    }

    /** Hears about images left out and about progress. Called on the reading thread. */
    public interface Listener {
        /** {@code done} of {@code total} images have been handled (run, or skipped). */
        default void progress(int done, int total) {
        }

        /** {@code file} could not be read and is left out; {@code reason} is one line naming it. */
        default void skipped(Path file, String reason) {
        }
    }

    /**
     * Reads {@code files} in order and hands them to {@code run} in batches of at most
     * {@code batchSize}, unpadded (for a model with a free batch size); progress is reported after
     * each batch has run.
     *
     * @return the number of images that were read and run
     */
    public static int forEach(List<Path> files, Preprocessing prep, FreeSize sizeRule, int batchSize, Listener listener,
                              Consumer<Batch> run) {
        return forEach(files, prep, sizeRule, batchSize, 0, listener, run);
    }

    /**
     * Reads {@code files} in order and hands them to {@code run} in batches fit for the model
     * {@code meta} describes: of {@code wanted} images when its batch size is free, else of exactly
     * the size it fixes, a short batch padded (see the class comment). Progress is reported after
     * each batch has run.
     *
     * @return the number of images that were read and run
     */
    public static int forEach(List<Path> files, Preprocessing prep, FreeSize sizeRule, ModelMetadata meta, int wanted,
                              Listener listener, Consumer<Batch> run) {
        Preconditions.checkArgument(wanted >= 1, "batch size must be 1 or more, got %s", wanted);
        return forEach(files, prep, sizeRule, batchLimit(meta, wanted), fixedBatch(meta), listener, run);
    }

    private static int forEach(List<Path> files, Preprocessing prep, FreeSize sizeRule, int batchSize, int padTo, Listener listener,
                               Consumer<Batch> run) {
        Preconditions.checkArgument(batchSize >= 1, "batch size must be 1 or more, got %s", batchSize);
        List<Path> names = new ArrayList<>(batchSize);
        List<Tensor> inputs = new ArrayList<>(batchSize);
        Preprocessing current = null;
        int done = 0;
        int ran = 0;
        for (Path file : files) {
            Tensor input;
            Preprocessing p;
            try {
                BufferedImage img = Images.read(file);
                p = prep.forImage(img.getHeight(), img.getWidth(), sizeRule);
                input = Preprocessor.apply(img, p);
            } catch (FilterScopeException e) {
                listener.skipped(file, e.getMessage());
                listener.progress(++done, files.size());
                continue;
            } catch (RuntimeException e) {
                // A decoder that fails in its own way on a damaged file: still this file's problem only.
                listener.skipped(file, file + ": not a readable image (" + e.getClass().getSimpleName() + ")");
                listener.progress(++done, files.size());
                continue;
            }
            if (!inputs.isEmpty() && !inputs.get(0).shape().equals(input.shape())) {
                run.accept(new Batch(names, stack(inputs, padTo), current));
                done += names.size();
                ran += names.size();
                listener.progress(done, files.size());
                names.clear();
                inputs.clear();
            }
            current = p;
            names.add(file);
            inputs.add(input);
            if (inputs.size() == batchSize) {
                run.accept(new Batch(names, stack(inputs, padTo), current));
                done += names.size();
                ran += names.size();
                listener.progress(done, files.size());
                names.clear();
                inputs.clear();
            }
        }
        if (!inputs.isEmpty()) {
            run.accept(new Batch(names, stack(inputs, padTo), current));
            done += names.size();
            ran += names.size();
            listener.progress(done, files.size());
        }
        return ran;
    }

    /**
     * The batch size the model's first input fixes (its leading dimension when that is a number),
     * or 0 when the batch size is free.
     */
    public static int fixedBatch(ModelMetadata meta) {
        List<TensorSpec> ins = meta.inputs();
        if (ins.isEmpty() || ins.get(0).shape().rank() == 0) {
            return 0;
        }
        long n = ins.get(0).shape().dim(0);
        return n > 0 ? (int) n : 0;
    }

    /** {@code wanted}, or the model's own batch size when its first input fixes one. */
    public static int batchLimit(ModelMetadata meta, int wanted) {
        int fixed = fixedBatch(meta);
        return fixed > 0 ? fixed : wanted;
    }

    /** Inputs of shape 1 × … stacked into one batch n × …. */
    public static Tensor stack(List<Tensor> inputs) {
        return stack(inputs, 0);
    }

    /** Inputs stacked, then padded with copies of the last up to {@code padTo} items (0: no padding). */
    private static Tensor stack(List<Tensor> inputs, int padTo) {
        Preconditions.checkArgument(!inputs.isEmpty(), "nothing to stack");
        int n = Math.max(inputs.size(), padTo);
        if (n == 1) {
            return inputs.get(0);
        }
        Shape one = inputs.get(0).shape();
        int size = one.size();
        float[] all = new float[size * n];
        for (int i = 0; i < n; i++) {
            inputs.get(Math.min(i, inputs.size() - 1)).copyTo(0, all, i * size, size);
        }
        return Tensor.wrap(one.with(0, n), all);
    }
}
