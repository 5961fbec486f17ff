package io.filterscope.dl4j.keras;

import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax that leaves its input (the logits) alone; see {@link PreservingActivation} for why. A
 * subclass rather than a wrapper so that code asking {@code instanceof ActivationSoftmax} (to
 * differentiate the logit rather than the probability) still recognises it. Public with a
 * no-argument constructor because DL4J stores activations in its JSON configuration by class name.
 */
public class PreservingSoftmax extends ActivationSoftmax {
    private static final long serialVersionUID = 1L;

    /** The only form; stateless. */
    public PreservingSoftmax() {
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return super.getActivation(PreservingActivation.copyBeside(in), training);
    }

    @Override
    public String toString() {
        return "softmax";
    }
}
