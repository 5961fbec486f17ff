package io.filterscope.onnx;

import static io.filterscope.onnx.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every intermediate tensor captured by this backend equals what ONNX Runtime's Python API returns
 * for the same input, element by element.
 */
class ReferenceActivationsTest {

    static Stream<String> references() {
        return Reference.all();
    }

    @ParameterizedTest
    @MethodSource("references")
    void everyLayerOutputMatchesOnnxRuntimePython(String name) {
        Reference ref = Reference.load(name);
        try (Model model = FilterScope.open(ref.model())) {
            check(ref, model, "input.npy", "activations");
            if (!ref.list("activations_batch2").isEmpty()) {
                check(ref, model, "input_batch2.npy", "activations_batch2");
            }
            for (String extra : List.of("activations_large")) {
                if (!ref.list(extra).isEmpty()) {
                    check(ref, model, ref.manifest().path("input_large").asText("input_large.npy"), extra);
                }
            }
        }
    }

    private static void check(Reference ref, Model model, String inputFile, String key) {
        Tensor input = ref.npy(inputFile);
        Map<String, LayerInfo> byTensor = model.layers().stream().collect(Collectors.toMap(LayerInfo::outputTensor, l -> l, (a, b) -> a));
        List<String> wanted = new ArrayList<>();
        for (JsonNode a : ref.list(key)) {
            LayerInfo l = byTensor.get(a.get("tensor").asText());
            if (l != null) {
                wanted.add(l.name());
            }
        }
        assertTrue(!wanted.isEmpty(), ref.name() + ": no reference tensor is a layer output");
        Activations act = model.capture(input, new CaptureRequest(CaptureRequest.Selection.NAMED, wanted, CaptureMode.PRE_ACTIVATION));
        int compared = 0;
        for (JsonNode a : ref.list(key)) {
            LayerInfo l = byTensor.get(a.get("tensor").asText());
            if (l == null) {
                continue;
            }
            LayerOutput out = act.layer(l.name()).orElseThrow();
            Tensor expected = ref.npy(a.get("file").asText());
            // The API shows spatial maps channel-first; the reference keeps the model's own layout.
            boolean nhwc = expected.shape().rank() == 4 && !expected.shape().equals(out.values().shape());
            assertClose(nhwc ? expected.transpose(0, 3, 1, 2) : expected, out.values(), ref.name() + " " + key + " " + l.name());
            compared++;
        }
        assertEquals(wanted.size(), compared);
        // The model's own output comes with every capture.
        String outName = model.metadata().outputs().get(0).name();
        ref.list(key).stream().filter(a -> a.get("tensor").asText().equals(outName)).findFirst()
                .ifPresent(a -> assertClose(ref.npy(a.get("file").asText()), act.output(), ref.name() + " output"));
    }

    @ParameterizedTest
    @MethodSource("references")
    void postActivationCaptureShowsTheActivationOutput(String name) {
        Reference ref = Reference.load(name);
        try (Model model = FilterScope.open(ref.model())) {
            Tensor input = ref.npy("input.npy");
            Activations post = model.capture(input, CaptureRequest.allSpatial());
            Map<String, JsonNode> byTensor = ref.list("activations").stream().collect(Collectors.toMap(a -> a.get("tensor").asText(), a -> a));
            for (LayerOutput out : post.layers()) {
                JsonNode a = byTensor.get(out.tensor());
                assertTrue(a != null, "captured tensor " + out.tensor() + " has a reference");
                Tensor expected = ref.npy(a.get("file").asText());
                boolean nhwc = expected.shape().rank() == 4 && !expected.shape().equals(out.values().shape());
                assertClose(nhwc ? expected.transpose(0, 3, 1, 2) : expected, out.values(), name + " post-activation " + out.layer().name());
                if (out.layer().kind().hasFilters() && !out.tensor().equals(out.layer().outputTensor())) {
                    assertTrue(List.of("Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "Elu")
                            .contains(a.get("producer_op").asText()), "post-activation tensor comes from an activation");
                }
            }
            assertTrue(post.layers().stream().allMatch(LayerOutput::isSpatial));
        }
    }
}
