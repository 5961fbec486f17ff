package io.filterscope.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.stats.Activity;
import io.filterscope.stats.LayerWeightStats;
import io.filterscope.stats.WeightStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code filterscope stats}: per-filter norms, weight histograms, dead and near-duplicate filters. */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Weight statistics of convolution layers: per-filter L2 norms, a histogram of the weights, dead filters"
                + " (near-zero norm) and near-duplicate filters (cosine similarity above a threshold).",
            "Without --layer every convolution layer is described."})
final class StatsCommand extends ModelCommand {

    @Option(names = "--layer", paramLabel = "NAME",
            description = "A convolution layer (repeatable; `filterscope info` lists the names). Default: all.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON (every norm, the histograms, the pairs) instead of the text summary.")
    boolean json;

    @Option(names = "--bins", paramLabel = "N", defaultValue = "32", description = "Histogram bins. Default: ${DEFAULT-VALUE}.")
    int bins;

    @Option(names = "--dead-fraction", paramLabel = "F", defaultValue = "0.01",
            description = "A filter is dead when its norm is at most F × the layer's median norm. Default: ${DEFAULT-VALUE}.")
    double deadFraction;

    @Option(names = "--duplicate-cosine", paramLabel = "C", defaultValue = "0.95",
            description = "Two filters are near-duplicates when their cosine similarity is at least C. Default: ${DEFAULT-VALUE}.")
    double duplicateCosine;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Also run a folder of images and report the filters never active on them (the channel's output never above 0).")
    java.nio.file.Path images;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "With --images: how to normalise them: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "With --images: images per inference. Default: ${DEFAULT-VALUE}.")
    int batch;

    @picocli.CommandLine.Mixin
    RunOptions runOptions;

    @Override
    io.filterscope.spi.OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @Override
    public Integer call() {
        WeightStats.Settings settings = new WeightStats.Settings(bins, deadFraction, duplicateCosine);
        if (batch < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--batch must be 1 or more, got " + batch);
        }
        java.util.Optional<io.filterscope.preprocess.Preset> chosen = preset == null ? java.util.Optional.empty()
                : java.util.Optional.of(io.filterscope.preprocess.Preset.parse(preset));
        io.filterscope.io.ImageFolder folder = images == null ? null : io.filterscope.io.ImageFolder.of(images);
        ModelRef ref = modelRef();
        List<LayerWeightStats> stats = new ArrayList<>();
        activity = null;
        try (Model model = openModel()) {
            List<LayerInfo> chosenLayers = select(model, ref);
            for (LayerInfo l : chosenLayers) {
                stats.add(WeightStats.of(model.filters(l.name()), settings));
            }
            if (folder != null) {
                activity = Activity.scan(model, chosenLayers.stream().map(LayerInfo::name).toList(), folder.files(),
                        io.filterscope.preprocess.Preprocessing.forModel(model.metadata(), chosen), io.filterscope.preprocess.FreeSize.DEFAULT,
                        batch, new Progress(err(), Progress.stderrIsTerminal(), "images"));
            }
        }
        PrintWriter out = out();
        if (json) {
            try {
                out.println(OutputPlan.json().writeValueAsString(toJson(ref, settings, stats)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            text(out, ref, settings, stats);
        }
        out.flush();
        return 0;
    }

    /** With --images: how active each channel was; null without. */
    private Activity activity;

    private List<LayerInfo> select(Model model, ModelRef ref) {
        List<LayerInfo> conv = model.layers().stream().filter(l -> l.kind().hasFilters()).toList();
        if (conv.isEmpty()) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, ref.display() + ": has no convolution layers; no filter statistics to give");
        }
        if (layers.isEmpty()) {
            return conv;
        }
        List<LayerInfo> chosen = new ArrayList<>();
        for (String name : new LinkedHashSet<>(layers)) {
            LayerInfo l = model.layer(name);
            if (!l.kind().hasFilters()) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, ref.display() + ": layer '" + name + "' is a " + l.op()
                        + " layer and has no filters; layers with filters: "
                        + conv.stream().map(LayerInfo::name).limit(10).collect(Collectors.joining(", ")) + (conv.size() > 10 ? ", ..." : ""));
            }
            chosen.add(l);
        }
        return chosen;
    }

