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
     * the rest of the graph from there; at a layer whose branch joins the input's later it is refused.
     */
    @Test
    void ablationCamOnAGraphRunsAfterAJoinAndRefusesALayerBeforeIt() throws IOException {
        Path zip = TestNets.save(TestNets.graph(CNN2DFormat.NHWC, DataType.FLOAT), dir.resolve("graph.zip"));
        try (Model graph = io.filterscope.FilterScope.open(zip, OpenOptions.defaults().withInputShape(TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE))) {
            Tensor x = ContractFixture.seededInput(5, 1, TestNets.SIZE, TestNets.SIZE, TestNets.CHANNELS);
            Explanation e = new Explainer(graph).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("merge").withBatchSize(3));
            assertEquals("merge", e.layer().orElseThrow());
            FilterScopeException before = assertThrows(FilterScopeException.class,
                    () -> new Explainer(graph).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("pool")));
            assertEquals(ErrorKind.UNSUPPORTED, before.kind());
            assertEquals("graph.zip: the output does not depend on layer 'pool' alone (a branch from the input around it joins at 'merge'),"
                    + " so the network cannot be run from it; choose a later layer, such as one after the join", before.getMessage());
        }
    }
}
