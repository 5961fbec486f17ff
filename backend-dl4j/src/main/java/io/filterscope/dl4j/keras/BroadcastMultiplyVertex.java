package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code Multiply} (and {@code a * b} between tensors): the element-wise product of two
 * tensors that broadcast, as in squeeze-and-excitation, where an image {@code [h, w, c]} is scaled by
 * per-channel weights {@code [1, 1, c]}.
 */
public final class BroadcastMultiplyVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    /** For DL4J's JSON deserialisation. */
    public BroadcastMultiplyVertex() {
    }

    /** The product has {@code outShape} per example. */
    public BroadcastMultiplyVertex(int[] outShape) {
        super(outShape);
    }

    @Override
    protected int arity() {
        return 2;
    }

    @Override
    public INDArray forward(INDArray[] in) {
        long[] shape = batchShape(in[0].size(0));
        return expand(in[0], shape).mul(expand(in[1], shape));
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        long[] shape = epsilon.shape();
        // d(a·b)/da = b, summed over the axes along which a was broadcast.
        INDArray da = reduceTo(epsilon.mul(expand(in[1], shape)), in[0].shape());
        INDArray db = reduceTo(epsilon.mul(expand(in[0], shape)), in[1].shape());
        return new INDArray[] {da, db};
    }

    static INDArray expand(INDArray x, long[] shape) {
        return java.util.Arrays.equals(x.shape(), shape) ? x : x.broadcast(shape);
    }

    /** Sums {@code g} over the axes where {@code shape} is 1 and {@code g} is not (keeping them). */
    static INDArray reduceTo(INDArray g, long[] shape) {
        INDArray out = g;
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 1 && out.size(a) != 1) {
                out = out.sum(true, a);
            }
        }
        return out;
    }

    @Override
    protected KerasOpVertex copy() {
        return new BroadcastMultiplyVertex(outShape);
    }

    @Override
    protected Object[] state() {
        return new Object[0];
    }
}
