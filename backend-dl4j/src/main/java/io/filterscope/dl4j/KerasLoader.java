package io.filterscope.dl4j;

import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.nn.api.NeuralNetwork;

/**
 * Reads a Keras file into a DL4J network. Keras 1/2 files go through DL4J's own Keras import (from
 * the config and weights read in Java, never its native HDF5 reading);
 * Keras 3 files through FilterScope's own {@code io.filterscope.dl4j.keras.Keras3Reader}.
 */
interface KerasLoader {

    /**
     * A loaded Keras model.
     *
     * @param network       the DL4J network
     * @param producer      e.g. "keras 2.2.4"
     * @param formatVersion e.g. "HDF5" or ".keras"
     * @param inputShape    channels × height × width (or one feature count) as the file declares it
     */
    record Loaded(NeuralNetwork network, String producer, String formatVersion, Optional<long[]> inputShape) {
    }

    Loaded load(Path file);

    /** The loader for this file: Keras 3 when the file is Keras 3, else DL4J's Keras 1/2 import. */
    static KerasLoader forFile(Path file) {
        KerasConfig config = KerasConfig.read(file);
        if (config.isKeras3()) {
            return f -> Keras3Import.load(f, config);
        }
        return f -> new Keras2Import().load(f, config);
    }
}
