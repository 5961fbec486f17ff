package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code filterscope explain} end to end: its files against the PyTorch / Keras references of the
 * backends' explain tests, and its refusals (exit 2, one line, nothing written).
 */
class ExplainCommandTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");
    private static final Path ONNX_REF = Path.of("../backend-onnx/src/test/resources/explain");
    private static final Path KERAS_REF = Path.of("../backend-dl4j/src/test/resources/explain");

    @TempDir
    Path tmp;

    @Test
    void scoreCamOnTheBundledModelWritesOverlayHeatmapAndIndex() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("explain", "--method", "scorecam", "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        assertEquals(List.of("index.json", "scorecam.heatmap.png", "scorecam.overlay.png"), Fixtures.fileNames(out));
        JsonNode index = Fixtures.index(out);
        assertEquals("explain", index.get("command").asText());
        assertEquals("scorecam", index.get("method").asText());
        assertEquals("/pool3/MaxPool", index.get("layer").asText());
        int k = index.get("class").asInt();
        // The bundled default image is an ankle boot, class 9, which the model gets right.
        assertEquals(9, k, index::toPrettyString);
        assertEquals(Fixtures.labels().get(9), index.get("label").asText());
        JsonNode f = index.get("faithfulness");
        assertEquals(51, f.get("deletion").size());
        assertTrue(f.get("deletion_area").asDouble() < f.get("insertion_area").asDouble(), f::toPrettyString);
        BufferedImage overlay = ImageIO.read(out.resolve("scorecam.overlay.png").toFile());
        assertEquals(224, overlay.getWidth());
        assertEquals(224, overlay.getHeight());
        assertTrue(r.out().contains("wrote 3 files to " + out), r::toString);
    }

    @Test
    void scoreCamNpyEqualsThePyTorchReference() {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("explain", FASHION.resolve("fashion_cnn.onnx"), "--input-npy", ONNX_REF.resolve("input.npy"),
                "--method", "scorecam", "--layer", "/conv3/Conv", "--class", 2, "--npy", "--faithfulness-steps", 0, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("index.json", "scorecam.heatmap.npy", "scorecam.heatmap.png", "scorecam.heatmap.upsampled.npy",
                "scorecam.overlay.png"), Fixtures.fileNames(out));
        JsonNode index = Fixtures.index(out);
        assertEquals(2, index.get("class").asInt());
        assertFalse(index.has("faithfulness"));
        assertNormalizedEquals(Npy.read(ONNX_REF.resolve("scorecam_class2.npy")), Npy.read(out.resolve("scorecam.heatmap.npy")));
        Tensor up = Npy.read(out.resolve("scorecam.heatmap.upsampled.npy"));
        assertEquals(io.filterscope.tensor.Shape.of(28, 28), up.shape());
    }

    @Test
    void ablationCamOnBothBackendsEqualsTheReferencesAndIsRecorded() {
        for (Path[] modelAndRef : new Path[][] {{FASHION.resolve("fashion_cnn.onnx"), ONNX_REF},
                {FASHION.resolve("fashion_cnn_keras.keras"), KERAS_REF}}) {
            Path out = tmp.resolve("ablation-" + modelAndRef[0].getFileName());
            Cli.Result r = Cli.run("explain", modelAndRef[0], "--input-npy", modelAndRef[1].resolve("input.npy"),
                    "--method", "ablationcam", "--layer", modelAndRef[0].toString().endsWith(".onnx") ? "/conv3/Conv" : "conv3",
                    "--class", 2, "--batch", 5, "--npy", "--faithfulness-steps", 0, "-o", out);
            assertEquals(0, r.code(), r::toString);
            assertEquals(List.of("ablationcam.heatmap.npy", "ablationcam.heatmap.png", "ablationcam.heatmap.upsampled.npy",
                    "ablationcam.overlay.png", "index.json"), Fixtures.fileNames(out));
            JsonNode index = Fixtures.index(out);
            assertEquals("ablationcam", index.get("method").asText());
            assertEquals(2, index.get("class").asInt());
            assertNormalizedEquals(Npy.read(modelAndRef[1].resolve("ablationcam_class2.npy")), Npy.read(out.resolve("ablationcam.heatmap.npy")));
        }
    }

    @Test
    void ablationCamInsideAResidualBlockEqualsThePyTorchReference() {
        // /layer1/conv1/Conv sits inside a residual block: the block's input goes around it to the Add.
        Path ref = Path.of("../backend-onnx/src/test/resources/explain/residual");
        Path out = tmp.resolve("residual");
        Cli.Result r = Cli.run("explain", ref.resolve("model.onnx"), "--input-npy", ref.resolve("input.npy"), "--method", "ablationcam",
                "--layer", "/layer1/conv1/Conv", "--npy", "--faithfulness-steps", 0, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertNormalizedEquals(Npy.read(ref.resolve("ablationcam_layer1.npy")), Npy.read(out.resolve("ablationcam.heatmap.npy")));
    }

    @Test
    void gradCamAndSaliencyOnTheKerasModelEqualTheReferences() {
        Path keras = FASHION.resolve("fashion_cnn_keras.keras");
        Path out = tmp.resolve("gradcam");
        Cli.Result r = Cli.run("explain", keras, "--input-npy", KERAS_REF.resolve("input.npy"), "--method", "gradcam",
                "--layer", "conv3", "--npy", "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertNormalizedEquals(Npy.read(KERAS_REF.resolve("gradcam.npy")), Npy.read(out.resolve("gradcam.heatmap.npy")));

        Path sal = tmp.resolve("saliency");
        r = Cli.run("explain", keras, "--input-npy", KERAS_REF.resolve("input.npy"), "--method", "saliency", "--npy",
                "--faithfulness-steps", 0, "-o", sal);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("index.json", "saliency.gradient.npy", "saliency.heatmap.npy", "saliency.heatmap.png",
                "saliency.heatmap.upsampled.npy", "saliency.overlay.png"), Fixtures.fileNames(sal));
        Tensor want = Npy.read(KERAS_REF.resolve("saliency_gradient.npy"));
        Tensor got = Npy.read(sal.resolve("saliency.gradient.npy"));
        assertEquals(want.shape(), got.shape());
        float scale = 0;
        for (float v : want.toArray()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), 1e-4 * scale, "gradient element " + i);
        }
        assertTrue(Fixtures.index(sal).get("layer").isNull());
    }

    @Test
    void gradientMethodOnAModelWithoutGradientsSuggestsAForwardOnlyOne() {
        // The bundled model has gradients now; this fixture (a bicubic Resize) has none.
        Path noGradients = Path.of("../backend-onnx/src/test/resources/gradients/unsupported");
        assertRefused(List.of(noGradients.resolve("model.onnx").toString(), "--input-npy", noGradients.resolve("input.npy").toString(),
                "--method", "gradcam"), "model.onnx: gradcam needs gradients", "use a forward-only method: scorecam, ablationcam, occlusion");
    }

    @Test
    void badRequestsGetOneLineAndWriteNothing() {
        assertRefused(List.of("--method", "scorecam", "--class", "10"), "class 10 is out of range; the model has 10 outputs (0 to 9)");
        assertRefused(List.of("--method", "scorecam", "--layer", "/fc1/Gemm"), "layer '/fc1/Gemm' outputs",
                "not N×C×H×W feature maps");
        assertRefused(List.of("--method", "scorecam", "--layer", "/conv3/Con"), "/conv3/Con");
        assertRefused(List.of("--method", "gradcamm"), "unknown explanation method 'gradcamm'; known: gradcam, gradcampp");
        assertRefused(List.of("--method", "occlusion", "--layer", "/conv3/Conv"), "--layer applies to the CAM methods");
        assertRefused(List.of("--method", "smoothgrad", "--samples", "0"), "--samples must be 1 or more");
    }

    private void assertRefused(List<String> args, String... fragments) {
        Cli.assertRefused("explain", tmp.resolve("refused"), args, fragments);
    }

    private static void assertNormalizedEquals(Tensor reference, Tensor normalized) {
        assertEquals(reference.shape(), normalized.shape());
        float[] ref = reference.toArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : ref) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        for (int i = 0; i < ref.length; i++) {
            assertEquals((ref[i] - lo) / (hi - lo), normalized.get(i), 1e-3, "element " + i);
        }
    }

    /**
     * The class count comes from the model's declared output shape, not from a run: the bundled
     * exports declare batch × 10 (onnx's own reading of the files, as ONNX Runtime reports them).
     */
    @Test
    void classesAreCountedFromTheOutputSpec() {
        for (String file : List.of("fashion_cnn.onnx", "fashion_cnn_keras.onnx")) {
            try (io.filterscope.model.Model m = io.filterscope.FilterScope.open(FASHION.resolve(file))) {
                assertEquals(java.util.OptionalInt.of(10), ExplainCommand.declaredClasses(m.metadata()), file);
            }
        }
        // An output with no batch axis to divide by is not guessed at.
        io.filterscope.model.ModelMetadata meta;
        try (io.filterscope.model.Model m = io.filterscope.FilterScope.open(FASHION.resolve("fashion_cnn.onnx"))) {
            meta = m.metadata();
        }
        assertEquals(java.util.OptionalInt.empty(), ExplainCommand.declaredClasses(withOutputShape(meta, io.filterscope.tensor.Shape.of(10))));
        assertEquals(java.util.OptionalInt.empty(), ExplainCommand.declaredClasses(withOutputShape(meta,
                io.filterscope.tensor.Shape.of(1, io.filterscope.tensor.Shape.UNKNOWN))));
    }

    private static io.filterscope.model.ModelMetadata withOutputShape(io.filterscope.model.ModelMetadata m, io.filterscope.tensor.Shape shape) {
        io.filterscope.model.TensorSpec out = m.outputs().get(0);
        List<String> names = java.util.Collections.nCopies(shape.rank(), "");
        return new io.filterscope.model.ModelMetadata(m.file(), m.fileSize(), m.format(), m.producer(), m.formatVersion(), m.opsetVersion(),
                m.inputs(), List.of(new io.filterscope.model.TensorSpec(out.name(), shape, names, out.elementType())), m.inputLayout());
    }
}
