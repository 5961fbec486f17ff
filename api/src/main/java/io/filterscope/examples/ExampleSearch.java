package io.filterscope.examples;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Finds, for every channel of one layer, the images that excite it most: dataset examples in the
 * manner of the Deep Visualization Toolbox and OpenAI Microscope. Forward passes only, through
 * {@link Model#peaks}, so it works with every backend.
 *
 * <p>Images are read, preprocessed and run in batches; of each batch only the per-channel best
 * {@code k} are kept ({@link TopExamples.Collector}), so memory stays at one batch plus
 * channels × k examples whatever the number of images. A search over part of a folder gives a
 * {@link TopExamples} that {@link TopExamples#merge merges} with the other parts' into the answer
 * for the whole folder.
 *
 * <p>An image that cannot be read is reported to the {@link Listener} and skipped; model errors (an
 * input of the wrong shape, a closed model) end the search.
 */
public final class ExampleSearch {
    private ExampleSearch() {
    }

    /**
     * What to search for.
     *
     * @param layer     the layer whose channels are ranked; it must have N × C × H × W outputs
     * @param score     how a channel map becomes a score
     * @param k         examples kept per channel
     * @param batchSize images per inference (models whose input declares a batch of 1 get 1)
     * @param sizeRule  the size chosen for images fed to a model with a free height and width
     */
    public record Settings(String layer, ScoreKind score, int k, int batchSize, FreeSize sizeRule) {
        public Settings {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(score, "score");
            Objects.requireNonNull(sizeRule, "sizeRule");
            if (k < 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "the number of examples per channel must be 1 or more, got " + k);
            }
            if (batchSize < 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "the batch size must be 1 or more, got " + batchSize);
            }
        }

        /** {@code k} examples by maximum activation, batches of 32, the default size rule. */
        public static Settings of(String layer, int k) {
            return new Settings(layer, ScoreKind.MAX, k, 32, FreeSize.DEFAULT);
        }

        public Settings withScore(ScoreKind newScore) {
            return new Settings(layer, newScore, k, batchSize, sizeRule);
        }

        public Settings withBatchSize(int newBatchSize) {
            return new Settings(layer, score, k, newBatchSize, sizeRule);
        }
    }

    /** Hears how a search goes. Called on the thread that runs the search. */
    public interface Listener {
        /** {@code done} of {@code total} images have been handled (read and run, or skipped). */
        default void progress(int done, int total) {
        }

        /** {@code file} could not be read and is left out; {@code reason} is one line. */
        default void skipped(Path file, String reason) {
        }

        /** A listener that hears nothing. */
        static Listener none() {
            return new Listener() {
            };
        }
    }

    /** An image left out, and why (one line). */
    public record Skipped(Path file, String reason) {
    }

    /**
     * What a search found.
     *
     * @param top     the best examples per channel
     * @param images  images that were read and run
     * @param skipped images that could not be read, in order
     */
    public record Result(TopExamples top, int images, List<Skipped> skipped) {
        public Result {
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Runs {@code files} through {@code model} and keeps the best examples of each channel of the
     * settings' layer.
     *
     * @param naming how an image file is named in the results; names must be unique (a folder's
     *               relative paths are, see {@link io.filterscope.io.ImageFolder#name})
     * @param prep   how images become inputs (a free height and width are chosen per image by the
     *               settings' size rule; images of different sizes then run in separate batches)
     * @throws FilterScopeException when the layer does not exist or has no spatial output, when no
     *         image at all could be read, or when the model fails
     */
    public static Result run(Model model, List<Path> files, Function<Path, String> naming, Preprocessing prep, Settings settings,
                             Listener listener) {
        LayerInfo layer = model.layer(settings.layer());
        if (layer.outputShape().isPresent() && !layer.hasSpatialOutput()) {
            throw notSpatial(model, layer, layer.outputShape().get());
        }
        TopExamples.Collector[] collector = {null};
        List<Skipped> skipped = new ArrayList<>();
        int run = ImageBatches.forEach(files, prep, settings.sizeRule(), model.metadata(), settings.batchSize(), new ImageBatches.Listener() {
            @Override
            public void progress(int done, int total) {
                listener.progress(done, total);
            }

            @Override
            public void skipped(Path file, String reason) {
                skipped.add(new Skipped(file, reason));
                listener.skipped(file, reason);
            }
        }, batch -> collector[0] = runBatch(model, layer, batch.files().stream().map(naming).toList(), batch.input(),
                collector[0], settings));
        if (collector[0] == null) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, files.isEmpty() ? "no images to search"
                    : "none of the " + files.size() + " images could be read (the first: " + skipped.get(0).reason() + ")");
        }
        return new Result(collector[0].result(), run, skipped);
    }

    private static TopExamples.Collector runBatch(Model model, LayerInfo layer, List<String> names, Tensor input,
                                                  TopExamples.Collector collector, Settings settings) {
        // Peaks, not maps: the backend may reduce the maps where they are made (Model#peaks).
        ChannelPeaks peaks = model.peaks(input, layer.name());
        TopExamples.Collector c = collector != null ? collector
                : new TopExamples.Collector(layer.name(), settings.score(), settings.k(), peaks.channels());
        c.add(names, peaks);
        return c;
    }

    private static FilterScopeException notSpatial(Model model, LayerInfo layer, Shape shape) {
        return new FilterScopeException(ErrorKind.INVALID_ARGUMENT, model.metadata().file().getFileName() + ": layer '" + layer.name()
                + "' outputs " + shape + ", not N×C×H×W feature maps; choose a layer with feature maps (`filterscope info` lists them)");
    }
}
