package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exported gradient graph, run in a session of its own as another runtime would run it, gives
 * PyTorch's input gradient (make_gradient_fixtures.py), as {@code Model.gradients} does.
 */
class GradientGraphsTest {
    private static final Path DIR = Path.of("src/test/resources/gradients/resnetish");

    @Test
    void theExportedGraphRunAloneGivesPyTorchsInputGradient() throws IOException, OrtException {
        int k = new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile()).get("class").asInt();
        Tensor x = Npy.read(DIR.resolve("input.npy"));
        try (Model model = FilterScope.open(DIR.resolve("model.onnx"))) {
            GradientGraphs.Graph g = GradientGraphs.of(model, x.shape(), GradientRequest.ofInput(k));
            Tensor logits = Npy.read(DIR.resolve("logits.npy"));
            assertArrayEquals(logits.shape().toArray(), g.seedShape());
            assertEquals(model.metadata().input().name(), g.input());
            float[] seed = new float[Math.toIntExact(g.seedShape()[0] * g.seedShape()[1])];
            for (int n = 0; n < g.seedShape()[0]; n++) {
                seed[(int) (n * g.seedShape()[1] + k)] = 1f;
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(g.model());
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toArray()), x.shape().toArray());
                 OnnxTensor sd = OnnxTensor.createTensor(env, FloatBuffer.wrap(seed), g.seedShape());
                 OrtSession.Result r = s.run(Map.of(g.input(), in, g.seed(), sd))) {
                OnnxTensor grad = (OnnxTensor) r.get(g.inputGradient().orElseThrow()).orElseThrow();
                FloatBuffer values = grad.getFloatBuffer();
                float[] a = new float[values.remaining()];
                values.get(a);
                OnnxGradientsTest.assertClose(Npy.read(DIR.resolve("grad_input_logit.npy")), Tensor.wrap(Shape.of(grad.getInfo().getShape()), a),
                        "exported graph d logit / d input");
            }
        }
    }
}
