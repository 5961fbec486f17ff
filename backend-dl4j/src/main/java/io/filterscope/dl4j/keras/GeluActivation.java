package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact GELU, {@code x · Φ(x) = x/2 · (1 + erf(x/√2))}, as Keras 3's {@code gelu} activation computes
 * it (approximate=False). DL4J's GELU activations are the sigmoid and tanh approximations, which
 * differ by up to 1e-3. Public with a no-argument constructor because DL4J stores activations in its
 * JSON configuration by class name.
 */
public final class GeluActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    /** The only form; stateless. */
    public GeluActivation() {
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray cdf = phi(in);
        return in.muli(cdf);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // d/dx x·Φ(x) = Φ(x) + x·φ(x)
        INDArray pdf = Transforms.exp(in.mul(in).muli(-0.5), false).muli(INV_SQRT_2PI);
        INDArray grad = phi(in).addi(pdf.muli(in));
        return new Pair<>(epsilon.mul(grad), null);
    }

    /** Φ(x) = (1 + erf(x/√2)) / 2, into a new array. */
    private static INDArray phi(INDArray in) {
        INDArray scaled = in.mul(INV_SQRT2);
        Nd4j.getExecutioner().exec(new Erf(scaled, scaled));
        return scaled.addi(1.0).muli(0.5);
    }

    @Override
    public String toString() {
        return "gelu_exact";
    }
}
