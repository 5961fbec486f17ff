package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras 3's {@code hard_silu} (alias {@code hard_swish}): {@code x · relu6(x + 3) / 6}, MobileNetV3's
 * activation. DL4J has none. Public with a no-argument constructor because DL4J stores activations in
 * its JSON configuration by class name.
 */
public final class HardSwishActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    /** The only form; stateless. */
    public HardSwishActivation() {
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray gate = Transforms.min(Transforms.max(in.add(3.0), 0.0, false), 6.0, false).divi(6.0);
        return in.muli(gate);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // 0 below -3, 1 above 3, (2x + 3) / 6 between
        INDArray inside = in.gt(-3.0).castTo(in.dataType()).muli(in.lt(3.0).castTo(in.dataType()));
        INDArray above = in.gte(3.0).castTo(in.dataType());
        INDArray grad = in.mul(2.0).addi(3.0).divi(6.0).muli(inside).addi(above);
        return new Pair<>(epsilon.mul(grad), null);
    }

    @Override
    public String toString() {
        return "hard_silu";
    }
}
