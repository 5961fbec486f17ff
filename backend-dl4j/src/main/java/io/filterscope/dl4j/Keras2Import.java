package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.keras.Hdf5Reader;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;

/**
 * Keras 1/2 HDF5 files through DL4J's Keras import: Sequential as a chain, functional as a graph.
 * That import reads the file with the native HDF5 library, which a damaged file can crash or hang
 * (docs/fuzzing.md), so the file is first read through in Java ({@link Hdf5Reader#checkAll()}:
 * every group, attribute and dataset, sizes bounded) and only a file that passes reaches it.
 */
final class Keras2Import {

    KerasLoader.Loaded load(Path file, KerasConfig config) {
        String name = file.getFileName().toString();
        try (Hdf5Reader h5 = Hdf5Reader.open(file, Path.of(name))) {
            h5.checkAll();
        }
        NeuralNetwork network;
        try {
            quietNativeHdf5();
            // Training configuration (loss, optimizer) is not needed to look at a model: don't enforce it.
            network = config.modelClass().equals("Sequential")
                    ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false)
                    : KerasModelImport.importKerasModelAndWeights(file.toString(), false);
        } catch (Exception e) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": DL4J's Keras import cannot read this " + config.producer() + " model ("
                    + Dl4jModel.firstLine(e.getMessage()) + "); convert it to ONNX (tf2onnx) and open that instead", e);
        }
        return new KerasLoader.Loaded(network, config.producer(), "HDF5", config.inputShape());
    }

    /**
     * Turns the HDF5 library's automatic error printing off: it would write its diagnostic stack to
     * stderr before the one-line message. The setting is per thread, so it is made each time.
     */
    private static void quietNativeHdf5() {
        try {
            org.bytedeco.hdf5.Exception.dontPrint();
        } catch (RuntimeException | LinkageError e) {
            // Only the console noise is at stake.
        }
    }
}
