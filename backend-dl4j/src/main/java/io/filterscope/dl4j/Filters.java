package io.filterscope.dl4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerKind;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads DL4J convolution parameters as {@link FilterBank}s, out × in/groups × kH × kW whatever the
 * layer stores (checked against DL4J's own outputs by the tests):
 * <ul>
 * <li>{@code ConvolutionLayer} "W" is out × in × kH × kW already (in either data format);
 * <li>{@code DepthwiseConvolution2D} "W" is kH × kW × in × multiplier; output channel
 *     {@code c·multiplier + m} is input channel c's m-th filter, so groups = in;
 * <li>{@code SeparableConvolution2D} holds a depthwise "W" (multiplier × in × kH × kW) and a pointwise
 *     "pW" (out × in·multiplier × 1 × 1); both are linear, so the layer is shown as the one full
 *     convolution they make together: filter o = Σₘ pW[o, c·multiplier + m] · W[m, c];
 * <li>{@code Deconvolution2D} "W" is in × out × kH × kW; it is shown one filter per output channel.
 * </ul>
 */
final class Filters {
    private Filters() {
    }

    static LayerKind kindOf(org.deeplearning4j.nn.conf.layers.Layer conf) {
        if (conf instanceof Convolution1DLayer || conf instanceof Convolution3D) {
            return LayerKind.OTHER;
        }
        if (conf instanceof Deconvolution2D) {
            return LayerKind.TRANSPOSED_CONV;
        }
        if (conf instanceof DepthwiseConvolution2D) {
            return LayerKind.GROUPED_CONV;
        }
        if (conf instanceof ConvolutionLayer) {
            return LayerKind.CONV;
        }
        if (conf instanceof SubsamplingLayer || conf instanceof GlobalPoolingLayer || conf instanceof Subsampling1DLayer) {
            return conf instanceof Subsampling1DLayer ? LayerKind.OTHER : LayerKind.POOLING;
        }
        if (conf instanceof BatchNormalization || conf instanceof LocalResponseNormalization) {
            return LayerKind.NORMALIZATION;
        }
        if (conf instanceof ActivationLayer) {
            return LayerKind.ACTIVATION;
        }
        if (conf instanceof DenseLayer || conf instanceof OutputLayer) {
            return LayerKind.DENSE;
        }
        return LayerKind.OTHER;
    }

    /** The filter shape without copying weights. */
    static Shape shapeOf(ConvolutionLayer conf, Layer layer) {
        long[] w = layer.getParam("W").shape();
        if (conf instanceof DepthwiseConvolution2D) {
            return Shape.of(w[2] * w[3], 1, w[0], w[1]);
        }
        if (conf instanceof SeparableConvolution2D) {
            long[] p = layer.getParam("pW").shape();
            return Shape.of(p[0], w[1], w[2], w[3]);
        }
        if (conf instanceof Deconvolution2D) {
            return Shape.of(w[1], w[0], w[2], w[3]);
        }
        return Shape.of(w);
    }

    /**
     * The layer's filters as they are now.
     *
     * @param input the type of the layer's input, for the padding "Same" mode works out
     */
    static FilterBank read(String name, ConvolutionLayer conf, Layer layer, InputType input) {
        INDArray w = layer.getParam("W");
        INDArray weights;
        int groups = 1;
        if (conf instanceof DepthwiseConvolution2D) {
            long[] s = w.shape();
            groups = (int) s[2];
            weights = w.permute(2, 3, 0, 1).dup('c').reshape('c', s[2] * s[3], 1, s[0], s[1]);
        } else if (conf instanceof SeparableConvolution2D) {
            INDArray pw = layer.getParam("pW");
            long[] d = w.shape();
            long mult = d[0];
            long in = d[1];
            long out = pw.size(0);
            // pW[o, c·mult + m] as out × in × mult, W as mult × in × (kH·kW): per input channel c,
            // (out × mult)·(mult × kH·kW) is that channel's slice of every composed filter.
            INDArray p = pw.reshape('c', out, in, mult);
            INDArray dw = w.reshape('c', mult, in, d[2] * d[3]);
            weights = Nd4j.create(w.dataType(), out, in, d[2] * d[3]);
            for (long c = 0; c < in; c++) {
                INDArray pc = p.get(all(), point(c), all());   // out × mult
                INDArray dc = dw.get(all(), point(c), all());  // mult × (kH·kW)
                weights.get(all(), point(c), all()).assign(pc.mmul(dc));
            }
            weights = weights.reshape('c', out, in, d[2], d[3]);
        } else if (conf instanceof Deconvolution2D) {
            weights = w.permute(1, 0, 2, 3);
        } else {
            weights = w;
        }
        Optional<Tensor> bias = conf.hasBias() && layer.getParam("b") != null
                ? Optional.of(toTensor(layer.getParam("b"), Shape.of(layer.getParam("b").length()))) : Optional.empty();
        Tensor wt = toTensor(weights, Shape.of(weights.shape()));
        int[] stride = conf.getStride().clone();
        int[] dilation = conf.getDilation().clone();
        int[] padding = padding(conf, input, wt.shape(), stride, dilation);
        return new FilterBank(name, wt, bias, stride, padding, dilation, groups, conf instanceof Deconvolution2D,
                conf instanceof SeparableConvolution2D ? "W+pW" : "W");
    }

    /** Padding as (top, left, bottom, right); "Same" mode pads like TensorFlow, the extra pixel at the end. */
    private static int[] padding(ConvolutionLayer conf, InputType input, Shape filter, int[] stride, int[] dilation) {
        int[] p = conf.getPadding();
        if (conf.getConvolutionMode() != ConvolutionMode.Same || !(input instanceof InputType.InputTypeConvolutional in)) {
            return new int[] {p[0], p[1], p[0], p[1]};
        }
        long[] size = {in.getHeight(), in.getWidth()};
        int[] out = new int[4];
        for (int axis = 0; axis < 2; axis++) {
            long k = (filter.dim(2 + axis) - 1) * dilation[axis] + 1;
            long total;
            if (conf instanceof Deconvolution2D) {
                total = Math.max((size[axis] - 1) * stride[axis] + k - size[axis] * stride[axis], 0);
            } else {
                long o = (size[axis] + stride[axis] - 1) / stride[axis];
                total = Math.max((o - 1) * stride[axis] + k - size[axis], 0);
            }
            out[axis] = (int) (total / 2);
            out[axis + 2] = (int) (total - total / 2);
        }
        return out;
    }

    /** A copy of {@code a} as a float tensor of {@code shape}. */
    static Tensor toTensor(INDArray a, Shape shape) {
        INDArray f = a.castTo(DataType.FLOAT);
        INDArray c = f.dup('c');
        try {
            return Tensor.wrap(shape, c.data().asFloat());
        } finally {
            // The copies' native memory goes now rather than at the next garbage collection.
            Arrays4Release.close(c);
            if (f != a) {
                Arrays4Release.close(f);
            }
        }
    }
}
