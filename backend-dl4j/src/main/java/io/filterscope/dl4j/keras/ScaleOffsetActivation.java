package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code x * scale + offset}: Keras' {@code Rescaling} layer, which DL4J lacks, as the activation of
 * an {@code ActivationLayer}. Its gradient ({@code scale}) is exact, so gradients with respect to the
 * input (Grad-CAM, saliency) flow through it. Public with a no-argument constructor because DL4J
 * stores activations in its JSON configuration by class name.
 */
public final class ScaleOffsetActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    private double scale = 1;
    private double offset;

    /** For DL4J's JSON deserialisation. */
    public ScaleOffsetActivation() {
    }

    /** {@code x * scale + offset}. */
    public ScaleOffsetActivation(double scale, double offset) {
        this.scale = scale;
        this.offset = offset;
    }

    /** The factor, Keras' {@code scale}. */
    public double scale() {
        return scale;
    }

    /** The term added after scaling, Keras' {@code offset}. */
    public double offset() {
        return offset;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return in.muli(scale).addi(offset);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        return new Pair<>(epsilon.mul(scale), null);
    }

    @Override
    public String toString() {
        return "scaleoffset(" + scale + ", " + offset + ")";
    }
}
