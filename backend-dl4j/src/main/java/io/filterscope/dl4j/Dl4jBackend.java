package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens Deeplearning4j networks and Keras files: zips written by DL4J's {@code ModelSerializer}
 * ({@code MultiLayerNetwork} or {@code ComputationGraph}), Keras 1/2 {@code .h5} through DL4J's
 * Keras import, and Keras 3 {@code .keras}/{@code .h5} through the Keras 3 reader when it is on the
 * class path. Registered through {@code META-INF/services/io.filterscope.spi.ModelBackend}.
 *
 * <p>Claiming a file reads a few bytes and the zip directory only; ND4J and DL4J classes are first
 * touched in {@link #open} and {@link #wrap}, so users of other backends pay nothing at start-up.
 *
 * <p>Logging goes through SLF4J; DL4J and ND4J log much at INFO. Without an SLF4J binding nothing
 * is printed; applications that bind one should set {@code org.nd4j} and {@code org.deeplearning4j}
 * to WARN.
 *
 * <p>DL4J does not store a network's input size. Where the file does not tell it (a network that
 * starts with a convolution and was saved from DL4J), give it with the open options,
 * {@code OpenOptions.defaults().withInputShape(1, 28, 28)} (channels × height × width); the command
 * line passes its {@code --input-shape} (or its fallback, the system property
 * {@code filterscope.dl4j.inputShape}) the same way. The backend itself reads no system property. Or
 * store it in the zip with {@link #saveInputShape}.
 *
 * <p>Nothing from a file reaches Java deserialization unfiltered: DL4J's restore is handed only the
 * configuration and parameter entries (its {@code preprocessor.bin} would go to an unfiltered
 * {@code ObjectInputStream}), and the legacy serialized input shape is read through an allow-list
 * filter.
 */
public final class Dl4jBackend implements ModelBackend {

    /** The id used in {@link OpenOptions#backend()} and on the command line. */
    public static final String ID = "dl4j";

    /**
     * The zip entry in which a DL4J zip carries its input shape as JSON, {@code {"inputShape":[1,28,28]}}
     * (channels, height, width, or one feature count); written by {@link #saveInputShape}.
     */
    public static final String INPUT_SHAPE_ENTRY = StoredInputShape.ENTRY;

    /**
     * The key under which zips saved before {@link #INPUT_SHAPE_ENTRY} carry their input shape, a
     * Java-serialized {@code long[]} added with
     * {@code ModelSerializer.addObjectToFile(file, INPUT_SHAPE_OBJECT, new long[] {1, 28, 28})}. Such
     * zips still open: the entry is read through a deserialization filter that admits a small
     * {@code long[]} or {@code int[]} and nothing else. New files should use {@link #saveInputShape}.
     */
    public static final String INPUT_SHAPE_OBJECT = "filterscope.inputShape";

    /**
     * Stores the input shape in a DL4J zip written by {@code ModelSerializer.writeModel}, as JSON
     * under {@link #INPUT_SHAPE_ENTRY}, so that FilterScope opens it without being told the size. The
     * zip is replaced atomically; an older {@link #INPUT_SHAPE_OBJECT} entry is dropped. Pure JDK: it
     * does not load DL4J.
     *
     * @param zip   the model zip
     * @param shape channels, height, width (e.g. 1, 28, 28), or one feature count
     * @throws io.filterscope.FilterScopeException naming the file when it is not a readable zip or
     *         cannot be written, or when the shape is not positive numbers
     */
    public static void saveInputShape(Path zip, long... shape) {
        StoredInputShape.write(zip, shape);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String describeFiles() {
        return "DL4J ModelSerializer zips (*.zip), Keras models (*.h5, *.hdf5, *.keras)";
    }

    @Override
    public boolean claims(Path file) {
        Optional<FileKind> kind = FileKind.sniff(file);
        if (kind.isEmpty()) {
            // Unreadable or truncated before the signature: claim by name so open() can say what is wrong.
            return FileKind.hasModelExtension(file);
        }
        return kind.get() != FileKind.OTHER_ZIP || FileKind.hasModelExtension(file);
    }

    /**
     * Opens a DL4J zip or Keras file. {@link OpenOptions#inputShape()} gives the input size
     * (channels × height × width, or one feature count) where the file does not record it; it
     * wins over a shape stored in the file.
     *
     * @throws io.filterscope.FilterScopeException of kind {@link io.filterscope.ErrorKind#NATIVE_LIBRARY}
     *         when ND4J's native library cannot be loaded on this machine, and of the kind the
     *         failure has otherwise
     */
    @Override
    public Model open(Path file, OpenOptions options) {
        long[] given = options.inputShape().map(Shape::toArray).orElse(new long[0]);
        try {
            return Loader.open(file, given);
        } catch (LinkageError e) {
            throw nativeLibrary(file, e);
        } catch (RuntimeException e) {
            // ND4J reports a backend it cannot load as a RuntimeException around the linkage error.
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof LinkageError || c.getClass().getSimpleName().equals("NoAvailableBackendException")) {
                    throw nativeLibrary(file, e);
                }
            }
            throw e;
        }
    }

    /**
     * One line naming what did not load, for which platform, and how to get it. ND4J wraps the
     * cause ("ND4J is probably missing dependencies") around JavaCPP's, which names the library.
     */
    static FilterScopeException nativeLibrary(Path file, Throwable e) {
        String machine = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        String forced = System.getProperty("org.bytedeco.javacpp.platform");
        String platform = forced;
        if (platform == null) {
            try {
                platform = org.bytedeco.javacpp.Loader.getPlatform();
            } catch (LinkageError | RuntimeException unknown) {
                platform = "this machine's";
            }
        }
        String missing = null;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof LinkageError && c.getMessage() != null) {
                missing = c.getMessage();
            }
        }
        String how = forced != null
                ? "org.bytedeco.javacpp.platform is set to " + forced + ", which is not this machine (" + machine
                        + "): remove -Dorg.bytedeco.javacpp.platform, or set it to this machine's platform"
                : "put ND4J's native jars for " + platform + " on the class path (org.nd4j:nd4j-native and org.bytedeco:openblas with classifier "
                        + platform + "; FilterScope's build includes them with -Djavacpp.platform=" + platform + ")";
        return new FilterScopeException(ErrorKind.NATIVE_LIBRARY, file.getFileName() + ": ND4J's native library could not be loaded for platform "
                + platform + " on " + machine + " (" + Dl4jModel.firstLine(missing != null ? missing : e.getMessage()) + "); " + how, e);
    }

    /**
     * Wraps a network that lives in memory, e.g. one being trained. Weights are read live: filters
     * taken after more training show the new weights. The caller keeps owning the network; closing
     * the model does not close it. Calls into the network are synchronised on it, so capture from a
     * listener thread while training on another is safe.
     *
     * @param network a {@code MultiLayerNetwork} or {@code ComputationGraph}, initialised
     * @param name    a name for messages and metadata, e.g. "fashion-cnn (training)"
     * @param inputShape the input as channels × height × width (or one size for a feed-forward
     *                   input); may be empty when the network records it (a first-layer preprocessor)
     * @throws io.filterscope.FilterScopeException when the network type is not supported or the
     *         input shape is needed and not given
     */
    public static Model wrap(org.deeplearning4j.nn.api.NeuralNetwork network, String name, long... inputShape) {
        return Loader.wrap(network, name, inputShape);
    }
}
