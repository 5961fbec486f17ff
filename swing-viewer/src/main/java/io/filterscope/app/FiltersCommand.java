package io.filterscope.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope filters}: one PNG grid of the filters of each conv layer. */
@Command(name = "filters", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Draw the filters (weights) of convolution layers: one PNG grid per layer, plus index.json.",
            "Without --layer every convolution layer is drawn."})
final class FiltersCommand extends ModelCommand {

    @Option(names = "--layer", paramLabel = "NAME",
            description = "A convolution layer to draw (repeatable; `filterscope info` lists the names). Default: all.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--npy", description = "Also write each layer's weights (out×in×kH×kW) as a .npy file.")
    boolean npy;

    @Mixin
    RenderOptions render;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write to (created when missing).")
    Path output;

    @Override
    public Integer call() {
        OutputPlan.checkWritable(output);
        GridStyle style = render.apply(GridStyle.filters());
        ModelRef ref = modelRef();
        OutputPlan plan = new OutputPlan(output, List.of(ref.file()));
        ObjectNode index = OutputPlan.json().createObjectNode();
        index.put("model", ref.display());
        index.put("command", "filters");
        index.put("colormap", style.colormap().toString().toLowerCase(Locale.ROOT));
        index.put("normalization", style.normalization().toString().toLowerCase(Locale.ROOT));
        ArrayNode entries = index.putArray("layers");
        int grids = 0;
        try (Model model = openModel()) {
            for (LayerInfo layer : select(model, ref)) {
                FilterBank bank = model.filters(layer.name());
                plan.addLayer(entries, layer, bank.weightTensor(), "filters", GridRenderer.filters(bank, style), bank.weights(), npy);
                grids++;
            }
        }
        plan.write(index);
        out().println(OutputPlan.summary(grids, "filter", npy, output));
        out().flush();
        return 0;
    }

    /** The layers to draw: those named, each checked to have filters, or every conv-like layer. */
    private List<LayerInfo> select(Model model, ModelRef ref) {
        List<LayerInfo> conv = model.layers().stream().filter(l -> l.kind().hasFilters()).toList();
        if (conv.isEmpty()) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, ref.display()
                    + ": has no convolution layers; nothing to draw (try `filterscope activations`)");
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
                        + conv.stream().map(LayerInfo::name).limit(10).collect(Collectors.joining(", "))
                        + (conv.size() > 10 ? ", ..." : ""));
            }
            chosen.add(l);
        }
        return chosen;
    }
}
