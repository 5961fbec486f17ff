package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.preprocess.Preset;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** What to feed the model: an image (preprocessed for it) or a ready tensor in a .npy file. */
final class InputOptions {

    @Option(names = "--image", paramLabel = "FILE",
            description = "An image (PNG, JPEG, ...), resized and normalised for the model (see --preset); for activations and"
                    + " predict also a folder of images.")
    Path image;

    @Option(names = "--input-npy", paramLabel = "FILE",
            description = "A float32 .npy tensor fed to the model as it is, in the model's input shape and layout.")
    Path npy;

    /**
     * The input a command runs on.
     *
     * @param tensor        the batch, in the model's input layout
     * @param file          the file it came from
     * @param kind          "image" or "npy"
     * @param preprocessing how an image was turned into the tensor
     * @param display       how index.json and messages name the file: its path, or for the bundled
     *                      sample image {@code bundled:images/NAME} (its extracted copy is deleted at exit)
     * @param sizeRule      how the size was chosen, for a model with a free height and width
     * @param imageHeight   rows of the image as read (0 for a .npy input)
     * @param imageWidth    columns of the image as read (0 for a .npy input)
     */
    record Loaded(Tensor tensor, Path file, String kind, Optional<Preprocessing> preprocessing, String display,
                  Optional<FreeSize> sizeRule, int imageHeight, int imageWidth) {
        int batch() {
            return (int) tensor.shape().dim(0);
        }
    }

    /**
     * Loads the input given by {@code options} (may be null: none given), or the bundled sample image
     * when the model is the bundled one.
     */
    static Loaded load(InputOptions options, ModelCommand.ModelRef model, ModelMetadata meta, Optional<Preset> preset,
                       FreeSize sizeRule) {
        Path image = options == null ? null : options.image;
        Path npy = options == null ? null : options.npy;
        String display = null;
        if (image == null && npy == null) {
            if (!model.bundled()) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "give an input: --image FILE or --input-npy FILE");
            }
            image = BundledModel.get().defaultImage();
            display = BundledModel.displayName(image, BundledModel.IMAGES);
        }
        if (image != null) {
            ModelCommand.requireReadable(image, "an image");
            Preprocessing p = Preprocessing.forModel(meta, preset);
            BufferedImage img;
            try {
                img = Images.read(image);
            } catch (UncheckedIOException e) {
                throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, image + ": cannot be read (" + e.getCause().getMessage() + ")", e);
            }
            Optional<FreeSize> rule = p.hasFreeSize() ? Optional.of(sizeRule) : Optional.empty();
            p = p.forImage(img.getHeight(), img.getWidth(), sizeRule);
            return new Loaded(Preprocessor.apply(img, p), image, "image", Optional.of(p), display != null ? display : image.toString(),
                    rule, img.getHeight(), img.getWidth());
        }
        if (preset.isPresent()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--preset applies to --image only; an --input-npy tensor is fed to the model as it is");
        }
        ModelCommand.requireReadable(npy, "a .npy file");
        Tensor t;
        try {
            t = Npy.read(npy);
        } catch (UncheckedIOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, npy + ": cannot be read (" + e.getCause().getMessage() + ")", e);
        }
        return new Loaded(fit(t, npy, meta), npy, "npy", Optional.empty(), npy.toString(), Optional.empty(), 0, 0);
    }

    /** {@code t} checked against the model's input shape; one item without the batch axis gets a batch of 1. */
    static Tensor fit(Tensor t, Path file, ModelMetadata meta) {
        if (meta.inputs().isEmpty()) {
            return t;
        }
        TensorSpec in = meta.input();
        Shape want = in.shape();
        Shape got = t.shape();
        if (want.rank() == 0) {
            return t;
        }
        if (got.rank() == want.rank() - 1) {
            long[] dims = new long[want.rank()];
            dims[0] = 1;
            System.arraycopy(got.toArray(), 0, dims, 1, got.rank());
            Shape batched = Shape.of(dims);
            if (want.accepts(batched)) {
                return t.reshape(batched);
            }
        }
        if (!want.accepts(got)) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, file + ": has shape " + got + " but the model's input '" + in.name()
                    + "' wants " + in.describeShape() + " (" + want + ")");
        }
        return t;
    }
}
