package io.filterscope.compare;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.LayerOutput;
import io.filterscope.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares the layer outputs of two models that should agree (the DL4J and ONNX forms of one
 * network, a float and a quantized export) for the same input.
 *
 * <p>Layers are matched in three steps: the pairs given ({@code --map a=b}), then equal names, then
 * what is left in execution order (the next unmatched layer of B with the same shape). Values are
 * compared in the API's common form (feature maps as N × C × H × W whatever each model's layout),
 * in double precision.
 */
public final class ModelDiff {
    private ModelDiff() {
    }

    /**
     * When two outputs are said to part: {@code maxAbs > atol + rtol · max|a|}.
     *
     * @param atol absolute tolerance
     * @param rtol tolerance relative to the largest value of A's output
     */
    public record Tolerance(double atol, double rtol) {
        public Tolerance {
            if (!(atol >= 0) || !(rtol >= 0)) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "tolerances must be 0 or more, got atol " + atol + ", rtol " + rtol);
            }
        }

        /** 1e-4 absolute plus 1e-3 of the layer's largest value: float32 rounding across runtimes stays under it. */
        public static Tolerance defaults() {
            return new Tolerance(1e-4, 1e-3);
        }
    }

    /**
     * The comparison.
     *
     * @param layers     matched layers in A's execution order, then the models' outputs
     * @param unmatchedA layers of A that found no match
     * @param unmatchedB layers of B that found no match
     */
    public record Result(List<LayerDiff> layers, List<String> unmatchedA, List<String> unmatchedB) {
        public Result {
            layers = List.copyOf(layers);
            unmatchedA = List.copyOf(unmatchedA);
            unmatchedB = List.copyOf(unmatchedB);
        }

        /** The first matched layer, in A's order, where the models part; empty when they agree throughout. */
        public Optional<LayerDiff> firstParting() {
            return layers.stream().filter(LayerDiff::parts).findFirst();
        }
    }

    /** The name {@link LayerDiff#a()} and {@link LayerDiff#b()} give the models' outputs. */
    public static final String OUTPUT = "(output)";

    /**
     * Compares {@code a} and {@code b}, layer by layer and output with output.
     *
     * @param map pairs of layer names (A's → B's) to match before names and order
     * @throws FilterScopeException when a mapped name was not captured, or mapped layers differ in shape
     */
    public static Result compare(Activations a, Activations b, Map<String, String> map, Tolerance tol) {
        Map<String, LayerOutput> byNameB = new LinkedHashMap<>();
        b.layers().forEach(l -> byNameB.put(l.layer().name(), l));
        Map<String, LayerOutput> byNameA = new LinkedHashMap<>();
        a.layers().forEach(l -> byNameA.put(l.layer().name(), l));
        Map<String, String[]> match = new HashMap<>(); // A name -> {B name, how}
        Set<String> usedB = new HashSet<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            LayerOutput la = byNameA.get(e.getKey());
            LayerOutput lb = byNameB.get(e.getValue());
            if (la == null) {
                throw new FilterScopeException(ErrorKind.UNKNOWN_LAYER, "--map " + e.getKey() + "=" + e.getValue() + ": model A has no layer '"
                        + e.getKey() + "' with feature maps; its layers: " + String.join(", ", byNameA.keySet()));
            }
            if (lb == null) {
                throw new FilterScopeException(ErrorKind.UNKNOWN_LAYER, "--map " + e.getKey() + "=" + e.getValue() + ": model B has no layer '"
                        + e.getValue() + "' with feature maps; its layers: " + String.join(", ", byNameB.keySet()));
            }
            if (!la.values().shape().equals(lb.values().shape())) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--map " + e.getKey() + "=" + e.getValue() + ": the layers output "
                        + la.values().shape() + " and " + lb.values().shape() + "; only outputs of one shape can be compared");
            }
            match.put(e.getKey(), new String[] {e.getValue(), "map"});
            usedB.add(e.getValue());
        }
        for (LayerOutput la : a.layers()) {
            String n = la.layer().name();
            LayerOutput lb = byNameB.get(n);
            if (!match.containsKey(n) && lb != null && !usedB.contains(n) && lb.values().shape().equals(la.values().shape())) {
                match.put(n, new String[] {n, "name"});
                usedB.add(n);
            }
        }
        List<LayerOutput> restB = b.layers().stream().filter(l -> !usedB.contains(l.layer().name())).toList();
        int next = 0;
        for (LayerOutput la : a.layers()) {
            if (match.containsKey(la.layer().name())) {
                continue;
            }
            for (int j = next; j < restB.size(); j++) {
                if (restB.get(j).values().shape().equals(la.values().shape())) {
                    match.put(la.layer().name(), new String[] {restB.get(j).layer().name(), "order"});
                    usedB.add(restB.get(j).layer().name());
                    next = j + 1;
                    break;
                }
            }
        }
        List<LayerDiff> rows = new ArrayList<>();
        List<String> unmatchedA = new ArrayList<>();
        for (LayerOutput la : a.layers()) {
            String[] m = match.get(la.layer().name());
            if (m == null) {
                unmatchedA.add(la.layer().name());
                continue;
            }
            rows.add(diff(la.layer().name(), m[0], m[1], la.values(), byNameB.get(m[0]).values(), tol));
        }
        if (a.output().shape().equals(b.output().shape())) {
            rows.add(diff(OUTPUT, OUTPUT, "order", a.output(), b.output(), tol));
        }
        List<String> unmatchedB = b.layers().stream().map(l -> l.layer().name()).filter(n -> !usedB.contains(n)).toList();
        return new Result(rows, unmatchedA, unmatchedB);
    }

    /** The difference of two tensors of one shape. */
    public static LayerDiff diff(String a, String b, String how, Tensor x, Tensor y, Tolerance tol) {
        if (!x.shape().equals(y.shape())) {
            throw new IllegalArgumentException("shapes differ: " + x.shape() + " and " + y.shape());
        }
        FloatBuffer fx = x.buffer();
        FloatBuffer fy = y.buffer();
        int n = x.size();
        double max = 0;
        double sum = 0;
        double scale = 0;
        boolean nan = false;
        for (int i = 0; i < n; i++) {
            double vx = fx.get(i);
            double d = Math.abs(vx - fy.get(i));
            if (Double.isNaN(d)) {
                nan = true;
                continue;
            }
            max = Math.max(max, d);
            sum += d;
            scale = Math.max(scale, Math.abs(vx));
        }
        double maxAbs = nan ? Double.NaN : max;
        return new LayerDiff(a, b, how, x.shape(), maxAbs, n == 0 ? 0 : sum / n, scale,
                nan || maxAbs > tol.atol() + tol.rtol() * scale);
    }

}
