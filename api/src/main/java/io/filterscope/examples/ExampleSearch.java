package io.filterscope.examples;

import com.google.common.base.Preconditions;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.model.TensorSpec;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Finds, for every channel of one layer, the images that excite it most: dataset examples in the
 * manner of the Deep Visualization Toolbox and OpenAI Microscope. Forward passes only, through
 * {@link Model#capture}, so it works with every backend.
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
        int batchSize = batchLimit(model, settings.batchSize());
        CaptureRequest request = CaptureRequest.layers(layer.name());
        TopExamples.Collector collector = null;
        List<String> names = new ArrayList<>(batchSize);
        List<Tensor> inputs = new ArrayList<>(batchSize);
        List<Skipped> skipped = new ArrayList<>();
        int run = 0;
        int done = 0;
        for (Path file : files) {
            Tensor input;
            try {
                BufferedImage img = Images.read(file);
                input = Preprocessor.apply(img, prep.forImage(img.getHeight(), img.getWidth(), settings.sizeRule()));
            } catch (FilterScopeException e) {
                skipped.add(new Skipped(file, e.getMessage()));
                listener.skipped(file, e.getMessage());
                listener.progress(++done, files.size());
                continue;
            } catch (RuntimeException e) {
                String why = file + ": not a readable image (" + e.getClass().getSimpleName() + ")";
                skipped.add(new Skipped(file, why));
                listener.skipped(file, why);
                listener.progress(++done, files.size());
                continue;
            }
            if (!inputs.isEmpty() && !inputs.get(0).shape().equals(input.shape())) {
                collector = runBatch(model, layer, request, names, inputs, collector, settings);
                run += names.size();
                done += names.size();
                names.clear();
                inputs.clear();
                listener.progress(done, files.size());
            }
            names.add(naming.apply(file));
            inputs.add(input);
            if (inputs.size() == batchSize) {
                collector = runBatch(model, layer, request, names, inputs, collector, settings);
                run += names.size();
                done += names.size();
                names.clear();
                inputs.clear();
                listener.progress(done, files.size());
            }
        }
        if (!inputs.isEmpty()) {
            collector = runBatch(model, layer, request, names, inputs, collector, settings);
            run += names.size();
            done += names.size();
            listener.progress(done, files.size());
        }
        if (collector == null) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, files.isEmpty() ? "no images to search"
                    : "none of the " + files.size() + " images could be read (the first: " + skipped.get(0).reason() + ")");
        }
        return new Result(collector.result(), run, skipped);
    }

    /** The batch size to use: 1 when the model's input declares a batch of exactly 1. */
    static int batchLimit(Model model, int wanted) {
        List<TensorSpec> ins = model.metadata().inputs();
        if (!ins.isEmpty() && ins.get(0).shape().rank() > 0 && ins.get(0).shape().dim(0) == 1) {
            return 1;
        }
        return wanted;
    }

    private static TopExamples.Collector runBatch(Model model, LayerInfo layer, CaptureRequest request, List<String> names,
                                                  List<Tensor> inputs, TopExamples.Collector collector, Settings settings) {
        Activations acts = model.capture(stack(inputs), request);
        LayerOutput out = acts.layer(layer.name()).orElseThrow(() -> new FilterScopeException(ErrorKind.INFERENCE_FAILED,
                model.metadata().file().getFileName() + ": the backend did not capture layer '" + layer.name() + "'"));
        if (!out.isSpatial()) {
            throw notSpatial(model, layer, out.values().shape());
        }
        TopExamples.Collector c = collector != null ? collector
                : new TopExamples.Collector(layer.name(), settings.score(), settings.k(), (int) out.values().shape().dim(1));
        c.add(names, out.values());
        return c;
    }

    /** Inputs of shape 1 × … stacked into one batch n × …. */
    static Tensor stack(List<Tensor> inputs) {
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

    private static FilterScopeException notSpatial(Model model, LayerInfo layer, Shape shape) {
        return new FilterScopeException(ErrorKind.INVALID_ARGUMENT, model.metadata().file().getFileName() + ": layer '" + layer.name()
                + "' outputs " + shape + ", not N×C×H×W feature maps; choose a layer with feature maps (`filterscope info` lists them)");
    }
}
