package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An activation that leaves its input alone. At inference DL4J's {@code ActivationLayer} hands its
 * input array straight to the activation, which overwrites it; in a graph that corrupts every other
 * consumer of that input (a Keras model may branch several activations off one tensor) and the
 * previous layer's recorded output (the logits before a split softmax). Copying first costs one array
 * per activation layer. Public with a no-argument constructor because DL4J stores activations in its
 * JSON configuration by class name.
 */
public final class PreservingActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    private IActivation activation;

    /** For DL4J's JSON deserialisation. */
    public PreservingActivation() {
    }

    /** Applies {@code activation} to a copy of the input. */
    public PreservingActivation(IActivation activation) {
        this.activation = activation;
    }

    /** The wrapped activation. */
    public IActivation activation() {
        return activation;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return activation.getActivation(copyBeside(in), training);
    }

    /** A copy in the workspace that holds {@code in}, where DL4J expects the layer's output. */
    static INDArray copyBeside(INDArray in) {
        if (!in.isAttached()) {
            try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return in.dup();
            }
        }
        MemoryWorkspace home = in.data().getParentWorkspace();
        if (Nd4j.getMemoryManager().getCurrentWorkspace() == home) {
            return in.dup();
        }
        try (MemoryWorkspace borrowed = home.notifyScopeBorrowed()) {
            return in.dup();
        }
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        // In training the layer passes its own copy of the input, which the activation may overwrite.
        return activation.backprop(in, epsilon);
    }

    @Override
    public String toString() {
        return activation.toString();
    }
}
