package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipException;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Opens files and wraps networks; the first class of this backend that touches DL4J. */
final class Loader {
    private Loader() {
    }

    /** Opens {@code file}; {@code given} is the input shape the caller passed (empty when none). */
    static Model open(Path file, long[] given) {
        String name = file.getFileName().toString();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        FileKind kind = FileKind.sniff(file).orElseThrow(() -> new FilterScopeException(ErrorKind.NOT_A_MODEL, name
                + ": neither a DL4J model zip nor an HDF5/Keras file (the file may be truncated); save the network with "
                + "ModelSerializer.writeModel or Keras model.save"));
        return switch (kind) {
            case DL4J_ZIP -> openDl4j(file, name, size, given);
            case KERAS_ZIP, HDF5 -> openKeras(file, name, size, given);
            case OTHER_ZIP -> throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": a zip without configuration.json and coefficients.bin, "
                    + "so not a DL4J model; save the network with ModelSerializer.writeModel");
        };
    }

    private static Model openDl4j(Path file, String name, long size, long[] given) {
        // Read first: it is cheap, and a bad shape entry is refused without loading the network.
        Optional<long[]> shape = StoredInputShape.read(file, name);
        NeuralNetwork network;
        String type;
        try (InputStream zip = RestorableZip.open(file, name)) {
            if (isGraph(file)) {
                network = ModelSerializer.restoreComputationGraph(zip, false);
                type = "ComputationGraph";
            } else {
                network = ModelSerializer.restoreMultiLayerNetwork(zip, false);
                type = "MultiLayerNetwork";
            }
        } catch (FilterScopeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": DL4J cannot read this model (" + Dl4jModel.firstLine(e.getMessage())
                    + "); save it again with ModelSerializer.writeModel", e);
        }
        return build(network, file, size, "DL4J", "deeplearning4j", type, shape, given, true);
    }

    /** Whether the zip's configuration is a graph's: graph configurations list "vertices", chains "confs". */
    private static boolean isGraph(Path file) throws IOException {
        try (var zip = new java.util.zip.ZipFile(file.toFile())) {
            var entry = zip.getEntry("configuration.json");
            try (var in = zip.getInputStream(entry)) {
                var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
                return tree.has("vertices");
            }
        } catch (ZipException e) {
            throw new IOException("not a valid zip: " + e.getMessage(), e);
        }
    }

    private static Model openKeras(Path file, String name, long size, long[] given) {
        KerasLoader.Loaded loaded = KerasLoader.forFile(file).load(file);
        return build(loaded.network(), file, size, "Keras", loaded.producer(), loaded.formatVersion(), loaded.inputShape(),
                given, true);
    }

    static Model wrap(NeuralNetwork network, String name, long[] inputShape) {
        return build(network, java.nio.file.Path.of(name), 0, "DL4J", "deeplearning4j (in memory)",
                network == null ? "" : network.getClass().getSimpleName(), Optional.empty(), inputShape, false);
    }

    private static Model build(NeuralNetwork network, Path file, long size, String format, String producer, String formatVersion,
                               Optional<long[]> fileInput, long[] given, boolean owned) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        Network net = Network.of(network, name);
        InputSpec input = InputSpec.resolve(net, name, given, fileInput);
        Runnable onClose = owned ? () -> close(network) : () -> { };
        return new Dl4jModel(net, input, file, size, format, producer, formatVersion, onClose);
    }

    /** Frees the native memory of a network this backend loaded: parameters, gradients, workspaces. */
    private static void close(NeuralNetwork network) {
        synchronized (network) {
            if (network instanceof MultiLayerNetwork m) {
                m.close();
            } else if (network instanceof ComputationGraph g) {
                g.close();
            }
        }
    }
}
