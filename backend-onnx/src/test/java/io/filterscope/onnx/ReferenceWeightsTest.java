package io.filterscope.onnx;

import static io.filterscope.onnx.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.FilterScope;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Weights read by this backend equal what numpy/onnx (and PyTorch's state_dict) say they are. */
class ReferenceWeightsTest {

    static Stream<String> references() {
        return Reference.all();
    }

    @ParameterizedTest
    @MethodSource("references")
    void convWeightsMatchTheReference(String name) {
        Reference ref = Reference.load(name);
        int checked = 0;
        try (Model model = FilterScope.open(ref.model())) {
            for (JsonNode node : ref.list("nodes")) {
                if (!node.hasNonNull("weight_file")) {
                    continue;
                }
                LayerInfo layer = layerFor(model, node);
                FilterBank bank = model.filters(layer.name());
                Tensor onnxLayout = ref.npy(node.get("weight_file").asText());
                Tensor expected = node.get("op_type").asText().equals("ConvTranspose")
                        ? outputFirst(onnxLayout, (int) attr(node, "group", 1)) : onnxLayout;
                assertClose(expected, bank.weights(), name + " " + layer.name() + " weights");
                assertEquals(expected.shape(), layer.filterShape().orElseThrow(), "filter shape known without decoding");
                if (node.hasNonNull("bias_file")) {
                    assertClose(ref.npy(node.get("bias_file").asText()), bank.bias().orElseThrow(), layer.name() + " bias");
                } else {
                    assertTrue(bank.bias().isEmpty());
                }
                assertEquals(attr(node, "group", 1), bank.groups());
                assertEquals(node.get("inputs").get(1).asText(), bank.weightTensor(), layer.name() + " weight tensor");
                JsonNode attrs = node.path("attributes");
                if (attrs.has("strides")) {
                    assertArrayEquals(ints(attrs.get("strides")), bank.stride());
                }
                if (attrs.has("pads")) {
                    assertArrayEquals(ints(attrs.get("pads")), bank.padding());
                }
                if (attrs.has("dilations")) {
                    assertArrayEquals(ints(attrs.get("dilations")), bank.dilation());
                }
                checked++;
            }
        }
        boolean hasConv = ref.list("nodes").stream().anyMatch(n -> n.hasNonNull("weight_file"));
        assertEquals(hasConv, checked > 0);
    }

    /**
     * ConvTranspose weights as the API presents them, computed here straight from the definition:
     * filter o (in group g = o / (out/g)) over input channel i of that group is W[g·in/g + i][o mod out/g].
     */
    static Tensor outputFirst(Tensor w, int groups) {
        int in = (int) w.shape().dim(0);
        int outPer = (int) w.shape().dim(1);
        int kh = (int) w.shape().dim(2);
        int kw = (int) w.shape().dim(3);
        int inPer = in / groups;
        float[] out = new float[w.size()];
        int k = 0;
        for (int o = 0; o < outPer * groups; o++) {
            for (int i = 0; i < inPer; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        out[k++] = w.get((o / outPer) * inPer + i, o % outPer, y, x);
                    }
                }
            }
        }
        return Tensor.wrap(Shape.of(outPer * groups, inPer, kh, kw), out);
    }

    static LayerInfo layerFor(Model model, JsonNode node) {
        String out = node.get("outputs").get(0).asText();
        return model.layers().stream().filter(l -> l.outputTensor().equals(out)).findFirst()
                .orElseThrow(() -> new AssertionError("no layer produces " + out));
    }

    private static long attr(JsonNode node, String key, long fallback) {
        JsonNode a = node.path("attributes").get(key);
        return a == null || a.isNull() ? fallback : a.asLong();
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    @org.junit.jupiter.api.Test
    void pytorchStateDictEqualsTheExportedWeights() {
        Reference ref = Reference.load("fashion_torch");
        JsonNode map = ref.manifest().get("state_dict_map");
        assertFalse(map == null || map.isEmpty(), "manifest maps conv nodes to state_dict names");
        try (Model model = FilterScope.open(ref.model())) {
            var fields = map.fields();
            int n = 0;
            while (fields.hasNext()) {
                var e = fields.next();
                LayerInfo layer = model.layers().stream().filter(l -> l.nodeName().equals(e.getKey())).findFirst().orElseThrow();
                FilterBank bank = model.filters(layer.name());
                assertClose(ref.npy("torch_state_dict/" + e.getValue().get("weight").asText() + ".npy"), bank.weights(), layer.name());
                assertClose(ref.npy("torch_state_dict/" + e.getValue().get("bias").asText() + ".npy"), bank.bias().orElseThrow(), layer.name());
                n++;
            }
            assertEquals(3, n, "the bundled CNN has three conv layers");
        }
    }
}
