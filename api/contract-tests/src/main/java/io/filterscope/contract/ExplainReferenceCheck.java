package io.filterscope.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Heatmap;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The explain package on a backend's model against reference maps no one here computed: a folder
 * written by {@code backend-onnx/src/test/python/make_explain_fixtures.py} (PyTorch, or Keras 3 on its
 * torch backend, from the papers) with {@code index.json}, {@code input.npy} and one {@code .npy} per
 * map. A backend subclasses it in its test sources with its model and folder:
 *
 * <pre>{@code
 * class ExplainReferenceTest extends ExplainReferenceCheck {
 *     ExplainReferenceTest() {
 *         super(Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx"), Path.of("src/test/resources/explain"), "/pool3/MaxPool");
 *     }
 * }
 * }</pre>
 *
 * <p>Every map in the index is recomputed with the request its entry describes and compared as the
 * explain issue asks ({@link Heatmaps#assertMatches}: both normalised, Pearson ≥ 0.99, max |diff| ≤
 * 1e-3); methods that need {@link Capability#GRADIENTS} or {@link Capability#RUN_FROM_LAYER} assert
 * the capability instead of skipping, so losing it fails. Also: the raw saliency gradient, the
 * defaults (top-1 class, last spatial layer larger than 1 × 1), the faithfulness curves, and that
 * Ablation-CAM does not depend on how its ablations are batched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExplainReferenceCheck {
    private final Path modelFile;
    private final Path references;
    private final String defaultLayer;
    private Model model;
    private JsonNode index;
    private Tensor input;

    /**
     * @param modelFile    the model the references were computed for
     * @param references   the folder with {@code index.json}
     * @param defaultLayer the layer {@link Explainer#defaultLayer()} must pick on this model
     */
    protected ExplainReferenceCheck(Path modelFile, Path references, String defaultLayer) {
        this.modelFile = modelFile;
        this.references = references;
        this.defaultLayer = defaultLayer;
    }

    /** How close the explained score must be to the reference's logit (float32 references need more). */
    protected double scoreTolerance() {
        return 1e-4;
    }

    /** The open model, for a subclass's own cases. */
    protected final Model model() {
        return model;
    }

    /** The reference input, in the model's layout. */
    protected final Tensor input() {
        return input;
    }

    /** The parsed {@code index.json}. */
    protected final JsonNode index() {
        return index;
    }

    /** A file in the reference folder. */
    protected final Path reference(String file) {
        return references.resolve(file);
    }

    @BeforeAll
    final void openReferences() throws IOException {
        index = new ObjectMapper().readTree(references.resolve("index.json").toFile());
        input = Npy.read(references.resolve("input.npy"));
        model = FilterScope.open(modelFile);
    }

    @AfterAll
    final void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    final Stream<String> maps() throws IOException {
        JsonNode idx = new ObjectMapper().readTree(references.resolve("index.json").toFile());
        return StreamSupport.stream(idx.get("maps").spliterator(), false)
                .filter(m -> !m.get("method").asText().equals("saliency-gradient"))
                .map(m -> m.get("file").asText());
    }

    private JsonNode entry(String file) {
        for (JsonNode m : index.get("maps")) {
            if (m.get("file").asText().equals(file)) {
                return m;
            }
        }
        throw new AssertionError(file + " is not in " + references.resolve("index.json"));
    }

    /** The request a fixture entry describes. */
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
    void matchesTheReference(String file) {
        JsonNode e = entry(file);
        ExplainRequest r = request(e);
        // Asserted, not assumed: a backend that loses a capability its references need must fail, not skip.
        if (r.method().needsGradients()) {
            assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
        }
        if (r.method() == Method.ABLATION_CAM) {
            assertTrue(model.capabilities().contains(Capability.RUN_FROM_LAYER), model.capabilities().toString());
        }
        Explanation x = new Explainer(model).explain(input, r);
        assertEquals(e.get("class").asInt(), x.outputIndex());
        assertEquals(r.layer(), x.layer());
        Heatmaps.assertMatches(Npy.read(references.resolve(file)), x.heatmap().values(), file);
    }

    @Test
    void saliencyKeepsTheRawGradientInTheInputsLayout() {
        assertTrue(model.capabilities().contains(Capability.GRADIENTS), model.capabilities().toString());
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.SALIENCY));
        Tensor want = Npy.read(references.resolve("saliency_gradient.npy"));
        Tensor got = x.inputGradient().orElseThrow();
        assertArrayEquals(want.shape().toArray(), got.shape().toArray());
        float scale = 0;
        for (float v : want.toArray()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), 1e-4 * scale, "d output / d input, element " + i);
        }
    }

    @Test
    void defaultsAreTheTopClassAndTheLastSpatialLayer() {
        Explanation x = new Explainer(model).explain(input, ExplainRequest.of(Method.ABLATION_CAM));
        assertEquals(index.get("top1").asInt(), x.outputIndex());
        assertEquals(Optional.of(defaultLayer), x.layer());
        Shape at = model.layer(defaultLayer).outputShape().orElseThrow();
        assertEquals(at.dim(2), x.heatmap().height());
        assertEquals(at.dim(3), x.heatmap().width());
        assertEquals(inputSize()[0], x.upsampled().height());
        assertEquals(inputSize()[1], x.upsampled().width());
        assertEquals(index.get("logits").get(x.outputIndex()).asDouble(), x.score(), scoreTolerance());
    }

    @Test
    void faithfulnessCurvesMatchTheReference() {
        JsonNode f = index.get("faithfulness");
        String mapFile = f.get("map").asText();
        JsonNode e = entry(mapFile);
        Heatmap map = new Heatmap(Npy.read(references.resolve(mapFile)));
        Explanation ex = new Explanation(Method.parse(e.get("method").asText()), Optional.of(e.get("layer").asText()),
                index.get("top1").asInt(), 0f, map, Optional.empty(), inputSize()[0], inputSize()[1]);
        Faithfulness got = new Explainer(model).faithfulness(input, ex, f.get("steps").asInt(), (float) f.get("baseline").asDouble(),
                16, Progress.NONE);
        float[] del = Npy.read(references.resolve(f.get("deletion").asText())).toArray();
        float[] ins = Npy.read(references.resolve(f.get("insertion").asText())).toArray();
        assertEquals(del.length, got.deletion().size());
        assertEquals(ins.length, got.insertion().size());
        for (int i = 0; i < del.length; i++) {
            assertEquals(del[i], got.deletion().get(i), 1e-3, "deletion step " + i);
            assertEquals(ins[i], got.insertion().get(i), 1e-3, "insertion step " + i);
        }
        assertTrue(got.deletionArea() < got.insertionArea(), got.toString());
    }

    /** The input's height and width, in the model's layout. */
    private int[] inputSize() {
        boolean nhwc = model.metadata().inputLayout() == io.filterscope.model.Layout.NHWC;
        return new int[] {(int) input.shape().dim(nhwc ? 1 : 2), (int) input.shape().dim(nhwc ? 2 : 3)};
    }

    /**
     * Running the network from a layer's own output gives the model's output, and Ablation-CAM gives the
     * same map whether its ablated copies run one at a time or in uneven batches.
     */
    @Test
    void runFromALayerAndBatchedAblations() {
        String layer = new Explainer(model).defaultLayer().name();
        Tensor whole;
        Tensor at;
        try (Activations acts = model.capture(input, CaptureRequest.layers(layer))) {
            whole = Tensor.wrap(acts.output().shape(), acts.output().toArray());
            at = acts.layer(layer).orElseThrow().values();
            at = Tensor.wrap(at.shape(), at.toArray());
        }
        Tensor rerun = model.runFrom(layer, at);
        assertArrayEquals(whole.shape().toArray(), rerun.shape().toArray());
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(whole.get(i), rerun.get(i), 1e-4 * Math.max(1, Math.abs(whole.get(i))), "output " + i);
        }
        // A batch of three different layer outputs gives each its own row.
        float[] three = new float[3 * at.size()];
        float[] a = at.toArray();
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < a.length; i++) {
                three[n * a.length + i] = a[i] * (n == 1 ? 0f : n == 2 ? 0.5f : 1f);
            }
        }
        Tensor rows = model.runFrom(layer, Tensor.wrap(at.shape().with(0, 3), three));
        int per = whole.size();
        assertEquals(3 * per, rows.size());
        Tensor half = model.runFrom(layer, Tensor.wrap(at.shape(), java.util.Arrays.copyOfRange(three, 2 * a.length, 3 * a.length)));
        for (int i = 0; i < per; i++) {
            assertEquals(whole.get(i), rows.get(i), 1e-4 * Math.max(1, Math.abs(whole.get(i))), "row 0, output " + i);
            assertEquals(half.get(i), rows.get(2 * per + i), 1e-4 * Math.max(1, Math.abs(half.get(i))), "row 2, output " + i);
        }

        Explainer ex = new Explainer(model);
        Explanation one = ex.explain(input, ExplainRequest.of(Method.ABLATION_CAM).withBatchSize(1));
        Explanation seven = ex.explain(input, ExplainRequest.of(Method.ABLATION_CAM).withBatchSize(7));
        float[] p = one.heatmap().values().toArray();
        float[] q = seven.heatmap().values().toArray();
        float top = 0;
        for (float v : p) {
            top = Math.max(top, Math.abs(v));
        }
        for (int i = 0; i < p.length; i++) {
            assertEquals(p[i], q[i], 1e-4 * top, "pixel " + i);
        }
    }
}
