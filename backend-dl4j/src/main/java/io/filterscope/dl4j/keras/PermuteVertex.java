package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras' {@code Permute}: reorders the axes of each example ({@code dims} 1-based, batch excluded, as Keras writes them). */
public final class PermuteVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    private int[] dims;

    /** For DL4J's JSON deserialisation. */
    public PermuteVertex() {
    }

    /** Output axis i is input axis {@code dims[i]} (1-based, batch excluded). */
    public PermuteVertex(int[] outShape, int[] dims) {
        super(outShape);
        this.dims = dims.clone();
    }

    @Override
    public INDArray forward(INDArray[] in) {
        int[] order = new int[dims.length + 1];
        for (int i = 0; i < dims.length; i++) {
            order[i + 1] = dims[i];
        }
        return in[0].permute(order).dup('c');
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        int[] inverse = new int[dims.length + 1];
        for (int i = 0; i < dims.length; i++) {
            inverse[dims[i]] = i + 1;
        }
        return new INDArray[] {epsilon.permute(inverse).dup('c')};
    }

    @Override
    protected KerasOpVertex copy() {
        return new PermuteVertex(outShape, dims);
    }

    @Override
    protected Object[] state() {
        return new Object[] {dims};
    }
}
