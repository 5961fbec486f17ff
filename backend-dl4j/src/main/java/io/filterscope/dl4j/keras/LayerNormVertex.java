package io.filterscope.dl4j.keras;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras' {@code LayerNormalization} over the last axis: {@code (x − μ) / √(σ² + ε) · γ + β}, μ and
 * σ² per position over the channels (biased variance, as Keras' {@code ops.moments}).
 */
public final class LayerNormVertex extends KerasOpVertex {
    private static final long serialVersionUID = 1L;

    private double[] gamma;
    private double[] beta;
    private double epsilon;

    /** For DL4J's JSON deserialisation. */
    public LayerNormVertex() {
    }

    /** γ and β per channel (ones and zeros where Keras has scale/center off). */
    public LayerNormVertex(int[] outShape, double[] gamma, double[] beta, double epsilon) {
        super(outShape);
        this.gamma = gamma.clone();
        this.beta = beta.clone();
        this.epsilon = epsilon;
    }

    @Override
    public INDArray forward(INDArray[] in) {
        INDArray x = in[0];
        INDArray xhat = normalised(x);
        return xhat.muli(ChannelAffineVertex.row(gamma, x)).addi(ChannelAffineVertex.row(beta, x));
    }

    private INDArray normalised(INDArray x) {
        int last = x.rank() - 1;
        INDArray centred = x.sub(x.mean(true, last).broadcast(x.shape()));
        INDArray var = centred.mul(centred).mean(true, last);
        return centred.divi(Transforms.sqrt(var.addi(epsilon), false).broadcast(x.shape()));
    }

    @Override
    public INDArray[] backward(INDArray[] in, INDArray eps) {
        // dx = (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)) / √(σ² + ε), dx̂ = ε · γ, means over the channels.
        INDArray x = in[0];
        int last = x.rank() - 1;
        INDArray centred = x.sub(x.mean(true, last).broadcast(x.shape()));
        INDArray invStd = Transforms.pow(centred.mul(centred).mean(true, last).addi(epsilon), -0.5, false).broadcast(x.shape());
        INDArray xhat = centred.mul(invStd);
        INDArray dxhat = eps.mul(ChannelAffineVertex.row(gamma, x));
        INDArray meanD = dxhat.mean(true, last).broadcast(x.shape());
        INDArray meanDx = dxhat.mul(xhat).mean(true, last).broadcast(x.shape());
        return new INDArray[] {dxhat.sub(meanD).subi(xhat.muli(meanDx)).muli(invStd)};
    }

    @Override
    protected KerasOpVertex copy() {
        return new LayerNormVertex(outShape, gamma, beta, epsilon);
    }

    @Override
    protected Object[] state() {
        return new Object[] {gamma, beta, epsilon};
    }
}
