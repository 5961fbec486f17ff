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
 */
public final class ImageBatches {
    private ImageBatches() {
    }

    /**
     * One batch.
     *
     * @param files  the images, in order
     * @param input  their inputs stacked along the batch axis
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
     * {@code batchSize}; progress is reported after each batch has run.
     *
     * @return the number of images that were read and run
     */
    public static int forEach(List<Path> files, Preprocessing prep, FreeSize sizeRule, int batchSize, Listener listener,
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
                run.accept(new Batch(names, stack(inputs), current));
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
                run.accept(new Batch(names, stack(inputs), current));
                done += names.size();
                ran += names.size();
                listener.progress(done, files.size());
                names.clear();
                inputs.clear();
            }
        }
        if (!inputs.isEmpty()) {
            run.accept(new Batch(names, stack(inputs), current));
            done += names.size();
            ran += names.size();
            listener.progress(done, files.size());
        }
        return ran;
    }

    /** {@code wanted}, or 1 when the model's first input declares a batch of exactly 1. */
    public static int batchLimit(ModelMetadata meta, int wanted) {
        List<TensorSpec> ins = meta.inputs();
        if (!ins.isEmpty() && ins.get(0).shape().rank() > 0 && ins.get(0).shape().dim(0) == 1) {
            return 1;
        }
        return wanted;
    }

    /** Inputs of shape 1 × … stacked into one batch n × …. */
    public static Tensor stack(List<Tensor> inputs) {
        Preconditions.checkArgument(!inputs.isEmpty(), "nothing to stack");
        if (inputs.size() == 1) {
            return inputs.get(0);
        }
        Shape one = inputs.get(0).shape();
        int size = one.size();
        float[] all = new float[size * inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            inputs.get(i).copyTo(0, all, i * size, size);
        }
        return Tensor.wrap(one.with(0, inputs.size()), all);
    }
}
