package io.filterscope.dl4j.keras;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Reads Keras 3 models, which DL4J's own Keras import (Keras 1 and 2 only) refuses, into a DL4J
 * {@link ComputationGraph}. Both Keras 3 forms are read: the {@code .keras} zip ({@code config.json}
 * + {@code model.weights.h5}) and the legacy HDF5 file ({@code model_config} attribute +
 * {@code model_weights/}). Sequential and Functional models are supported.
 *
 * <p>The graph has one vertex per Keras layer, named as the layer, and its inputs are the Keras
 * input layers; image tensors are NHWC (batch, height, width, channels) as in Keras. A Dense layer
 * with a softmax activation is split: the vertex named as the layer holds the logits, the vertex
 * {@code <name>}{@value #SOFTMAX_SUFFIX} the probabilities (and is the graph output when the layer is).
 */
public final class Keras3Reader {
    /** Suffix of the vertex that applies a Dense layer's softmax after its logits vertex. */
    public static final String SOFTMAX_SUFFIX = "_softmax";

    private Keras3Reader() {
    }

    /** True when the file is a Keras 3 `.keras` zip or an HDF5 file whose keras_version is 3.x (cheap check). */
    public static boolean isKeras3(Path file) {
        return KerasFile.isKeras3(file);
    }

    /**
     * Builds the network with the file's weights; FilterScopeException naming the file and, for an
     * unsupported layer, the layer's class and name.
     */
    public static ComputationGraph read(Path file) {
        try (KerasFile keras = KerasFile.open(file)) {
            return GraphAssembler.assemble(keras);
        } catch (FilterScopeException e) {
            throw e;
        } catch (RuntimeException e) {
            // A config this reader did not foresee: still one line naming the file.
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": cannot read this Keras 3 model (" + e.getClass().getSimpleName() + ": " + Messages.cause(e) + "); report this with the file", e);
        }
    }
}
