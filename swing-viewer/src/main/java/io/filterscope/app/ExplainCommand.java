package io.filterscope.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Heatmap;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope explain}: which parts of the input made the model choose a class. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Explain one prediction: a heatmap of what made the model choose a class, overlaid on the input,"
                + " the heatmap alone, and index.json (method, layer, class, score, faithfulness, files).",
            "Methods: gradcam, gradcampp, layercam, saliency and smoothgrad need a model with gradients;"
                + " scorecam, ablationcam and occlusion run on every model (ablationcam at a layer the rest of the network"
                + " depends on alone, not inside a residual block)."})
final class ExplainCommand extends ModelCommand {
    /** Pictures of inputs smaller than this (on their shorter side) are enlarged by a whole factor. */
    private static final int MIN_SIDE = 224;

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    InputOptions input;

    @Option(names = "--method", paramLabel = "NAME", required = true,
            description = "gradcam, gradcampp, layercam, scorecam, ablationcam, occlusion, saliency or smoothgrad.")
    String method;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "For CAMs: the layer (`filterscope info` lists them). Default: the last layer with a spatial output larger than 1×1.")
    String layer;

    @Option(names = "--class", paramLabel = "K",
            description = "The output index (class) to explain. Default: the top-1 prediction.")
    Integer classIndex;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one a line. Default: labels.txt next to the model, if there is one.")
    Path labels;

    @Mixin
    SizeOptions size;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise an --image: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "inferno",
            description = "Colour map of the heatmap: gray, viridis, magma, inferno or coolwarm. Default: ${DEFAULT-VALUE}.")
    String colormap;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5",
            description = "Opacity of the heatmap over the input, 0 to 1. Default: ${DEFAULT-VALUE}.")
    float alpha;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "Perturbed inputs per model run (scorecam, ablationcam, occlusion, smoothgrad, faithfulness). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--top-channels", paramLabel = "N", defaultValue = "0",
            description = "scorecam: keep only the N channels that vary most (faster); 0 keeps all. Default: ${DEFAULT-VALUE}.")
    int topChannels;

    @Option(names = "--window", paramLabel = "PIXELS", defaultValue = "0",
            description = "occlusion: side of the covering window; 0 picks an eighth of the shorter side. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--stride", paramLabel = "PIXELS", defaultValue = "0",
            description = "occlusion: step between windows; 0 picks half the window. Default: ${DEFAULT-VALUE}.")
    int stride;

    @Option(names = "--baseline", paramLabel = "VALUE", defaultValue = "0",
            description = "occlusion: the value written into covered pixels (of the model's input). Default: ${DEFAULT-VALUE}.")
    float baseline;

    @Option(names = "--noise", paramLabel = "F", defaultValue = "0.15",
            description = "smoothgrad: noise level, a fraction of the input's value range. Default: ${DEFAULT-VALUE}.")
    float noise;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "25",
            description = "smoothgrad: noisy copies to average. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "smoothgrad: seed of the noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--faithfulness-steps", paramLabel = "N", defaultValue = "50",
            description = "Steps of the deletion and insertion curves in index.json; 0 leaves them out. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--npy", description = "Also write the heatmap as float32 .npy, normalised to [0, 1], at the layer's"
            + " resolution and upsampled to the input; for saliency and smoothgrad also the raw input gradient.")
    boolean npy;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write to (created when missing).")
    Path output;

    @Override
    public Integer call() {
        OutputPlan.checkWritable(output);
        Method m = Method.parse(method);
        ExplainRequest request = request(m);
        Colormap cmap = Colormap.parse(colormap);
        Optional<Preset> chosenPreset = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        ModelRef ref = modelRef();
        if (labels != null) {
            requireReadable(labels, "a labels file (one class name a line)");
        }
        ObjectNode index = OutputPlan.json().createObjectNode();
        OutputPlan plan;
        try (Model model = openModel()) {
            InputOptions.Loaded in = InputOptions.load(input, ref, model.metadata(), chosenPreset, size.rule());
            plan = new OutputPlan(output, labels == null ? List.of(ref.file(), in.file()) : List.of(ref.file(), in.file(), labels));
            Explainer explainer = new Explainer(model);
            Explanation e = explainer.explain(in.tensor(), request);
            LabelFiles.Labels names = LabelFiles.resolve(ref, labels, classes(model, in));

            index.put("model", ref.display());
            index.put("command", "explain");
            ObjectNode inputNode = index.putObject("input");
            inputNode.put("file", in.display());
            inputNode.put("kind", in.kind());
            ArrayNode inShape = inputNode.putArray("shape");
            for (long d : in.tensor().shape().toArray()) {
                inShape.add(d);
            }
            in.preprocessing().ifPresent(p -> index.set("preprocessing", describe(p)));
            index.put("method", m.id());
            if (e.layer().isPresent()) {
                index.put("layer", e.layer().get());
            } else {
                index.putNull("layer");
            }
            index.put("class", e.outputIndex());
            if (e.outputIndex() < names.names().size()) {
                index.put("label", names.names().get(e.outputIndex()));
            } else {
                index.putNull("label");
            }
            index.put("labels", names.source());
            index.put("score", e.score());
            index.put("heatmap_shape", OutputPlan.json().createArrayNode().add(e.heatmap().height()).add(e.heatmap().width()));
            index.put("colormap", cmap.toString().toLowerCase(Locale.ROOT));
            index.put("alpha", alpha);
            ObjectNode settings = index.putObject("settings");
            switch (m) {
                case SCORE_CAM -> settings.put("top_channels", topChannels);
                case OCCLUSION -> settings.put("window", window).put("stride", stride).put("baseline", baseline);
                case SMOOTH_GRAD -> settings.put("noise", noise).put("samples", samples).put("seed", seed);
                default -> {
                }
            }
            if (steps > 0) {
                Faithfulness f = explainer.faithfulness(in.tensor(), e, steps, 0f, batch, Progress.NONE);
                ObjectNode fn = index.putObject("faithfulness");
                fn.put("steps", steps);
                fn.put("baseline", 0f);
                fn.put("deletion_area", f.deletionArea());
                fn.put("insertion_area", f.insertionArea());
                ArrayNode del = fn.putArray("deletion");
                f.deletion().forEach(del::add);
                ArrayNode ins = fn.putArray("insertion");
                f.insertion().forEach(ins::add);
            }

            String stem = m.id();
            ArrayNode files = index.putArray("files");
            Heatmap up = e.upsampled();
            // Small inputs (28×28) are drawn larger, pixel for pixel, so the PNGs can be read.
            int scale = Math.max(1, (MIN_SIDE + Math.min(up.height(), up.width()) - 1) / Math.min(up.height(), up.width()));
            index.put("picture_scale", scale);
            BufferedImage seen = in.preprocessing().isPresent() ? Preprocessor.toImage(in.tensor(), in.preprocessing().get())
                    : picture(in.tensor(), model.metadata().inputLayout() == Layout.NHWC, up.height(), up.width());
            BufferedImage picture = enlarge(seen, scale);
            add(plan, files, stem + ".overlay.png", Png.encode(e.heatmap().overlay(picture, cmap, alpha)));
            add(plan, files, stem + ".heatmap.png", Png.encode(e.heatmap().upsampled(up.height() * scale, up.width() * scale).image(cmap)));
            if (npy) {
                add(plan, files, stem + ".heatmap.npy", Npy.toBytes(e.heatmap().normalized().values()));
                add(plan, files, stem + ".heatmap.upsampled.npy", Npy.toBytes(up.normalized().values()));
                if (e.inputGradient().isPresent()) {
                    add(plan, files, stem + ".gradient.npy", Npy.toBytes(e.inputGradient().get()));
                }
            }
        }
        int written = plan.write(index);
        out().println("wrote " + written + " files to " + output);
        out().flush();
        return 0;
    }

    /**
     * How many output units (classes) an item has: from the model's declared output shape, so no
     * forward pass is spent on counting; only an output whose per-item size is not declared (a free
     * dimension past the batch axis) is run once to see.
     */
    static int classes(Model model, InputOptions.Loaded in) {
        OptionalInt declared = declaredClasses(model.metadata());
        if (declared.isPresent()) {
            return declared.getAsInt();
        }
        Tensor output = model.run(in.tensor());
        int classes = output.size() / Math.max(1, in.batch());
        output.release();
        return classes;
    }

    /** The per-item size of the model's first output when its shape declares every dimension past the batch axis. */
    static OptionalInt declaredClasses(ModelMetadata meta) {
        if (meta.outputs().isEmpty()) {
            return OptionalInt.empty();
        }
        Shape s = meta.outputs().get(0).shape();
        if (s.rank() < 2) {
            return OptionalInt.empty();   // no batch axis to divide by: run it and see
        }
        long per = 1;
        for (int d = 1; d < s.rank(); d++) {
            if (s.dim(d) <= 0) {
                return OptionalInt.empty();
            }
            per *= s.dim(d);
        }
        return per > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) per);
    }

    private static BufferedImage enlarge(BufferedImage img, int scale) {
        if (scale == 1) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x / scale, y / scale));
            }
        }
        return out;
    }

    private static void add(OutputPlan plan, ArrayNode files, String name, byte[] bytes) {
        plan.add(name, bytes);
        files.add(name);
    }

    /** The request, with every option checked here so a bad one is one line and exit 2. */
    private ExplainRequest request(Method m) {
        if (classIndex != null && classIndex < 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--class must be 0 or more, got " + classIndex);
        }
        if (layer != null && !m.isCam()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--layer applies to the CAM methods (gradcam, gradcampp, layercam, scorecam); "
                    + m.id() + " explains the input itself");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--alpha must be between 0 and 1, got " + alpha);
        }
        if (batch < 1 || topChannels < 0 || window < 0 || stride < 0 || samples < 1 || steps < 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--batch and --samples must be 1 or more; --top-channels, --window, --stride and"
                    + " --faithfulness-steps 0 or more");
        }
        if (!(noise >= 0) || !Float.isFinite(noise) || !Float.isFinite(baseline)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--noise must be 0 or more and --baseline a number, got " + noise + " and " + baseline);
        }
        ExplainRequest r = ExplainRequest.of(m).withBatchSize(batch).withTopChannels(topChannels)
                .withOcclusion(new ExplainRequest.Occlusion(window, stride, baseline))
                .withSmoothGrad(new ExplainRequest.SmoothGrad(noise, samples, seed));
        if (classIndex != null) {
            r = r.forOutput(classIndex);
        }
        return layer == null ? r : r.atLayer(layer);
    }

    /**
     * What the heatmap is laid over for an --input-npy (an --image shows the image as the model saw it,
     * after any resize and crop, so the map lands where it belongs): the tensor's values stretched to
     * 0–255; three channels in colour, others in gray.
     */
    private static BufferedImage picture(Tensor t, boolean channelsLast, int height, int width) {
        Shape s = t.shape();
        int c = (int) (channelsLast ? s.dim(3) : s.dim(1));
        int plane = height * width;
        float[] v = t.toArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < plane * c; i++) {
            lo = Math.min(lo, v[i]);
            hi = Math.max(hi, v[i]);
        }
        float range = hi > lo ? hi - lo : 1;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int rgb = 0;
            for (int k = 0; k < 3; k++) {
                int ch = c == 3 ? k : -1;
                float x;
                if (ch >= 0) {
                    x = v[channelsLast ? p * c + ch : ch * plane + p];
                } else {
                    x = 0;
                    for (int j = 0; j < c; j++) {
                        x += v[channelsLast ? p * c + j : j * plane + p] / c;
                    }
                }
                rgb = rgb << 8 | Math.round((x - lo) / range * 255);
            }
            img.setRGB(p % width, p / width, rgb);
        }
        return img;
    }

    private static JsonNode describe(Preprocessing p) {
        try {
            return OutputPlan.json().valueToTree(p);
        } catch (IllegalArgumentException e) {
            return OutputPlan.json().getNodeFactory().textNode(p.toString());
        }
    }
}
