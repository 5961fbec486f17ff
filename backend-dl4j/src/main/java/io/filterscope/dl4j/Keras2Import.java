package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;

/** Keras 1/2 HDF5 files through DL4J's Keras import: Sequential as a chain, functional as a graph. */
final class Keras2Import {

    KerasLoader.Loaded load(Path file, KerasConfig config) {
        String name = file.getFileName().toString();
        NeuralNetwork network;
        try {
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
}
