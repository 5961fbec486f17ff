package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.contract.Heatmaps;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Heatmap;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The explain package on the bundled Keras model read by this backend, against maps computed with
 * PyTorch autograd through Keras 3 on its torch backend, written from the papers
 * (backend-onnx/src/test/python/make_explain_fixtures.py, resources/explain/). The input is NHWC.
 */
class ExplainReferenceTest {
    static final Path MODEL = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.keras");
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
    void matchesKerasAutograd(String file) {
        JsonNode e = entry(file);
        Explanation x = new Explainer(model).explain(input, request(e));
        assertEquals(e.get("class").asInt(), x.outputIndex());
        Heatmaps.assertMatches(Npy.read(REF.resolve(file)), x.heatmap().values(), file);
    }

    @Test
    void saliencyKeepsTheRawGradientInTheInputsLayout() {
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.SALIENCY));
        Tensor want = Npy.read(REF.resolve("saliency_gradient.npy"));
        Tensor got = x.inputGradient().orElseThrow();
        assertEquals(want.shape(), got.shape());
        float scale = 0;
        for (float v : want.toArray()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), 1e-4 * scale, "element " + i);
        }
    }

    @Test
    void defaultsAreTheTopClassAndTheLastSpatialLayer() {
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.GRAD_CAM));
        assertEquals(index.get("top1").asInt(), x.outputIndex());
        assertEquals(Optional.of("pool3"), x.layer());
        assertEquals(3, x.heatmap().height());
        assertEquals((float) index.get("logits").get(x.outputIndex()).asDouble(), x.score(), 1e-3);
    }

    @Test
    void faithfulnessCurvesMatchKeras() {
        JsonNode f = index.get("faithfulness");
        Heatmap map = new Heatmap(Npy.read(REF.resolve(f.get("map").asText())));
        Explanation e = new Explanation(Method.GRAD_CAM, Optional.of("conv3"), index.get("top1").asInt(), 0f, map,
                Optional.empty(), 28, 28);
        Faithfulness got = new Explainer(model).faithfulness(input, e, f.get("steps").asInt(), (float) f.get("baseline").asDouble(),
                16, Progress.NONE);
        float[] del = Npy.read(REF.resolve(f.get("deletion").asText())).toArray();
        float[] ins = Npy.read(REF.resolve(f.get("insertion").asText())).toArray();
        for (int i = 0; i < del.length; i++) {
            assertEquals(del[i], got.deletion().get(i), 1e-3, "deletion step " + i);
            assertEquals(ins[i], got.insertion().get(i), 1e-3, "insertion step " + i);
        }
    }

    @Test
    void smoothGradIsSeededAndWithoutNoiseIsSaliency() {
        Explainer ex = new Explainer(model);
        ExplainRequest.SmoothGrad none = new ExplainRequest.SmoothGrad(0f, 3, 1);
        Explanation flat = ex.explain(input, ExplainRequest.of(Method.SMOOTH_GRAD).withSmoothGrad(none));
        Heatmaps.assertMatches(Npy.read(REF.resolve("saliency.npy")), flat.heatmap().values(), "smoothgrad without noise");

        ExplainRequest noisy = ExplainRequest.of(Method.SMOOTH_GRAD).withSmoothGrad(new ExplainRequest.SmoothGrad(0.2f, 10, 7))
                .withBatchSize(4);
        List<Integer> done = new ArrayList<>();
        Explanation a = ex.explain(input, noisy, (d, t) -> done.add(d));
        Explanation b = ex.explain(input, noisy);
        assertEquals(List.of(4, 8, 10), done);
        assertEquals(a, b);
        assertNotEquals(flat.heatmap(), a.heatmap());
        assertTrue(Heatmaps.pearson(Heatmaps.normalize(flat.heatmap().values().toArray()),
                Heatmaps.normalize(a.heatmap().values().toArray())) > 0.3);
    }
}
