package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Inception-ResNet-v2's {@code CustomScaleLayer}: {@code a + b · scale}, the residual scaled before it is added. */
public final class ScaledSumVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    private double scale;

    /** For DL4J's JSON deserialisation. */
    public ScaledSumVertex() {
    }

    /** {@code a + b · scale}, both inputs of {@code outShape}. */
    public ScaledSumVertex(int[] outShape, double scale) {
        super(outShape);
        this.scale = scale;
    }

    @Override
    protected int arity() {
        return 2;
    }

    @Override
    public INDArray forward(INDArray[] in) {
        return in[1].mul(scale).addi(in[0]);
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[] {epsilon.dup(), epsilon.mul(scale)};
    }

    @Override
    protected KerasOpVertex copy() {
        return new ScaledSumVertex(outShape, scale);
    }

    @Override
    protected Object[] state() {
        return new Object[] {scale};
    }
}
