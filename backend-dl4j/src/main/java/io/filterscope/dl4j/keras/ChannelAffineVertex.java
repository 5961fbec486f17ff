package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code x · scale[c] + offset[c]} along the last (channel) axis: Keras' {@code Normalization}
 * ({@code (x − mean) / max(√var, ε)}), {@code LayerScale} ({@code x · γ}) and per-channel
 * {@code Rescaling}, each folded into one scale and offset per channel by the reader.
 */
public final class ChannelAffineVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    private double[] scale;
    private double[] offset;

    /** For DL4J's JSON deserialisation. */
    public ChannelAffineVertex() {
    }

    /** Per-channel {@code scale} and {@code offset} (same length, the last axis of {@code outShape}). */
    public ChannelAffineVertex(int[] outShape, double[] scale, double[] offset) {
        super(outShape);
        this.scale = scale.clone();
        this.offset = offset.clone();
    }

    @Override
    public INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        return x.mul(row(scale, x)).addi(row(offset, x));
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[] {epsilon.mul(row(scale, epsilon))};
    }

    /** The values as an array broadcast along the last axis of {@code like}. */
    static INDArray row(double[] values, INDArray like) {
        long[] shape = new long[like.rank()];
        java.util.Arrays.fill(shape, 1);
        shape[shape.length - 1] = values.length;
        return Nd4j.create(values, shape, like.dataType()).broadcast(like.shape());
    }

    @Override
    protected KerasOpVertex copy() {
        return new ChannelAffineVertex(outShape, scale, offset);
    }

    @Override
    protected Object[] state() {
        return new Object[] {scale, offset};
    }
}
