package io.filterscope.dl4j;

import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One node of a network in execution order, the same for a {@code MultiLayerNetwork} layer and a
 * {@code ComputationGraph} vertex: where its inputs come from, and how to run it forward and back.
 * A layer step applies its input preprocessor, then the layer; other graph vertices (merge, add,
 * ...) run through DL4J's own vertex code.
 *
 * @param name    unique layer name
 * @param index   position in execution order
 * @param inputs  indices of the steps feeding it, {@link #NETWORK_INPUT} for the network input
 * @param layer   the DL4J layer, for layer steps
 * @param preprocessor the input preprocessor DL4J applies before the layer
 * @param vertex  the graph vertex, for non-layer graph steps
 */
record Step(String name, int index, List<Integer> inputs, Optional<Layer> layer,
            Optional<InputPreProcessor> preprocessor, Optional<GraphVertex> vertex) {

    static final int NETWORK_INPUT = -1;

    Step {
        inputs = List.copyOf(inputs);
    }

    /** The layer's configuration, for layer steps. */
    Optional<org.deeplearning4j.nn.conf.layers.Layer> conf() {
        return layer.map(l -> l.conf().getLayer());
    }

    /** The DL4J class name of the layer or vertex configuration: "ConvolutionLayer", "MergeVertex". */
    String op() {
        if (layer.isPresent()) {
            return conf().get().getClass().getSimpleName();
        }
        // A Keras operation DL4J lacks runs in one runtime class; its configuration says which it is.
        return vertex.map(v -> v instanceof io.filterscope.dl4j.keras.OpVertex op ? op.opName() : v.getClass().getSimpleName()).orElse("?");
    }

    /** Runs the step in inference mode; the layer keeps its input for a backward pass. */
    INDArray forward(INDArray[] in, LayerWorkspaceMgr mgr) {
        // The layer's scratch arrays (FF_WORKING_MEM) live in the manager's working-memory
        // workspace, when it has one, and are reused by the next pass instead of waiting for the
        // garbage collector to free them; the output is moved out of it (DL4J's leverageTo).
        try (MemoryWorkspace working = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            if (layer.isPresent()) {
                INDArray x = in[0];
                if (preprocessor.isPresent()) {
                    x = preprocessor.get().preProcess(x, (int) x.size(0), mgr);
                }
                // Captured outputs are kept, so no layer may overwrite its input: DL4J's ActivationLayer
                // applies its function in place at inference whatever allowInputModification says.
                layer.get().allowInputModification(false);
                if (conf().orElse(null) instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer) {
                    x = mgr.dup(ArrayType.ACTIVATIONS, x);
                }
                return layer.get().activate(x, false, mgr);
            }
            GraphVertex v = vertex.orElseThrow();
            for (int i = 0; i < in.length; i++) {
                v.setInput(i, in[i], mgr);
            }
            return v.doForward(false, mgr);
        }
    }

    /** The input the layer itself saw (after the preprocessor). Only for layer steps, after {@link #forward}. */
    INDArray layerInput(INDArray[] in, LayerWorkspaceMgr mgr) {
        INDArray x = in[0];
        return preprocessor.isPresent() ? preprocessor.get().preProcess(x, (int) x.size(0), mgr) : x;
    }

    /** Drops what the forward pass left in the layer or vertex. */
    void clear() {
        layer.ifPresent(Layer::clear);
        vertex.ifPresent(GraphVertex::clear);
    }
}
