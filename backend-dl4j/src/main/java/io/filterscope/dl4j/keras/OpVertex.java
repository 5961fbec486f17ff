package io.filterscope.dl4j.keras;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime vertex of a {@link KerasOpVertex}: DL4J's vertex protocol around its forward/backward.
 * Public so that the backend can name the operation ({@link #opName()}) where it lists layers.
 */
public final class OpVertex extends BaseGraphVertex {
    private final KerasOpVertex op;

    OpVertex(ComputationGraph graph, String name, int index, KerasOpVertex op, DataType dataType) {
        super(graph, name, index, (VertexIndices[]) null, (VertexIndices[]) null, dataType);
        this.op = op;
    }

    /** The operation's configuration class, e.g. {@code LayerNormVertex}. */
    public String opName() {
        return op.getClass().getSimpleName();
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("vertex " + vertexName + ": inputs not set");
        }
        // Computed in the activations workspace, where DL4J expects a vertex's output.
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return op.forward(inputs);
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("vertex " + vertexName + ": epsilon or inputs not set");
        }
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(new DefaultGradient(), op.backward(inputs, epsilon));
        }
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException("vertex " + vertexName + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "OpVertex(" + vertexName + ", " + op.getClass().getSimpleName() + ")";
    }
}
