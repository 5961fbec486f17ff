package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Layout;
import io.filterscope.tensor.Shape;
import java.util.Arrays;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * The network input: the type DL4J's shape inference wants, and the shape and layout callers feed.
 *
 * @param dl4jType the type given to {@code getLayerActivationTypes}
 * @param shape    the batch shape callers feed, batch {@link Shape#UNKNOWN}, in the network's layout
 * @param layout   NCHW or NHWC for images, UNKNOWN for a flat input
 */
record InputSpec(InputType dl4jType, Shape shape, Layout layout) {

    /** How a caller gives the input size, for messages: the API's way and the command line's. */
    static final String HOW_TO_GIVE = "OpenOptions.withInputShape(c, h, w) (on the command line --input-shape CxHxW, e.g. 1x28x28)";

    /**
     * Works the input out, first from what the caller gave ({@code OpenOptions.inputShape()} or
     * {@code wrap}'s argument), then from the file, then from the network itself. The backend reads
     * no system property: a JVM-global setting is the command line's business, which passes it on
     * through the open options.
     *
     * @param given    channels × height × width, or one feature count; empty when not given
     * @param fromFile channels × height × width as a Keras file declares it, or empty
     */
    static InputSpec resolve(Network net, String name, long[] given, Optional<long[]> fromFile) {
        if (given != null && given.length > 0) {
            return fromDims(net, given, "the given input shape " + Arrays.toString(given));
        }
        if (fromFile.isPresent()) {
            return fromDims(net, fromFile.get(), "the input shape in " + name);
        }
        Optional<FeedForwardToCnnPreProcessor> flat = net.flatImageInput();
        if (flat.isPresent()) {
            FeedForwardToCnnPreProcessor p = flat.get();
            return new InputSpec(InputType.convolutionalFlat(p.getInputHeight(), p.getInputWidth(), p.getNumChannels()),
                    Shape.of(Shape.UNKNOWN, p.getNumChannels(), p.getInputHeight(), p.getInputWidth()), Layout.NCHW);
        }
        var first = net.steps().get(0).conf();
        if (first.isPresent() && first.get() instanceof FeedForwardLayer ff && !(ff instanceof ConvolutionLayer)
                && !(ff instanceof BatchNormalization) && ff.getNIn() > 0) {
            return new InputSpec(InputType.feedForward(ff.getNIn()), Shape.of(Shape.UNKNOWN, ff.getNIn()), Layout.UNKNOWN);
        }
        String firstOp = net.steps().get(0).op();
        throw new FilterScopeException(ErrorKind.INPUT_SHAPE, name + ": the input size is not stored for a network that starts with a " + firstOp
                + "; give it with " + HOW_TO_GIVE + ", or save it with its shape: Dl4jBackend.saveInputShape(file, c, h, w)");
    }

    private static InputSpec fromDims(Network net, long[] dims, String source) {
        if (dims.length == 1) {
            return new InputSpec(InputType.feedForward(dims[0]), Shape.of(Shape.UNKNOWN, dims[0]), Layout.UNKNOWN);
        }
        if (dims.length != 3 || Arrays.stream(dims).anyMatch(d -> d <= 0)) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, source + " is not channels×height×width (e.g. 1x28x28) or one feature count");
        }
        long c = dims[0];
        long h = dims[1];
        long w = dims[2];
        CNN2DFormat format = imageFormat(net);
        if (format == CNN2DFormat.NHWC) {
            return new InputSpec(InputType.convolutional(h, w, c, format), Shape.of(Shape.UNKNOWN, h, w, c), Layout.NHWC);
        }
        return new InputSpec(InputType.convolutional(h, w, c, format), Shape.of(Shape.UNKNOWN, c, h, w), Layout.NCHW);
    }

    /** The layout of the first layer that has one: that is the layout the input must come in. */
    static CNN2DFormat imageFormat(Network net) {
        for (Step s : net.steps()) {
            Optional<CNN2DFormat> f = s.conf().flatMap(InputSpec::formatOf);
            if (f.isPresent()) {
                return f.get();
            }
        }
        return CNN2DFormat.NCHW;
    }

    static Optional<CNN2DFormat> formatOf(org.deeplearning4j.nn.conf.layers.Layer conf) {
        if (conf instanceof ConvolutionLayer c) {
            return Optional.ofNullable(c.getCnn2dDataFormat());
        }
        if (conf instanceof SubsamplingLayer s) {
            return Optional.ofNullable(s.getCnn2dDataFormat());
        }
        if (conf instanceof BatchNormalization b) {
            return Optional.ofNullable(b.getCnn2DFormat());
        }
        return Optional.empty();
    }

    /** The shape as callers read it in messages: {@code N×1×28×28}. */
    String describe() {
        StringBuilder sb = new StringBuilder("N");
        for (int i = 1; i < shape.rank(); i++) {
            sb.append('×').append(shape.dim(i));
        }
        return sb.toString();
    }
}
