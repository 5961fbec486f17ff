package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' {@code Reshape}: the per-example tensor read in C order into the target shape (NHWC data
 * is laid out as Keras lays it out, so no permutation is involved). DL4J's own ReshapeVertex reports
 * a 4-D result as NCHW, which would mislead the layers after it.
 */
public final class ReshapeOpVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    /** For DL4J's JSON deserialisation. */
    public ReshapeOpVertex() {
    }

    /** Reshapes each example to {@code outShape}. */
    public ReshapeOpVertex(int[] outShape) {
        super(outShape);
    }

    @Override
    public INDArray forward(INDArray[] in) {
        return in[0].dup('c').reshape('c', batchShape(in[0].size(0)));
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        return new INDArray[] {epsilon.dup('c').reshape('c', in[0].shape())};
    }

    @Override
    protected KerasOpVertex copy() {
        return new ReshapeOpVertex(outShape);
    }

    @Override
    protected Object[] state() {
        return new Object[0];
    }
}
