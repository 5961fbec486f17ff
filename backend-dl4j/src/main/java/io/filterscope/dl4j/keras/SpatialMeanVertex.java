package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras' {@code GlobalAveragePooling2D(keepdims=True)}: the mean over height and width, kept as a 1×1 image. */
public final class SpatialMeanVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    /** For DL4J's JSON deserialisation. */
    public SpatialMeanVertex() {
    }

    /** Output {@code [1, 1, channels]} per example. */
    public SpatialMeanVertex(int channels) {
        super(new int[] {1, 1, channels});
    }

    @Override
    public INDArray forward(INDArray[] in) {
        return in[0].mean(true, 1, 2);
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray epsilon) {
        long area = in[0].size(1) * in[0].size(2);
        return new INDArray[] {epsilon.broadcast(in[0].shape()).divi(area)};
    }

    @Override
    protected KerasOpVertex copy() {
        return new SpatialMeanVertex(outShape[2]);
    }

    @Override
    protected Object[] state() {
        return new Object[0];
    }
}
