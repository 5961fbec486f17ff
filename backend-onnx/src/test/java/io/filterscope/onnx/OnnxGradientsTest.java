package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Capability;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerGradient;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the ONNX backward pass against PyTorch autograd (float64) on small ResNet- and
 * MobileNet-like models and one of the later rules (PRelu, Elu, Gelu, Erf, Slice, Gather, Split,
 * GlobalMaxPool) that together use every operator {@link Backprop} differentiates; made by
 * {@code src/test/python/make_gradient_fixtures.py}.
 */
class OnnxGradientsTest {
    private static final Path ROOT = Path.of("src/test/resources/gradients");
    /** As the issue asks: max |ours − PyTorch| ≤ 1e-4 · max |PyTorch|, per tensor. */
    private static final double RTOL = 1e-4;

    private static JsonNode manifest(String name) throws IOException {
        return new ObjectMapper().readTree(ROOT.resolve(name).resolve("manifest.json").toFile());
    }

    private static Tensor npy(String name, String file) {
        return Npy.read(ROOT.resolve(name).resolve(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnetish", "mobilenetish", "extras"})
    void inputAndLayerGradientsEqualPyTorch(String name) throws IOException {
        JsonNode m = manifest(name);
        int k = m.get("class").asInt();
        Tensor x = npy(name, "input.npy");
        try (Model model = FilterScope.open(ROOT.resolve(name).resolve("model.onnx"))) {
            assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
            List<String> layers = new ArrayList<>();
            for (JsonNode l : m.get("layers")) {
                layers.add(layerWithTensor(model, l.get("tensor").asText()).name());
            }
            Gradients g = model.gradients(x, GradientRequest.ofLayers(k, layers.toArray(String[]::new)).andInput());
            assertClose(npy(name, "logits.npy"), g.output(), name + " output");
            assertClose(npy(name, "grad_input_logit.npy"), g.input().orElseThrow(), name + " d logit / d input");
            int i = 0;
            for (JsonNode l : m.get("layers")) {
                LayerGradient lg = g.layers().get(i++);
                assertClose(npy(name, l.get("act").asText()), lg.activation(), name + " " + lg.layer().name() + " activation");
                assertClose(npy(name, l.get("grad").asText()), lg.gradient(), name + " d logit / d " + lg.layer().name());
            }
            // The model ends without softmax: its output is the logit, whichever score is asked for.
            assertClose(npy(name, "grad_input_logit.npy"),
                    model.gradients(x, GradientRequest.ofInput(k).withScore(GradientRequest.Score.OUTPUT)).input().orElseThrow(), name + " output score");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnetish", "mobilenetish"})
    void aChannelsMeanActivationHasPyTorchsGradientsAndItsLayerIsTheOutput(String name) throws IOException {
        JsonNode m = manifest(name);
        Tensor x = npy(name, "input.npy");
        try (OnnxModel model = (OnnxModel) FilterScope.open(ROOT.resolve(name).resolve("model.onnx"))) {
            for (JsonNode t : m.get("channels")) {
                String layer = layerWithTensor(model, t.get("tensor").asText()).name();
                String earlier = layerWithTensor(model, t.get("earlier").get("tensor").asText()).name();
                int c = t.get("channel").asInt();
                Gradients g = model.gradients(x, GradientRequest.ofChannel(layer, c).andLayers(earlier));
                String what = name + " mean of " + layer + "[" + c + "]";
                assertClose(npy(name, t.get("act").asText()), g.output(), what + ": the output is the layer's activation");
                assertClose(npy(name, t.get("grad_input").asText()), g.input().orElseThrow(), "d " + what + " / d input");
                assertClose(npy(name, t.get("earlier").get("grad").asText()), g.layer(earlier).orElseThrow().gradient(),
                        "d " + what + " / d " + earlier);
                // Another channel of the same layer reuses the session: the channel is in the seed.
                int sessions = model.cachedSessions();
                Gradients other = model.gradients(x, GradientRequest.ofChannel(layer, c == 0 ? 1 : 0).andLayers(earlier));
                assertEquals(sessions, model.cachedSessions(), "one session serves every channel of a layer");
                assertFalse(other.input().orElseThrow().equals(g.input().orElseThrow()), "another channel, another gradient");
            }
        }
    }

    @Test
    void aChannelTargetIsCheckedAgainstItsLayer() {
        Tensor x = npy("resnetish", "input.npy");
        try (Model model = FilterScope.open(ROOT.resolve("resnetish/model.onnx"))) {
            String stem = model.layers().get(0).name();
            FilterScopeException range = assertThrows(FilterScopeException.class, () -> model.gradients(x, GradientRequest.ofChannel(stem, 8)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, range.kind());
            assertEquals("model.onnx: channel 8 is out of range; layer '" + stem + "' has 8 channels (0 to 7)", range.getMessage());
            FilterScopeException unknown = assertThrows(FilterScopeException.class, () -> model.gradients(x, GradientRequest.ofChannel("nope", 0)));
            assertEquals(ErrorKind.UNKNOWN_LAYER, unknown.kind());
        }
        Path file = ROOT.resolve("unsupported/model.onnx");
        try (Model model = FilterScope.open(file)) {
            FilterScopeException e = assertThrows(FilterScopeException.class,
                    () -> model.gradients(npy("unsupported", "input.npy"), GradientRequest.ofChannel(model.layers().get(0).name(), 0)));
            assertEquals(ErrorKind.UNSUPPORTED, e.kind());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnetish", "mobilenetish"})
    void aFinalSoftmaxIsSkippedForLogitsAndDifferentiatedForOutputs(String name) {
        int k = 3;
        Tensor x = npy(name, "input.npy");
        try (Model model = FilterScope.open(ROOT.resolve(name).resolve("model_softmax.onnx"))) {
            Gradients logit = model.gradients(x, GradientRequest.ofInput(k));
            assertClose(npy(name, "output.npy"), logit.output(), name + " softmax output");
            assertClose(npy(name, "grad_input_logit.npy"), logit.input().orElseThrow(), name + " d logit / d input, past the softmax");
            Gradients prob = model.gradients(x, GradientRequest.ofInput(k).withScore(GradientRequest.Score.OUTPUT));
            assertClose(npy(name, "grad_input_output.npy"), prob.input().orElseThrow(), name + " d softmax / d input");
        }
    }

    /**
     * The extras model exported at opset 17, where PyTorch writes GELU as Erf arithmetic (exact) and
     * Tanh arithmetic (the approximation) instead of Gelu nodes: the same gradients through Erf's rule.
     */
    @Test
    void geluAsErfArithmeticAtOpset17HasTheSameGradients() throws IOException {
        JsonNode m = manifest("extras");
        int k = m.get("class").asInt();
        Tensor x = npy("extras", "input.npy");
        try (Model model = FilterScope.open(ROOT.resolve("extras/model_opset17.onnx"))) {
            assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
            Gradients g = model.gradients(x, GradientRequest.ofInput(k));
            assertClose(npy("extras", "logits.npy"), g.output(), "opset 17 output");
            assertClose(npy("extras", "grad_input_logit.npy"), g.input().orElseThrow(), "opset 17 d logit / d input");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fashion_cnn.onnx", "fashion_cnn_keras.onnx"})
    void theBundledModelsHaveGradientsInTheirOwnLayout(String file) {
        try (Model model = FilterScope.open(Path.of("../samples/models/fashion-mnist").resolve(file))) {
            assertTrue(model.capabilities().contains(Capability.GRADIENTS), file + " " + model.capabilities());
            long[] dims = model.metadata().input().shape().toArray();
            dims[0] = 2;
            float[] v = new float[(int) java.util.Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
            java.util.Random rnd = new java.util.Random(5);
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextFloat();
            }
            Tensor x = Tensor.of(io.filterscope.tensor.Shape.of(dims), v);
            LayerInfo conv = model.layers().stream().filter(LayerInfo::hasSpatialOutput).findFirst().orElseThrow();
            Gradients g = model.gradients(x, GradientRequest.ofLayers(1, conv.name()).andInput());
            assertArrayEquals(dims, g.input().orElseThrow().shape().toArray(), "input gradient in the input's own layout");
            LayerGradient lg = g.layer(conv.name()).orElseThrow();
            assertEquals(conv.outputShape().orElseThrow().dim(1), lg.gradient().shape().dim(1), "layer gradient N×C×H×W");
            assertClose(model.run(x), g.output(), file + " output");
        }
    }

    @Test
    void anotherClassReusesTheSessionAndAnIndexOutOfRangeIsRefused() {
        Tensor x = npy("resnetish", "input.npy");
        try (OnnxModel model = (OnnxModel) FilterScope.open(ROOT.resolve("resnetish/model.onnx"))) {
            Gradients g3 = model.gradients(x, GradientRequest.ofInput(3));
            int sessions = model.cachedSessions();
            Gradients g0 = model.gradients(x, GradientRequest.ofInput(0));
            assertEquals(sessions, model.cachedSessions(), "one session serves every class");
            assertFalse(g0.input().orElseThrow().equals(g3.input().orElseThrow()), "different classes, different gradients");
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> model.gradients(x, GradientRequest.ofInput(6)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().startsWith("model.onnx: output index 6 is out of range; the model has 6 outputs"), e.getMessage());
        }
    }

    @Test
    void aLayerTheScoreDoesNotReachHasAZeroGradientAndTheInputGradientComesOnlyWhenAsked() {
        Tensor x = npy("resnetish", "input.npy");
        try (Model model = FilterScope.open(ROOT.resolve("resnetish/model.onnx"))) {
            String stem = model.layers().get(0).name();
            Gradients g = model.gradients(x, GradientRequest.ofLayers(3, stem));
            assertTrue(g.input().isEmpty());
            assertEquals(1, g.layers().size());
            assertArrayEquals(new long[] {2, 8, 9, 8}, g.layers().get(0).gradient().shape().toArray());
        }
    }

    @Test
    void anOperatorWithoutABackwardRuleIsNamedAndForwardCaptureStillWorks() {
        Path file = ROOT.resolve("unsupported/model.onnx");
        Tensor x = npy("unsupported", "input.npy");
        try (Model model = FilterScope.open(file)) {
            assertFalse(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> model.gradients(x, GradientRequest.ofInput(0)));
            assertEquals(ErrorKind.UNSUPPORTED, e.kind());
            assertTrue(e.getMessage().startsWith("model.onnx: gradients need a backward rule for every operator between the input and the output; "
                    + "operator Resize"), e.getMessage());
            assertTrue(e.getMessage().contains("forward-only"), e.getMessage());
            assertClose(npy("unsupported", "logits.npy"), model.run(x), "forward output");
        }
    }

    private static LayerInfo layerWithTensor(Model model, String tensor) {
        return model.layers().stream().filter(l -> l.outputTensor().equals(tensor)).findFirst()
                .orElseThrow(() -> new AssertionError("no layer outputs " + tensor));
    }

    /** max |actual − expected| ≤ RTOL · max |expected|. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.get(i)));
            worst = Math.max(worst, Math.abs(expected.get(i) - actual.get(i)));
        }
        double rel = worst / scale;
        assertTrue(scale > 0, what + ": the reference is all zeros");
        assertTrue(rel <= RTOL, what + ": max error " + worst + " is " + rel + " of the largest value " + scale);
    }
}
