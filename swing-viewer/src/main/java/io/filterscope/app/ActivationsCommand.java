package io.filterscope.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope activations}: one PNG grid of feature maps per layer, from one inference. */
@Command(name = "activations", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run the model once on an input and draw what layers output: one PNG grid of feature maps per layer,"
                + " plus index.json.",
            "Without --layer every layer with a spatial (N×C×H×W) output is drawn."})
final class ActivationsCommand extends ModelCommand {

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    InputOptions input;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "A layer to draw (repeatable; `filterscope info` lists the names). Default: all spatial layers.")
    List<String> layers = new ArrayList<>();

    @Mixin
    SizeOptions size;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise an --image: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Mixin
    RenderOptions render;

    @Option(names = "--npy", description = "Also write each layer's feature maps (the whole N×C×H×W tensor) as a .npy file.")
    boolean npy;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "With a folder of images: images per inference. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write to (created when missing).")
    Path output;

    @Override
    public Integer call() {
        OutputPlan.checkWritable(output);
        GridStyle style = render.apply(GridStyle.featureMaps());
        Optional<Preset> chosenPreset = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        ModelRef ref = modelRef();
        if (input != null && input.image != null && java.nio.file.Files.isDirectory(input.image)) {
            return folder(ref, style, chosenPreset);
        }
        ObjectNode index = OutputPlan.json().createObjectNode();
        OutputPlan plan;
        int grids = 0;
        try (Model model = openModel()) {
            List<String> names = select(model, ref);
            InputOptions.Loaded in = InputOptions.load(input, ref, model.metadata(), chosenPreset, size.rule());
            plan = new OutputPlan(output, List.of(ref.file(), in.file()));

            index.put("model", ref.display());
            index.put("command", "activations");
            ObjectNode inputNode = index.putObject("input");
            inputNode.put("file", in.display());
            inputNode.put("kind", in.kind());
            ArrayNode inShape = inputNode.putArray("shape");
            for (long d : in.tensor().shape().toArray()) {
                inShape.add(d);
            }
            in.preprocessing().ifPresent(p -> index.set("preprocessing", describe(p)));
            in.sizeRule().ifPresent(rule -> {
                // Say what was chosen for a model with a free height and width, and how.
                ObjectNode size = inputNode.putObject("size");
                size.putArray("image").add(in.imageHeight()).add(in.imageWidth());
                Preprocessing p = in.preprocessing().orElseThrow();
                size.putArray("fed").add(p.height()).add(p.width());
                size.put("max_side", rule.maxSide());
                size.put("multiple", rule.multiple());
                size.put("rule", rule.describe());
            });
            index.put("item", 0);
            index.put("colormap", style.colormap().toString().toLowerCase(Locale.ROOT));
            index.put("normalization", style.normalization().toString().toLowerCase(Locale.ROOT));
            ArrayNode entries = index.putArray("layers");

            Activations acts = model.capture(in.tensor(), CaptureRequest.layers(names));
            if (acts.layers().isEmpty()) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, ref.display() + ": has no layer with a spatial (N×C×H×W) output; nothing to draw");
            }
            for (LayerOutput lo : acts.layers()) {
                if (!lo.isSpatial()) {
                    throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, ref.display() + ": layer '" + lo.layer().name() + "' outputs "
                            + lo.values().shape() + ", not N×C×H×W feature maps; nothing to draw for it");
                }
                plan.addLayer(entries, lo.layer(), lo.tensor(), "activations",
                        GridRenderer.featureMaps(lo.featureMaps(0), style), lo.values(), npy);
                grids++;
            }
            prediction(acts, ref).ifPresent(p -> index.set("prediction", p));
        }
        plan.write(index);
        out().println(OutputPlan.summary(grids, "feature-map", npy, output));
        out().flush();
        return 0;
    }

    /** {@code --image DIR}: every image of the folder, in batches (see {@link ActivationsFolder}). */
    private int folder(ModelRef ref, GridStyle style, Optional<Preset> chosenPreset) {
        if (batch < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--batch must be 1 or more, got " + batch);
        }
        io.filterscope.io.ImageFolder folder = io.filterscope.io.ImageFolder.of(input.image);
        String summary;
        try (Model model = openModel()) {
            List<String> names = select(model, ref);
            summary = ActivationsFolder.run(model, ref, folder, names, Preprocessing.forModel(model.metadata(), chosenPreset), size.rule(),
                    batch, style, npy, output, new Progress(err(), Progress.stderrIsTerminal(), "images"));
        }
        out().println(summary);
        out().flush();
        return 0;
    }

    /** The layer names to capture, each checked; empty means every layer with a spatial output. */
    private List<String> select(Model model, ModelRef ref) {
        List<String> chosen = new ArrayList<>();
        for (String name : new LinkedHashSet<>(layers)) {
            LayerInfo l = model.layer(name);
            if (l.outputShape().isPresent() && !l.hasSpatialOutput()) {
                List<String> spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).toList();
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, ref.display() + ": layer '" + name + "' outputs " + l.outputShape().get()
                        + ", not N×C×H×W feature maps; layers with feature maps: "
                        + (spatial.isEmpty() ? "none" : spatial.stream().limit(10).collect(Collectors.joining(", "))
                                + (spatial.size() > 10 ? ", ..." : "")));
            }
            chosen.add(l.name());
        }
        return chosen;
    }

    /**
     * The top 5 classes of item 0, with where their names came from, when the model's output is one
     * row of scores (a classifier); empty for other outputs (a detector's map).
     */
    private static Optional<ObjectNode> prediction(Activations acts, ModelRef ref) {
        Tensor out = acts.output();
        int batch = out.shape().rank() <= 1 ? 1 : (int) out.shape().dim(0);
        List<Prediction> top;
        LabelFiles.Labels names;
        try {
            Predictions.topK(out, 0, List.of(), 1);
            names = LabelFiles.resolve(ref, null, out.size() / Math.max(1, batch));
            top = Predictions.topK(out, 0, names.names(), Math.min(5, out.size() / Math.max(1, batch)));
        } catch (FilterScopeException e) {
            return Optional.empty();
        }
        ObjectNode p = OutputPlan.json().createObjectNode();
        p.put("labels", names.source());
        ArrayNode rows = p.putArray("top");
        for (Prediction x : top) {
            rows.addObject().put("class", x.index()).put("label", x.label()).put("probability", x.probability());
        }
        return Optional.of(p);
    }

    /** The preprocessing as JSON, for index.json; falls back to its text form. */
    private static JsonNode describe(Preprocessing p) {
        try {
            return OutputPlan.json().valueToTree(p);
        } catch (IllegalArgumentException e) {
            return OutputPlan.json().getNodeFactory().textNode(p.toString());
        }
    }
}
