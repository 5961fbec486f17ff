package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.contract.Heatmaps;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Heatmap;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Capability;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The explain package on the bundled PyTorch model exported to ONNX, against maps computed with PyTorch
 * from the papers (src/test/python/make_explain_fixtures.py, resources/explain/). Forward-only methods
 * run now; gradient methods run once this backend reports {@link Capability#GRADIENTS}.
 */
class ExplainReferenceTest {
    static final Path MODEL = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");
    static final Path REF = Path.of("src/test/resources/explain");

    static Model model;
    static JsonNode index;
    static Tensor input;

    @BeforeAll
    static void open() throws IOException {
        model = FilterScope.open(MODEL);
        index = new ObjectMapper().readTree(REF.resolve("index.json").toFile());
        input = Npy.read(REF.resolve("input.npy"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<String> maps() throws IOException {
        JsonNode idx = new ObjectMapper().readTree(REF.resolve("index.json").toFile());
        return StreamSupport.stream(idx.get("maps").spliterator(), false)
                .filter(m -> !m.get("method").asText().equals("saliency-gradient"))
                .map(m -> m.get("file").asText());
    }

    static JsonNode entry(String file) {
        for (JsonNode m : index.get("maps")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file);
    }

    /** The request the fixture entry describes. */
    static ExplainRequest request(JsonNode e) {
        ExplainRequest r = ExplainRequest.of(Method.parse(e.get("method").asText())).forOutput(e.get("class").asInt());
        if (!e.get("layer").isNull()) {
            r = r.atLayer(e.get("layer").asText());
        }
        if (e.has("top_channels")) {
            r = r.withTopChannels(e.get("top_channels").asInt());
        }
        if (e.has("window")) {
            r = r.withOcclusion(new ExplainRequest.Occlusion(e.get("window").asInt(), e.get("stride").asInt(),
                    (float) e.get("baseline").asDouble()));
        }
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void matchesPyTorch(String file) {
        JsonNode e = entry(file);
        ExplainRequest r = request(e);
        if (r.method().needsGradients()) {
            // Asserted, not assumed: losing the gradients of the bundled model must fail, not skip.
            assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
        }
        Explanation x = new Explainer(model).explain(input, r);
        assertEquals(e.get("class").asInt(), x.outputIndex());
        Heatmaps.assertMatches(Npy.read(REF.resolve(file)), x.heatmap().values(), file);
    }

    @Test
    void saliencyGradientMatchesAutograd() {
        assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.SALIENCY));
        Tensor want = Npy.read(REF.resolve("saliency_gradient.npy"));
        Reference.assertClose(want, x.inputGradient().orElseThrow(), "d logit / d input");
    }

    @Test
    void defaultsAreTheTopClassAndTheLastSpatialLayer() {
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.SCORE_CAM));
        assertEquals(index.get("top1").asInt(), x.outputIndex());
        assertEquals(Optional.of("/pool3/MaxPool"), x.layer());
        assertEquals(3, x.heatmap().height());
        assertEquals(28, x.upsampled().height());
        assertEquals((float) index.get("logits").get(x.outputIndex()).asDouble(), x.score(), 1e-4);
    }

    @Test
    void faithfulnessCurvesMatchPyTorch() {
        JsonNode f = index.get("faithfulness");
        Heatmap map = new Heatmap(Npy.read(REF.resolve(f.get("map").asText())));
        Explanation e = new Explanation(Method.GRAD_CAM, Optional.of("/conv3/Conv"), index.get("top1").asInt(), 0f, map,
                Optional.empty(), 28, 28);
        Faithfulness got = new Explainer(model).faithfulness(input, e, f.get("steps").asInt(), (float) f.get("baseline").asDouble(),
                16, Progress.NONE);
        float[] del = Npy.read(REF.resolve(f.get("deletion").asText())).toArray();
        float[] ins = Npy.read(REF.resolve(f.get("insertion").asText())).toArray();
        assertEquals(del.length, got.deletion().size());
        for (int i = 0; i < del.length; i++) {
            assertEquals(del[i], got.deletion().get(i), 1e-3, "deletion step " + i);
            assertEquals(ins[i], got.insertion().get(i), 1e-3, "insertion step " + i);
        }
        assertTrue(got.deletionArea() < got.insertionArea(), got.toString());
    }

    @Test
    void gradientMethodOnAModelWithoutGradientsSuggestsAForwardOnlyOne() {
        // The bundled model has gradients now; this fixture (a bilinear Resize) has none.
        Path file = Path.of("src/test/resources/gradients/unsupported/model.onnx");
        Tensor x = Npy.read(file.resolveSibling("input.npy"));
        try (Model m = FilterScope.open(file)) {
            FilterScopeException e = assertThrows(FilterScopeException.class,
                    () -> new Explainer(m).explain(x, ExplainRequest.of(Method.GRAD_CAM)));
            assertEquals(ErrorKind.UNSUPPORTED, e.kind());
            assertTrue(e.getMessage().startsWith("model.onnx: gradcam needs gradients"), e.getMessage());
            assertTrue(e.getMessage().contains("forward-only method: scorecam, occlusion"), e.getMessage());
        }
    }

    @Test
    void classOutOfRangeIsRefused() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model).explain(input, ExplainRequest.of(Method.SCORE_CAM).forOutput(10)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("fashion_cnn.onnx: class 10 is out of range; the model has 10 outputs (0 to 9)", e.getMessage());
    }

    @Test
    void camOnALayerWithoutSpatialOutputIsRefused() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model).explain(input, ExplainRequest.of(Method.SCORE_CAM).atLayer("/fc1/Gemm")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("fashion_cnn.onnx: layer '/fc1/Gemm' outputs "), e.getMessage());
        assertTrue(e.getMessage().contains("/pool3/MaxPool"), e.getMessage());
    }

    @Test
    void unknownLayerNamesCloseOnes() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model).explain(input, ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Con")));
        assertEquals(ErrorKind.UNKNOWN_LAYER, e.kind());
    }

    @Test
    void longMethodsReportProgressAndCanBeCancelled() {
        List<int[]> seen = new ArrayList<>();
        new Explainer(model).explain(input, ExplainRequest.of(Method.OCCLUSION).withBatchSize(10),
                (done, total) -> seen.add(new int[] {done, total}));
        // window 4 (28 / 8 rounded), stride 2: 13 × 13 windows in batches of 10
        assertEquals(17, seen.size());
        assertEquals(169, seen.get(seen.size() - 1)[0]);
        assertEquals(169, seen.get(0)[1]);

        int[] updates = {0};
        Progress stopAfterFirst = Progress.of((d, t) -> updates[0]++, () -> updates[0] > 0);
        assertThrows(CancellationException.class, () -> new Explainer(model).explain(input,
                ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv").withBatchSize(8), stopAfterFirst));
        assertEquals(1, updates[0]);
    }

    @Test
    void topChannelsChangesTheMapButKeepsItsPlace() {
        Explainer ex = new Explainer(model);
        Explanation all = ex.explain(input, ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv"));
        Explanation top = ex.explain(input, ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv").withTopChannels(16));
        assertFalse(all.heatmap().equals(top.heatmap()));
        assertTrue(Heatmaps.pearson(all.heatmap().normalized().values().toArray(), top.heatmap().normalized().values().toArray()) > 0.5);
    }

    @Test
    void occlusionOfAnyOutputUnitOnAnNhwcModelMatchesOnnxRuntime() {
        try (Model nhwc = FilterScope.open(Path.of("src/test/resources/models/nhwc_input.onnx"))) {
            Tensor x = Npy.read(REF.resolve("nhwc/input.npy"));
            Explanation e = new Explainer(nhwc).explain(x, ExplainRequest.of(Method.OCCLUSION).forOutput(100)
                    .withOcclusion(new ExplainRequest.Occlusion(3, 1, 0.5f)).withBatchSize(7));
            assertEquals(100, e.outputIndex());
            Heatmaps.assertMatches(Npy.read(REF.resolve("nhwc/occlusion_unit100_w3_s1_b0.5.npy")), e.heatmap().values(), "nhwc occlusion");
            FilterScopeException out = assertThrows(FilterScopeException.class,
                    () -> new Explainer(nhwc).explain(x, ExplainRequest.of(Method.OCCLUSION).forOutput(256)));
            assertTrue(out.getMessage().endsWith("class 256 is out of range; the model has 256 outputs (0 to 255)"), out.getMessage());
        }
    }

    @Test
    void theDefaultLayerPassesOverAOnePixelGlobalPool() {
        try (Model residual = FilterScope.open(Path.of("src/test/resources/contract/residual.onnx"))) {
            List<String> spatial = residual.layers().stream().filter(l -> l.hasSpatialOutput()).map(l -> l.name()).toList();
            String last = spatial.get(spatial.size() - 1);
            assertEquals("GlobalAveragePool", residual.layer(last).op(), spatial.toString());
            io.filterscope.model.LayerInfo chosen = new Explainer(residual).defaultLayer();
            assertTrue(chosen.outputShape().orElseThrow().dim(2) > 1, chosen.toString());
            assertEquals(spatial.get(spatial.size() - 2), chosen.name());
        }
    }
}
