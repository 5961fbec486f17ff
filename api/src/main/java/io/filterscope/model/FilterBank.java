package io.filterscope.model;

import com.google.common.base.Preconditions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The weights of one convolution-like layer, always as {@code out × in/groups × kH × kW} whatever the
 * backend stores (a transposed convolution's weights are presented the same way: one filter per
 * output channel).
 *
 * @param layer     the layer's name
 * @param weights   out × in/groups × kH × kW
 * @param bias      one value per output channel, when the layer has one
 * @param stride    stride per spatial axis (h, w)
 * @param padding   padding begin/end per spatial axis (top, left, bottom, right), ONNX order
 * @param dilation  dilation per spatial axis
 * @param groups    number of groups (1 for a plain conv, in for depthwise)
 * @param transposed whether the layer is a transposed convolution
 * @param weightTensor the name the model file gives the weights: in ONNX the node's weight input
 *                   (the initializer's name when the weights are stored plainly; the output of the
 *                   DequantizeLinear, Identity or Constant node when they pass through one), in DL4J
 *                   the layer's parameter key ("W"; "W+pW" for a separable convolution, whose filters
 *                   compose both); empty when the backend has none
 */
public record FilterBank(
        String layer,
        Tensor weights,
        Optional<Tensor> bias,
        int[] stride,
        int[] padding,
        int[] dilation,
        int groups,
        boolean transposed,
        String weightTensor) {

    /** A bank whose weights have no name of their own in the model file. */
    public FilterBank(String layer, Tensor weights, Optional<Tensor> bias, int[] stride, int[] padding, int[] dilation,
                      int groups, boolean transposed) {
        this(layer, weights, bias, stride, padding, dilation, groups, transposed, "");
    }

    public FilterBank {
        Preconditions.checkArgument(weights.shape().rank() == 4,
                "filter weights of %s must be out×in×kH×kW, got %s", layer, weights.shape());
        bias.ifPresent(b -> Preconditions.checkArgument(b.size() == weights.shape().dim(0),
                "bias of %s has %s values for %s filters", layer, b.size(), weights.shape().dim(0)));
        Preconditions.checkNotNull(weightTensor, "weightTensor");
        stride = stride.clone();
        padding = padding.clone();
        dilation = dilation.clone();
    }

    public int outChannels() {
        return (int) weights.shape().dim(0);
    }

    /** Input channels seen by one filter (in/groups): the depth of a filter. */
    public int inChannelsPerGroup() {
        return (int) weights.shape().dim(1);
    }

    public int kernelHeight() {
        return (int) weights.shape().dim(2);
    }

    public int kernelWidth() {
        return (int) weights.shape().dim(3);
    }

    public Shape shape() {
        return weights.shape();
    }

    /** One filter, {@code in/groups × kH × kW}. */
    public Tensor filter(int out) {
        return weights.slice(out);
    }

    @Override
    public int[] stride() {
        return stride.clone();
    }

    @Override
    public int[] padding() {
        return padding.clone();
    }

    @Override
    public int[] dilation() {
        return dilation.clone();
    }

    /** Equal layer names, weights and bias values ({@link Tensor#equals}), and equal geometry. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FilterBank f && f.layer.equals(layer) && f.weights.equals(weights) && f.bias.equals(bias)
                && Arrays.equals(f.stride, stride) && Arrays.equals(f.padding, padding) && Arrays.equals(f.dilation, dilation)
                && f.groups == groups && f.transposed == transposed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, weights, bias, Arrays.hashCode(stride), Arrays.hashCode(padding), Arrays.hashCode(dilation),
                groups, transposed);
    }

    @Override
    public String toString() {
        return "FilterBank[" + layer + " " + weights.shape() + " stride=" + Arrays.toString(stride)
                + " pad=" + Arrays.toString(padding) + " dil=" + Arrays.toString(dilation) + " groups=" + groups + "]";
    }
}