    private void text(PrintWriter out, ModelRef ref, WeightStats.Settings s, List<LayerWeightStats> stats) {
        out.println(ref.display() + ": weight statistics of " + stats.size() + " convolution layer" + (stats.size() == 1 ? "" : "s")
                + String.format(Locale.ROOT, " (dead: norm <= %s × median; duplicates: cosine >= %s)", fmt(s.deadFraction()),
                        fmt(s.duplicateCosine())));
        List<String[]> rows = new ArrayList<>();
        for (LayerWeightStats l : stats) {
            double[] n = l.norms();
            rows.add(new String[] {l.layer(), l.shape().toString(), Integer.toString(l.filters()),
                String.format(Locale.ROOT, "%.4g", Arrays.stream(n).min().orElse(0)),
                String.format(Locale.ROOT, "%.4g", Arrays.stream(n).average().orElse(0)),
                String.format(Locale.ROOT, "%.4g", Arrays.stream(n).max().orElse(0)),
                String.format(Locale.ROOT, "%.3g", l.mean()), String.format(Locale.ROOT, "%.3g", l.std()),
                Integer.toString(l.dead().size()), Integer.toString(l.duplicates().size())});
        }
        InfoCommand.table(out, new String[] {"layer", "shape", "filters", "norm min", "norm mean", "norm max", "weight mean",
            "weight std", "dead", "duplicate pairs"}, rows, "  ");
        for (LayerWeightStats l : stats) {
            if (!l.dead().isEmpty()) {
                out.println(l.layer() + ": dead filters " + l.dead());
            }
            if (activity != null) {
                List<Integer> never = activity.neverActive(l.layer());
                out.println(l.layer() + ": " + (never.isEmpty() ? "every filter active" : "never active " + never)
                        + " on " + activity.images() + " images");
            }
            if (!l.duplicates().isEmpty()) {
                int shown = Math.min(10, l.duplicates().size());
                out.println(l.layer() + ": near-duplicate filters " + l.duplicates().stream().limit(shown)
                        .map(p -> String.format(Locale.ROOT, "%d~%d (%.3f)", p.a(), p.b(), p.cosine())).collect(Collectors.joining(", "))
                        + (l.duplicates().size() > shown ? ", ... (" + l.duplicates().size() + " pairs; --json lists all)" : ""));
            }
        }
    }

    private ObjectNode toJson(ModelRef ref, WeightStats.Settings s, List<LayerWeightStats> stats) {
        ObjectNode root = OutputPlan.json().createObjectNode();
        root.put("model", ref.display());
        root.put("command", "stats");
        root.putObject("settings").put("bins", s.bins()).put("dead_fraction", s.deadFraction()).put("duplicate_cosine", s.duplicateCosine());
        ArrayNode arr = root.putArray("layers");
        for (LayerWeightStats l : stats) {
            ObjectNode o = arr.addObject();
            o.put("layer", l.layer());
            ArrayNode shape = o.putArray("shape");
            for (long d : l.shape().toArray()) {
                shape.add(d);
            }
            ArrayNode norms = o.putArray("norms");
            for (double v : l.norms()) {
                norms.add(v);
            }
            o.put("mean", l.mean());
            o.put("std", l.std());
            ObjectNode h = o.putObject("histogram");
            h.put("min", l.histogram().min());
            h.put("max", l.histogram().max());
            ArrayNode counts = h.putArray("counts");
            for (long c : l.histogram().counts()) {
                counts.add(c);
            }
            ArrayNode dead = o.putArray("dead");
            l.dead().forEach(dead::add);
            ArrayNode dups = o.putArray("duplicates");
            l.duplicates().forEach(p -> dups.addObject().put("a", p.a()).put("b", p.b()).put("cosine", p.cosine()));
            if (activity != null) {
                ObjectNode act = o.putObject("activity");
                act.put("images", activity.images());
                ArrayNode max = act.putArray("max");
                for (float v : activity.maxima().get(l.layer())) {
                    max.add(v);
                }
                ArrayNode never = act.putArray("never_active");
                activity.neverActive(l.layer()).forEach(never::add);
            }
        }
        return root;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
