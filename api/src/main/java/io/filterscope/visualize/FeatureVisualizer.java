package io.filterscope.visualize;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.Progress;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Feature visualisation by optimisation: the image that excites a layer's channel (its mean
 * activation) or a class (its logit) most, found by gradient ascent on the input, as Lucid and
 * Lucent do. Written against {@link Model#gradients}, so every backend that reports
 * {@link Capability#GRADIENTS} has it.
 *
 * <p>Each step makes the image from the variables ({@link VisualizeRequest.Parameterization}), places
 * it with a random shift, scale and rotation ({@link VisualizeRequest.Transforms}) on the model's
 * input grid, normalises it as the model's preprocessing does, and asks the backend for the target's
 * gradient with respect to the input; the chain rule takes that back through each stage to the
 * variables, which Adam moves uphill. Everything random comes from the request's seed.
 *
 * <p>Holds nothing but the model (which its owner closes), so one visualizer may serve several
 * threads as the model does.
 *
 * <pre>{@code
 * try (Model model = FilterScope.open(Path.of("resnet18.onnx"))) {
 *     Visualization v = new FeatureVisualizer(model).visualize(VisualizeRequest.channel("/layer3/layer3.1/relu_1/Relu", 7));
 *     Png.write(v.picture(), Path.of("channel7.png"));
 * }
 * }</pre>
 */
public final class FeatureVisualizer {
    /** The image side for a model whose input size is free. */
    public static final int DEFAULT_FREE_SIZE = 224;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final Model model;
    private final Optional<Preprocessing> preprocessing;

    /** A visualizer with the preprocessing the model's input suggests ({@link Preprocessing#forModel}). */
    public FeatureVisualizer(Model model) {
        this.model = model;
        this.preprocessing = Optional.empty();
    }

    /** A visualizer that normalises images as {@code preprocessing} says (its size is not used). */
    public FeatureVisualizer(Model model, Preprocessing preprocessing) {
        this.model = model;
        this.preprocessing = Optional.of(preprocessing);
    }

    /** Optimises without progress reports. */
    public Visualization visualize(VisualizeRequest request) {
        return visualize(request, Progress.NONE);
    }

    /**
     * Optimises the image for the request's target.
     *
     * @param progress hears each step ({@code update(step, steps)}) and may cancel between steps
     * @throws FilterScopeException of kind {@link ErrorKind#UNSUPPORTED} for a model without gradients
     *         or without an image input; {@link ErrorKind#UNKNOWN_LAYER} for a layer the model lacks;
     *         {@link ErrorKind#INVALID_ARGUMENT} for a channel or class out of range
     * @throws java.util.concurrent.CancellationException when {@code progress} cancels or the thread is interrupted
     */
    public Visualization visualize(VisualizeRequest request, Progress progress) {
        if (!model.capabilities().contains(Capability.GRADIENTS)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file() + ": feature visualisation needs gradients, which the "
                    + model.metadata().format() + " backend cannot compute for this model (`filterscope explain --method saliency` says why)");
        }
        checkTarget(request.target());
        Preprocessing p = preprocessing.orElseGet(() -> Preprocessing.forModel(model.metadata(), Optional.empty()));
        Geometry geo = geometry(p, request.size());
        VisualizeRequest resolved = request.withSize(geo.size).withTransforms(request.transformsFor(geo.size));
        VisualizeRequest.Transforms transforms = resolved.transformsFor(geo.size);
        GradientRequest gradientRequest = new GradientRequest(request.target(), true, List.of());

        Random random = new Random(request.seed());
        ImageParameters params = new ImageParameters(request.parameterization(), geo.channels, geo.size, request.decorrelate(), random);
        Warp identity = Warp.identity(geo.channels, geo.size, geo.height, geo.width, transforms.pad());
        double start = measure(request.target(), input(geo, p, identity.apply(params.image())));

        double[] m = new double[params.theta.length];
        double[] v = new double[params.theta.length];
        List<Double> history = new ArrayList<>();
        for (int step = 1; step <= request.steps(); step++) {
            Progress.check(progress);
            double[] image = params.image();
            Warp warp = Warp.random(transforms, geo.channels, geo.size, geo.height, geo.width, random);
            Gradients g = model.gradients(input(geo, p, warp.apply(image)), gradientRequest);
            history.add(read(request.target(), g.output()));
            double[] gradImage = warp.backward(viewGradient(geo, p, g.input().orElseThrow()));
            penalise(image, gradImage, geo, request.totalVariation(), request.l2());
            double[] grad = params.backward(image, gradImage);
            // Adam, uphill.
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            for (int i = 0; i < grad.length; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
                params.theta[i] += request.learningRate() * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON);
            }
            progress.update(step, request.steps());
        }
        double[] image = params.image();
        Tensor input = input(geo, p, identity.apply(image));
        float[] pixels = new float[image.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) image[i];
        }
        return new Visualization(resolved, Tensor.wrap(Shape.of(geo.channels, geo.size, geo.size), pixels), input, start, measure(request.target(), input),
                history);
    }

    /** The image's size and channels, the model's input grid and batch, and where its channels sit. */
    private record Geometry(int channels, int size, int height, int width, int batch, boolean channelsLast) {
    }

    private Geometry geometry(Preprocessing p, int requested) {
        Shape in = model.metadata().input().shape();
        boolean last = p.layout() == Layout.NHWC;
        long h = in.dim(last ? 1 : 2);
        long w = in.dim(last ? 2 : 3);
        long c = in.dim(last ? 3 : 1);
        if (c > 0 && c != p.channels()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": the preprocessing makes " + p.channels()
                    + " channels, the model's input has " + c);
        }
        int size = requested > 0 ? requested : h > 0 ? (int) h : DEFAULT_FREE_SIZE;
        int height = h > 0 ? (int) h : size;
        int width = w > 0 ? (int) w : size;
        int batch = in.dim(0) > 0 ? (int) in.dim(0) : 1;
        return new Geometry(p.channels(), size, height, width, batch, last);
    }

    /** The model's input for the model's view of the image (channels × height × width in [0, 1]). */
    private static Tensor input(Geometry geo, Preprocessing p, double[] view) {
        int plane = geo.height * geo.width;
        int per = geo.channels * plane;
        float[] x = new float[geo.batch * per];
        for (int cm = 0; cm < geo.channels; cm++) {
            int src = source(p, cm);
            float mul = 255f * p.scale();
            for (int q = 0; q < plane; q++) {
                float value = ((float) view[src * plane + q] * mul - p.mean()[cm]) / p.std()[cm];
                x[geo.channelsLast ? q * geo.channels + cm : cm * plane + q] = value;
            }
        }
        for (int n = 1; n < geo.batch; n++) {
            System.arraycopy(x, 0, x, n * per, per);
        }
        Shape shape = geo.channelsLast ? Shape.of(geo.batch, geo.height, geo.width, geo.channels)
                : Shape.of(geo.batch, geo.channels, geo.height, geo.width);
        return Tensor.wrap(shape, x);
    }

    /** d / d the model's view (channels × height × width, image channel order) from d / d input, item 0. */
    private static double[] viewGradient(Geometry geo, Preprocessing p, Tensor inputGradient) {
        int plane = geo.height * geo.width;
        float[] g = new float[geo.channels * plane];
        inputGradient.copyTo(0, g, 0, g.length);
        double[] out = new double[g.length];
        for (int cm = 0; cm < geo.channels; cm++) {
            int src = source(p, cm);
            double mul = 255.0 * p.scale() / p.std()[cm];
            for (int q = 0; q < plane; q++) {
                out[src * plane + q] += g[geo.channelsLast ? q * geo.channels + cm : cm * plane + q] * mul;
            }
        }
        return out;
    }

    /** The image channel (RGB order) that the model's channel {@code cm} is made from. */
    private static int source(Preprocessing p, int cm) {
        return p.channels() == 3 && p.order() == ChannelOrder.BGR ? 2 - cm : cm;
    }

    /** Subtracts the penalties' gradients: mean squared neighbour difference, and mean squared distance from grey. */
    private static void penalise(double[] image, double[] grad, Geometry geo, double tv, double l2) {
        int s = geo.size;
        int plane = s * s;
        if (tv > 0 && s > 1) {
            double pairs = (double) geo.channels * 2 * s * (s - 1);
            double k = 2 * tv / pairs;
            for (int c = 0; c < geo.channels; c++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        int i = c * plane + y * s + x;
                        if (x + 1 < s) {
                            double d = image[i + 1] - image[i];
                            grad[i + 1] -= k * d;
                            grad[i] += k * d;
                        }
                        if (y + 1 < s) {
                            double d = image[i + s] - image[i];
                            grad[i + s] -= k * d;
                            grad[i] += k * d;
                        }
                    }
                }
            }
        }
        if (l2 > 0) {
            double k = 2 * l2 / image.length;
            for (int i = 0; i < image.length; i++) {
                grad[i] -= k * (image[i] - 0.5);
            }
        }
    }

    /** The target's value for the input, item 0, placed as it is (a forward pass). */
    private double measure(GradientRequest.Target target, Tensor input) {
        if (target instanceof GradientRequest.ChannelMean c) {
            try (Activations a = model.capture(input, CaptureRequest.layers(c.layer()))) {
                return read(target, a.layer(c.layer()).orElseThrow(() -> new FilterScopeException(ErrorKind.INFERENCE_FAILED,
                        file() + ": the backend did not capture layer '" + c.layer() + "'")).values());
            }
        }
        Tensor out = model.run(input);
        double v = read(target, out);
        out.release();
        return v;
    }

    /**
     * The target's value, item 0, from a gradient pass's output or a capture: a channel's mean over
     * the layer's activation (N × C × H × W or N × C), or the output unit of the model's output.
     */
    private static double read(GradientRequest.Target target, Tensor t) {
        if (target instanceof GradientRequest.ChannelMean c) {
            Shape s = t.shape();
            int positions = s.rank() == 4 ? (int) (s.dim(2) * s.dim(3)) : 1;
            float[] values = new float[positions];
            t.copyTo(c.channel() * positions, values, 0, positions);
            double sum = 0;
            for (float v : values) {
                sum += v;
            }
            return sum / positions;
        }
        float[] one = new float[1];
        t.copyTo(((GradientRequest.OutputUnit) target).index(), one, 0, 1);
        return one[0];
    }

    /** Refuses a target the model cannot have, before any work: an unknown layer, a channel or class out of range. */
    private void checkTarget(GradientRequest.Target target) {
        if (target instanceof GradientRequest.ChannelMean c) {
            LayerInfo layer = model.layer(c.layer());
            Optional<Shape> out = layer.outputShape();
            if (out.isPresent() && out.get().rank() != 4 && out.get().rank() != 2) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": layer '" + layer.name() + "' outputs " + out.get()
                        + "; a channel's mean activation needs an N×C×H×W or N×C output");
            }
            long channels = out.map(s -> s.dim(1)).orElse(Shape.UNKNOWN);
            if (channels > 0 && c.channel() >= channels) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": channel " + c.channel() + " is out of range; layer '"
                        + layer.name() + "' has " + channels + " channels (0 to " + (channels - 1) + ")");
            }
        } else {
            int k = ((GradientRequest.OutputUnit) target).index();
            if (model.metadata().outputs().isEmpty()) {
                return;
            }
            Shape out = model.metadata().outputs().get(0).shape();
            long per = 1;
            for (int d = 1; d < out.rank() && per > 0; d++) {
                per = out.dim(d) == Shape.UNKNOWN ? -1 : per * out.dim(d);
            }
            if (out.rank() >= 1 && per > 0 && k >= per) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, file() + ": class " + k + " is out of range; the model has "
                        + per + " outputs (0 to " + (per - 1) + ")");
            }
        }
    }

    private String file() {
        return model.metadata().file().getFileName().toString();
    }
}
