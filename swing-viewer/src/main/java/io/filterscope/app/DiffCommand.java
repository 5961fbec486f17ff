package io.filterscope.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.FilterScope;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.compare.LayerDiff;
import io.filterscope.compare.ModelDiff;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preset;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code filterscope diff}: the same input through two models that should agree, layer by layer. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run the same input through two models that should agree (the DL4J and ONNX forms of one network, a float"
                + " and a quantized export) and print, per layer, the max and mean absolute difference of the feature maps,"
                + " and the first layer where they part.",
            "Layers are matched by --map, then by name, then in order (same shape)."})
final class DiffCommand extends ModelCommand {

    @Parameters(index = "1", paramLabel = "B", description = "The model to compare MODEL (A) with.")
    Path modelB;

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    InputOptions input;

    @Option(names = "--map", paramLabel = "A=B", description = "Match layer A of the first model with layer B of the second (repeatable).")
    List<String> maps = new ArrayList<>();

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise the --image for both models: imagenet, caffe, tf, unit or raw (default: chosen per model).")
    String preset;

    @Option(names = "--atol", paramLabel = "X", defaultValue = "1e-4", description = "Absolute tolerance. Default: ${DEFAULT-VALUE}.")
    double atol;

    @Option(names = "--rtol", paramLabel = "X", defaultValue = "1e-3",
            description = "Tolerance relative to the layer's largest value in the first model. Default: ${DEFAULT-VALUE}.")
    double rtol;

    @Option(names = "--json", description = "Print the table as JSON.")
    boolean json;

    @Mixin
    SizeOptions size;

    @Override
    public Integer call() {
        if (modelFile == null) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "give two models: filterscope diff A B (--image FILE | --input-npy FILE)");
        }
        ModelDiff.Tolerance tol = new ModelDiff.Tolerance(atol, rtol);
        Map<String, String> map = parseMaps();
        Optional<Preset> chosen = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        requireReadable(modelFile, "a model file");
        requireReadable(modelB, "a model file");
        ModelRef refA = modelRef();
        ModelRef refB = new ModelRef(modelB, modelB.toString(), false);
        ModelDiff.Result result;
        try (Model a = FilterScope.open(modelFile, openOptions()); Model b = FilterScope.open(modelB, openOptions())) {
            Tensor inA = InputOptions.load(input, refA, a.metadata(), chosen, size.rule()).tensor();
            Tensor inB = inputFor(b, refB, inA, chosen);
            Activations actA = a.capture(inA, CaptureRequest.allSpatial());
            Activations actB = b.capture(inB, CaptureRequest.allSpatial());
            result = ModelDiff.compare(actA, actB, map, tol);
        }
        PrintWriter out = out();
        if (json) {
            printJson(out, refA, refB, result, tol);
        } else {
            print(out, refA, refB, result, tol);
        }
        out.flush();
        return 0;
    }

    /** B's input: the image preprocessed for B, or the .npy tensor, transposed when B's layout is the other one. */
    private Tensor inputFor(Model b, ModelRef refB, Tensor inA, Optional<Preset> chosen) {
        if (input.image != null) {
            return InputOptions.load(input, refB, b.metadata(), chosen, size.rule()).tensor();
        }
        try {
            return InputOptions.fit(inA, input.npy, b.metadata());
        } catch (FilterScopeException e) {
            if (inA.shape().rank() == 4) {
                for (int[] perm : new int[][] {{0, 2, 3, 1}, {0, 3, 1, 2}}) {
                    Tensor t = inA.transpose(perm);
                    if (b.metadata().input().shape().accepts(t.shape())) {
                        return t;
                    }
                }
            }
            throw e;
        }
    }

    private Map<String, String> parseMaps() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String m : maps) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--map " + m + ": write it as LAYER_OF_A=LAYER_OF_B");
            }
            map.put(m.substring(0, eq), m.substring(eq + 1));
        }
        return map;
    }

    private static void print(PrintWriter out, ModelRef a, ModelRef b, ModelDiff.Result r, ModelDiff.Tolerance tol) {
        out.println("A: " + a.display());
        out.println("B: " + b.display());
        List<String[]> rows = new ArrayList<>();
        for (LayerDiff d : r.layers()) {
            rows.add(new String[] {d.a(), d.b(), d.matchedBy(), d.shape().toString(), String.format(Locale.ROOT, "%.3g", d.maxAbs()),
                String.format(Locale.ROOT, "%.3g", d.meanAbs()), d.parts() ? "PARTS" : "ok"});
        }
        InfoCommand.table(out, new String[] {"layer A", "layer B", "matched by", "shape", "max |A-B|", "mean |A-B|", ""}, rows, "  ");
        if (!r.unmatchedA().isEmpty()) {
            out.println("not matched in A: " + String.join(", ", r.unmatchedA()) + " (use --map A=B)");
        }
        if (!r.unmatchedB().isEmpty()) {
            out.println("not matched in B: " + String.join(", ", r.unmatchedB()));
        }
        String limits = String.format(Locale.ROOT, "max |A-B| <= %s + %s × max |A|", tol.atol(), tol.rtol());
        out.println(r.firstParting().map(d -> "first layer where they part: " + d.a()
                        + (d.a().equals(d.b()) ? "" : " (B: " + d.b() + ")") + " (" + limits + " does not hold)")
                .orElse(r.layers().isEmpty() ? "no layers could be matched; use --map A=B"
                        : "they agree on all " + r.layers().size() + " compared outputs (" + limits + ")"));
    }

    private static void printJson(PrintWriter out, ModelRef a, ModelRef b, ModelDiff.Result r, ModelDiff.Tolerance tol) {
        ObjectNode root = OutputPlan.json().createObjectNode();
        root.put("a", a.display());
        root.put("b", b.display());
        root.put("command", "diff");
        root.putObject("tolerance").put("atol", tol.atol()).put("rtol", tol.rtol());
        ArrayNode rows = root.putArray("layers");
        for (LayerDiff d : r.layers()) {
            ObjectNode o = rows.addObject().put("a", d.a()).put("b", d.b()).put("matched_by", d.matchedBy());
            ArrayNode s = o.putArray("shape");
            for (long x : d.shape().toArray()) {
                s.add(x);
            }
            o.put("max_abs", d.maxAbs()).put("mean_abs", d.meanAbs()).put("parts", d.parts());
        }
        ArrayNode ua = root.putArray("unmatched_a");
        r.unmatchedA().forEach(ua::add);
        ArrayNode ub = root.putArray("unmatched_b");
        r.unmatchedB().forEach(ub::add);
        r.firstParting().ifPresentOrElse(d -> root.put("first_parting", d.a()), () -> root.putNull("first_parting"));
        try {
            out.println(OutputPlan.json().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
