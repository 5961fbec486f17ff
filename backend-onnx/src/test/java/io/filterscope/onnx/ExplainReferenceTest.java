package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.contract.ExplainReferenceCheck;
import io.filterscope.contract.Heatmaps;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/**
 * The explain package on the bundled PyTorch model exported to ONNX: every reference map
 * (src/test/python/make_explain_fixtures.py, resources/explain/; PyTorch float64 from the papers) through
 * the shared {@link ExplainReferenceCheck}, and this backend's own cases: refusals, progress and
 * cancelling, an NHWC model, a residual model's default layer, layers with a skip connection around them.
 */
class ExplainReferenceTest extends ExplainReferenceCheck {
    static final Path REF = Path.of("src/test/resources/explain");

    ExplainReferenceTest() {
        super(Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx"), REF, "/pool3/MaxPool");
    }

    @Test
    void gradientMethodOnAModelWithoutGradientsSuggestsAForwardOnlyOne() {
        // The bundled model has gradients now; this fixture (a bicubic Resize) has none.
        Path file = Path.of("src/test/resources/gradients/unsupported/model.onnx");
        Tensor x = Npy.read(file.resolveSibling("input.npy"));
        try (Model m = FilterScope.open(file)) {
            FilterScopeException e = assertThrows(FilterScopeException.class,
                    () -> new Explainer(m).explain(x, ExplainRequest.of(Method.GRAD_CAM)));
            assertEquals(ErrorKind.UNSUPPORTED, e.kind());
            assertTrue(e.getMessage().startsWith("model.onnx: gradcam needs gradients"), e.getMessage());
            assertTrue(e.getMessage().contains("forward-only method: scorecam, ablationcam, occlusion"), e.getMessage());
        }
    }

    @Test
    void classOutOfRangeIsRefused() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model()).explain(input(), ExplainRequest.of(Method.SCORE_CAM).forOutput(10)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("fashion_cnn.onnx: class 10 is out of range; the model has 10 outputs (0 to 9)", e.getMessage());
    }

    @Test
    void camOnALayerWithoutSpatialOutputIsRefused() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model()).explain(input(), ExplainRequest.of(Method.SCORE_CAM).atLayer("/fc1/Gemm")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("fashion_cnn.onnx: layer '/fc1/Gemm' outputs "), e.getMessage());
        assertTrue(e.getMessage().contains("/pool3/MaxPool"), e.getMessage());
    }

    @Test
    void unknownLayerNamesCloseOnes() {
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(model()).explain(input(), ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Con")));
        assertEquals(ErrorKind.UNKNOWN_LAYER, e.kind());
    }

    @Test
    void longMethodsReportProgressAndCanBeCancelled() {
        List<int[]> seen = new ArrayList<>();
        new Explainer(model()).explain(input(), ExplainRequest.of(Method.OCCLUSION).withBatchSize(10),
                (done, total) -> seen.add(new int[] {done, total}));
        // window 4 (28 / 8 rounded), stride 2: 13 × 13 windows in batches of 10
        assertEquals(17, seen.size());
        assertEquals(169, seen.get(seen.size() - 1)[0]);
        assertEquals(169, seen.get(0)[1]);

        int[] updates = {0};
        Progress stopAfterFirst = Progress.of((d, t) -> updates[0]++, () -> updates[0] > 0);
        assertThrows(CancellationException.class, () -> new Explainer(model()).explain(input(),
                ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv").withBatchSize(8), stopAfterFirst));
        assertEquals(1, updates[0]);
    }

    @Test
    void topChannelsChangesTheMapButKeepsItsPlace() {
        Explainer ex = new Explainer(model());
        Explanation all = ex.explain(input(), ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv"));
        Explanation top = ex.explain(input(), ExplainRequest.of(Method.SCORE_CAM).atLayer("/conv3/Conv").withTopChannels(16));
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

    @Test
    void ablationCamRunsPastAResidualJoinAndInsideABlock() {
        try (Model residual = FilterScope.open(Path.of("src/test/resources/contract/residual.onnx"))) {
            Tensor x = io.filterscope.contract.ContractFixture.seededInput(7, residual.metadata().input().shape().with(0, 1).toArray());
            Explanation e = new Explainer(residual).explain(x, ExplainRequest.of(Method.ABLATION_CAM));
            assertEquals(new Explainer(residual).defaultLayer().name(), e.layer().orElseThrow());
            // conv1's output reaches the output only with the stem's, which goes around it to the first Add:
            // with the input, the stem's output is computed from it; without, the layer is refused.
            Explanation inside = new Explainer(residual).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer("conv1"));
            assertEquals("conv1", inside.layer().orElseThrow());
            Tensor a = residual.capture(x, io.filterscope.model.CaptureRequest.layers("conv1")).layer("conv1").orElseThrow().values();
            FilterScopeException alone = assertThrows(FilterScopeException.class, () -> residual.runFrom("conv1", a));
            assertEquals(ErrorKind.UNSUPPORTED, alone.kind());
            assertEquals("residual.onnx: the output does not depend on layer 'conv1' alone (a branch from the input around it"
                    + " joins at 'add1'), so the network cannot be run from its output alone; give the input too"
                    + " (runFrom(layer, layerOutput, input)) or choose a later layer, such as one after the join", alone.getMessage());
        }
    }

    /**
     * Inside residual blocks of a PyTorch ResNet (make_residual_ablation_fixtures.py): in the first block the
     * block's input goes around the layer, in the downsampling one a strided 1×1 conv of it. Ablation-CAM
     * matches PyTorch float64 there, and running from the layer's unchanged output, one row or several,
     * gives the model's output.
     */
    @Test
    void ablationCamInsideResidualBlocksMatchesPyTorch() {
        Path dir = REF.resolve("residual");
        try (Model resnet = FilterScope.open(dir.resolve("model.onnx"))) {
            Tensor x = Npy.read(dir.resolve("input.npy"));
            Tensor logits = resnet.run(x);
            for (String[] c : new String[][] {{"/layer1/conv1/Conv", "ablationcam_layer1.npy"}, {"/layer2/conv1/Conv", "ablationcam_layer2.npy"}}) {
                Explanation e = new Explainer(resnet).explain(x, ExplainRequest.of(Method.ABLATION_CAM).atLayer(c[0]).withBatchSize(5));
                assertEquals(1, e.outputIndex());
                Heatmaps.assertMatches(Npy.read(dir.resolve(c[1])), e.heatmap().values(), "ablationcam at " + c[0]);

                Tensor a = resnet.capture(x, io.filterscope.model.CaptureRequest.layers(c[0])).layer(c[0]).orElseThrow().values();
                assertClose(logits.toArray(), resnet.runFrom(c[0], a, x).toArray(), c[0]);
                float[] three = new float[3 * a.size()];
                for (int r = 0; r < 3; r++) {
                    System.arraycopy(a.toArray(), 0, three, r * a.size(), a.size());
                }
                Tensor rows = resnet.runFrom(c[0], Tensor.wrap(a.shape().with(0, 3), three), x);
                assertEquals(3, rows.shape().dim(0));
                for (int r = 0; r < 3; r++) {
                    assertClose(logits.toArray(), java.util.Arrays.copyOfRange(rows.toArray(), r * 5, (r + 1) * 5), c[0] + " row " + r);
                }
                FilterScopeException batch = assertThrows(FilterScopeException.class,
                        () -> resnet.runFrom(c[0], Tensor.wrap(a.shape().with(0, 3), three), Tensor.wrap(x.shape().with(0, 2), new float[2 * x.size()])));
                assertEquals(ErrorKind.INPUT_SHAPE, batch.kind());
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
