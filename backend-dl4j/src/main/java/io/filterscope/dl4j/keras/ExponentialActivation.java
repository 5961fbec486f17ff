package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras' {@code exponential} activation, {@code eˣ}, which DL4J lacks. Public with a no-argument
 * constructor because DL4J stores activations in its JSON configuration by class name.
 */
public final class ExponentialActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    /** The only form; stateless. */
    public ExponentialActivation() {
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Transforms.exp(in, false);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        return new Pair<>(epsilon.mul(Transforms.exp(in, true)), null);
    }

    @Override
    public String toString() {
        return "exponential";
    }
}
