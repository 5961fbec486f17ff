package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras 3's {@code hard_sigmoid}: {@code relu6(x + 3) / 6}. DL4J's {@code HARDSIGMOID} is Keras 2's
 * {@code clip(0.2 x + 0.5, 0, 1)}, a different curve, hence this class. Public with a no-argument
 * constructor because DL4J stores activations in its JSON configuration by class name.
 */
public final class HardSigmoidActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    /** The only form; stateless. */
    public HardSigmoidActivation() {
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        in.addi(3.0);
        return Transforms.min(Transforms.max(in, 0.0, false), 6.0, false).divi(6.0);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // slope 1/6 strictly inside (-3, 3), 0 outside
        INDArray inside = in.gt(-3.0).castTo(in.dataType()).muli(in.lt(3.0).castTo(in.dataType()));
        return new Pair<>(epsilon.mul(inside).muli(1.0 / 6.0), null);
    }

    @Override
    public String toString() {
        return "hardsigmoid_keras3";
    }
}
