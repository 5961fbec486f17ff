package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.contract.ContractFixture;
import io.filterscope.contract.ExplainReferenceCheck;
import io.filterscope.contract.Heatmaps;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The explain package on the bundled Keras model read by this backend (NHWC input): every reference
 * map (computed with PyTorch autograd through Keras 3 on its torch backend, from the papers, by
 * backend-onnx/src/test/python/make_explain_fixtures.py; resources/explain/) through the shared
 * {@link ExplainReferenceCheck}, and this backend's own cases.
 */
class ExplainReferenceTest extends ExplainReferenceCheck {
    static final Path REF = Path.of("src/test/resources/explain");
    /** The bundled Keras model, read by the Keras 3 reader; the references were made from it. */
    static final Path MODEL = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.keras");

    @TempDir
    static Path dir;

    ExplainReferenceTest() {
        super(MODEL, REF, "pool3");
    }

    /** The references are Keras float32, not float64. */
    @Override
    protected double scoreTolerance() {
        return 1e-3;
    }

    @Test
    void smoothGradIsSeededAndWithoutNoiseIsSaliency() {
        Explainer ex = new Explainer(model());
        ExplainRequest.SmoothGrad none = new ExplainRequest.SmoothGrad(0f, 3, 1);
        Explanation flat = ex.explain(input(), ExplainRequest.of(Method.SMOOTH_GRAD).withSmoothGrad(none));
        Heatmaps.assertMatches(Npy.read(REF.resolve("saliency.npy")), flat.heatmap().values(), "smoothgrad without noise");

        ExplainRequest noisy = ExplainRequest.of(Method.SMOOTH_GRAD).withSmoothGrad(new ExplainRequest.SmoothGrad(0.2f, 10, 7))
                .withBatchSize(4);
        List<Integer> done = new ArrayList<>();
        Explanation a = ex.explain(input(), noisy, (d, t) -> done.add(d));
        Explanation b = ex.explain(input(), noisy);
        assertEquals(List.of(4, 8, 10), done);
        assertEquals(a, b);
        assertNotEquals(flat.heatmap(), a.heatmap());
        assertTrue(Heatmaps.pearson(Heatmaps.normalize(flat.heatmap().values().toArray()),
                Heatmaps.normalize(a.heatmap().values().toArray())) > 0.3);
    }

    /**
     * A ComputationGraph in NHWC ({@link TestNets#graph}): Ablation-CAM at the merge of two branches runs
     * the rest of the graph from there; at a layer whose branch joins the input's later it runs too, the
     * branch computed from the input. Running from such a layer without the input is refused.
     */
    @Test
    void ablationCamOnAGraphRunsAfterAJoinAndBeforeIt() throws IOException {
        Path zip = TestNets.save(TestNets.graph(CNN2DFormat.NHWC, DataType.FLOAT), dir.resolve("graph.zip"));
        try (Model graph = io.filterscope.FilterScope.open(zip, OpenOptions.defaults().withInputShape(TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE))) {
            Tensor x = ContractFixture.seededInput(5, 1, TestNets.SIZE, TestNets.SIZE, TestNets.CHANNELS);
            Explanation e = new Explainer(graph).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("merge").withBatchSize(3));
            assertEquals("merge", e.layer().orElseThrow());
            Explanation before = new Explainer(graph).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("pool").withBatchSize(3));
            assertEquals("pool", before.layer().orElseThrow());
            Tensor a = graph.capture(x, io.filterscope.model.CaptureRequest.layers("pool")).layer("pool").orElseThrow().values();
            assertClose(graph.run(x).toArray(), graph.runFrom("pool", a, x).toArray(), "run from pool with the input");
            FilterScopeException alone = assertThrows(FilterScopeException.class, () -> graph.runFrom("pool", a));
            assertEquals(ErrorKind.UNSUPPORTED, alone.kind());
            assertEquals("graph.zip: the output does not depend on layer 'pool' alone (a branch from the input around it joins at 'merge'),"
                    + " so the network cannot be run from its output alone; give the input too (runFrom(layer, layerOutput, input))"
                    + " or choose a later layer, such as one after the join", alone.getMessage());
        }
    }

    /**
     * Keras func_branches (make_residual_ablation_fixtures.py): relu_cap's output is added to a 1×1 conv of
     * the input and concatenated with c1, the conv before it; Ablation-CAM there matches Keras, and running
     * from relu_cap's unchanged output, in a batch of three, gives the model's output three times.
     */
    @Test
    void ablationCamInsideABranchedKerasGraphMatchesKeras() {
        Path res = Path.of("src/test/resources");
        try (Model m = io.filterscope.FilterScope.open(res.resolve("keras3/func_branches/model.keras"))) {
            Tensor x = Npy.read(res.resolve("keras3/func_branches/input.npy"));
            Explanation e = new Explainer(m).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("relu_cap").withBatchSize(3));
            assertEquals(0, e.outputIndex());
            Heatmaps.assertMatches(Npy.read(REF.resolve("residual/ablationcam_relu_cap.npy")), e.heatmap().values(), "ablationcam at relu_cap");
            Tensor a = m.capture(x, io.filterscope.model.CaptureRequest.layers("relu_cap")).layer("relu_cap").orElseThrow().values();
            float[] three = new float[3 * a.size()];
            for (int r = 0; r < 3; r++) {
                System.arraycopy(a.toArray(), 0, three, r * a.size(), a.size());
            }
            float[] y = m.run(x).toArray();
            float[] rows = m.runFrom("relu_cap", Tensor.wrap(a.shape().with(0, 3), three), x).toArray();
            for (int r = 0; r < 3; r++) {
                assertClose(y, java.util.Arrays.copyOfRange(rows, r * y.length, (r + 1) * y.length), "row " + r);
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }
}
