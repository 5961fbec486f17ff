package io.filterscope.dl4j;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.keras.DeclaredParameters;
import io.filterscope.dl4j.keras.Hdf5Reader;
import java.nio.file.Path;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;

/**
 * Keras 1/2 HDF5 files through DL4J's Keras import, Sequential as a chain and functional as a graph,
 * without DL4J's native HDF5 reading: the file is read in Java ({@link Hdf5Reader}: config,
 * version and backend attributes, the weights), DL4J builds the layers from the JSON config alone
 * ({@link KerasModelBuilder#modelJson}) and the weights are set on them ({@link Keras2Weights}).
 * The native HDF5 library, which damaged files crashed and hung (docs/fuzzing.md) and whose JavaCPP
 * objects are freed on a garbage-collector thread, never sees a Keras file; it is not on the class path.
 */
final class Keras2Import {

    KerasLoader.Loaded load(Path file, KerasConfig config) {
        String name = file.getFileName().toString();
        try (Hdf5Reader h5 = Hdf5Reader.open(file, Path.of(name))) {
            if (!h5.isGroup(Keras2Weights.ROOT)) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": holds a Keras model config but no " + Keras2Weights.ROOT
                        + " group (saved without its weights?); save the whole model again with model.save");
            }
            String backend = h5.hasAttribute("backend") ? h5.readAttributeAsString("backend") : null;
            NeuralNetwork network;
            try {
                // Training configuration (loss, optimizer) is not needed to look at a model: don't enforce it.
                KerasModelBuilder builder = new KerasModel().modelBuilder().modelJson(modelJson(config, backend)).enforceTrainingConfig(false);
                boolean sequential = config.modelClass().equals("Sequential");
                KerasModel model = sequential ? builder.buildSequential() : builder.buildModel();
                new Keras2Weights(h5, model.getKerasMajorVersion(), model.getKerasBackend()).importInto(model.getLayers());
                // Before the network is initialised, which allocates what the configuration declares.
                long held = DeclaredParameters.held(model.getLayers().values().stream().map(KerasLayer::getWeights).filter(java.util.Objects::nonNull).toList());
                DeclaredParameters.check(name, sequential ? DeclaredParameters.of(((KerasSequentialModel) model).getMultiLayerConfiguration())
                        : DeclaredParameters.of(model.getComputationGraphConfiguration()), held);
                network = sequential ? ((KerasSequentialModel) model).getMultiLayerNetwork() : model.getComputationGraph();
            } catch (FilterScopeException e) {
                throw e;
            } catch (Exception e) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": DL4J's Keras import cannot read this " + config.producer() + " model ("
                        + Dl4jModel.firstLine(e.getMessage()) + "); convert it to ONNX (tf2onnx) and open that instead", e);
            }
            return new KerasLoader.Loaded(network, config.producer(), "HDF5", config.inputShape());
        }
    }

    /**
     * The model config as DL4J's own HDF5 import hands it on: the {@code model_config} attribute with
     * the file's {@code keras_version} and (Keras 2) {@code backend} attributes added, which DL4J
     * reads the major version and the backend from.
     */
    private static String modelJson(KerasConfig config, String backend) throws InvalidKerasConfigurationException {
        if (!(config.config() instanceof ObjectNode object)) {
            throw new InvalidKerasConfigurationException("model_config is not a JSON object");
        }
        ObjectNode json = object.deepCopy();
        if (!config.kerasVersion().isEmpty()) {
            json.put("keras_version", config.kerasVersion());
        }
        if (backend != null && config.kerasVersion().startsWith("2")) {
            json.put("backend", backend);
        }
        return json.toString();
    }
}
