package io.filterscope.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Tensor;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope visualize}: the image that excites a layer's channel, or a class, found by gradient ascent. */
@Command(name = "visualize", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Feature visualisation: optimise an image, from seeded noise, to excite one channel of a layer (its mean"
                + " activation) or one class (its logit); write it as PNG and index.json (parameters, the objective at the"
                + " start and the end, files).",
            "Needs a model with gradients (see `filterscope info`). Each step places the image with a random shift, scale and"
                + " rotation; the image is made from a decorrelated Fourier spectrum, as in Lucid."})
final class VisualizeCommand extends ModelCommand {

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    /** What to excite: a channel of --layer, or a class. */
    static final class Target {
        @Option(names = "--channel", paramLabel = "C", required = true, description = "The channel of --layer to excite (from 0).")
        Integer channel;

        @Option(names = "--class", paramLabel = "K", required = true, description = "The output index (class) to excite: its logit.")
        Integer classIndex;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--layer", paramLabel = "NAME", description = "With --channel: the layer (`filterscope info` lists them).")
    String layer;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "256", description = "Gradient ascent steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--size", paramLabel = "S", defaultValue = "0",
            description = "The image's side in pixels; 0 takes the model's input size, or 224 when it is free. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seeds the start noise and the transforms: the same seed gives the same image. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.05", description = "Adam's step size. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--tv", paramLabel = "W", defaultValue = "0",
            description = "Weight of the total-variation penalty (mean squared difference of neighbouring pixels). Default: ${DEFAULT-VALUE}.")
    double tv;

    @Option(names = "--l2", paramLabel = "W", defaultValue = "0",
            description = "Weight of the L2 penalty (mean squared distance of the pixels from grey). Default: ${DEFAULT-VALUE}.")
    double l2;

    @Option(names = "--param", paramLabel = "fourier|pixel", defaultValue = "fourier",
            description = "How the image is made: a 1/f-scaled Fourier spectrum, or the pixels themselves. Default: ${DEFAULT-VALUE}.")
    String param;

    @Option(names = "--no-decorrelate", description = "Optimise RGB directly rather than decorrelated colours.")
    boolean noDecorrelate;

    @Option(names = "--no-transforms", description = "Place the image as it is at every step (no random shift, scale or rotation).")
    boolean noTransforms;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How the model normalises images: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one a line. Default: labels.txt next to the model, if there is one.")
    Path labels;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write to (created when missing).")
    Path output;

    @Override
    public Integer call() {
        OutputPlan.checkWritable(output);
        VisualizeRequest request = request();
        Optional<Preset> chosenPreset = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        ModelRef ref = modelRef();
        if (labels != null) {
            requireReadable(labels, "a labels file (one class name a line)");
        }
        ObjectNode index = OutputPlan.json().createObjectNode();
        OutputPlan plan = new OutputPlan(output, labels == null ? List.of(ref.file()) : List.of(ref.file(), labels));
        try (Model model = openModel()) {
            FeatureVisualizer fv = chosenPreset.isPresent()
                    ? new FeatureVisualizer(model, Preprocessing.forModel(model.metadata(), chosenPreset))
                    : new FeatureVisualizer(model);
            Progress bar = new Progress(err(), Progress.stderrIsTerminal(), "steps");
            Visualization v = fv.visualize(request, (done, total) -> bar.progress(done, total));
            VisualizeRequest r = v.request();

            index.put("model", ref.display());
            index.put("command", "visualize");
            String stem;
            if (r.target() instanceof GradientRequest.ChannelMean c) {
                stem = "channel-" + c.channel();
                index.put("layer", model.layer(c.layer()).name());
                index.put("channel", c.channel());
                index.put("objective_is", "the mean activation of channel " + c.channel() + " of layer '" + c.layer() + "'");
            } else {
                int k = ((GradientRequest.OutputUnit) r.target()).index();
                stem = "class-" + k;
                index.putNull("layer");
                index.put("class", k);
                Tensor out = model.run(v.input());
                LabelFiles.Labels names = LabelFiles.resolve(ref, labels, out.size() / (int) Math.max(1, out.shape().dim(0)));
                if (k < names.names().size()) {
                    index.put("label", names.names().get(k));
                } else {
                    index.putNull("label");
                }
                index.put("labels", names.source());
                index.put("objective_is", "output " + k + " of the model as it gives it (a probability when it ends in softmax);"
                        + " the optimisation raises its logit");
            }
            index.put("start_objective", v.startObjective());
            index.put("objective", v.objective());
            ObjectNode params = index.putObject("parameters");
            params.put("steps", r.steps());
            params.put("size", r.size());
            params.put("seed", r.seed());
            params.put("learning_rate", r.learningRate());
            params.put("parameterization", r.parameterization().name().toLowerCase(Locale.ROOT));
            params.put("decorrelate", r.decorrelate() && v.image().shape().dim(0) == 3);
            VisualizeRequest.Transforms t = r.transformsFor(r.size());
            params.putObject("transforms").put("jitter", t.jitter()).put("min_scale", t.minScale()).put("max_scale", t.maxScale())
                    .put("rotation", t.rotation()).put("pad", t.pad());
            params.put("total_variation", r.totalVariation());
            params.put("l2", r.l2());
            ArrayNode inShape = index.putArray("input_shape");
            for (long d : v.input().shape().toArray()) {
                inShape.add(d);
            }
            ArrayNode history = index.putArray("history");
            v.history().forEach(history::add);
            ArrayNode files = index.putArray("files");
            String png = stem + ".png";
            plan.add(png, Png.encode(v.picture()));
            files.add(png);
        }
        int written = plan.write(index);
        out().println("wrote " + written + " files to " + output);
        out().flush();
        return 0;
    }

    /** The request, with every option checked here so a bad one is one line and exit 2. */
    private VisualizeRequest request() {
        if (target.channel != null && target.channel < 0 || target.classIndex != null && target.classIndex < 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, (target.channel != null ? "--channel" : "--class")
                    + " must be 0 or more, got " + (target.channel != null ? target.channel : target.classIndex));
        }
        if (target.channel != null && layer == null) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--channel needs --layer NAME (`filterscope info` lists the layers)");
        }
        if (target.classIndex != null && layer != null) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--layer goes with --channel; --class excites the model's output itself");
        }
        if (steps < 1 || steps > 100_000) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--steps must be 1 to 100000, got " + steps);
        }
        if (size < 0 || size > VisualizeRequest.MAX_SIZE) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--size must be 0 (the model's) to " + VisualizeRequest.MAX_SIZE + ", got " + size);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--lr must be a positive number, got " + learningRate);
        }
        if (!(tv >= 0) || !(l2 >= 0) || !Double.isFinite(tv) || !Double.isFinite(l2)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--tv and --l2 must be 0 or more, got " + tv + " and " + l2);
        }
        VisualizeRequest.Parameterization p = switch (param.toLowerCase(Locale.ROOT)) {
            case "fourier" -> VisualizeRequest.Parameterization.FOURIER;
            case "pixel" -> VisualizeRequest.Parameterization.PIXEL;
            default -> throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--param must be fourier or pixel, got '" + param + "'");
        };
        VisualizeRequest r = target.channel != null ? VisualizeRequest.channel(layer, target.channel) : VisualizeRequest.outputUnit(target.classIndex);
        r = r.withSteps(steps).withSize(size).withSeed(seed).withLearningRate(learningRate).withPenalties(tv, l2)
                .withParameterization(p, !noDecorrelate);
        return noTransforms ? r.withTransforms(VisualizeRequest.Transforms.NONE) : r;
    }
}
