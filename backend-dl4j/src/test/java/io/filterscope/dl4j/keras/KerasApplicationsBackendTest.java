package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * keras.applications models through the DL4J backend's {@code Model}: feature maps of every layer
 * it shows against Keras, and d logit / d input against torch autograd through Keras
 * (make_keras_apps_fixtures.py); the new vertices and activations are on both paths.
 */
class KerasApplicationsBackendTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"efficientnet_b0", "mobilenet_v3_small", "convnext_tiny"})
    void inputGradientsMatchTorchThroughKeras(String family) throws IOException {
        KerasReference ref = KerasReference.of("apps/" + family);
        Tensor input = Npy.read(ref.folder().resolve("input.npy"));
        try (Model m = FilterScope.open(ref.folder().resolve("model.keras")); Stream<Path> grads = Files.list(ref.folder().resolve("grad"))) {
            List<Path> files = grads.toList();
            assertTrue(!files.isEmpty(), family + " has gradient references");
            for (Path g : files) {
                String name = g.getFileName().toString();
                int unit = Integer.parseInt(name.substring(name.indexOf("_logit") + 6, name.length() - 4));
                Tensor actual = m.gradients(input, GradientRequest.ofInput(unit)).input().orElseThrow();
                KerasThroughBackendTest.assertClose(Npy.read(g), actual, family + " d logit" + unit + " / d input");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"efficientnet_b0", "mobilenet_v3_small", "convnext_tiny", "extras"})
    void featureMapsMatchKeras(String family) {
        KerasReference ref = KerasReference.of("apps/" + family);
        Tensor input = Npy.read(ref.folder().resolve("input.npy"));
        try (Model m = FilterScope.open(ref.folder().resolve("model.keras"))) {
            Activations acts = m.capture(input, CaptureRequest.layers(m.layers().stream().map(LayerInfo::name).toList()));
            assertTrue(acts.layers().size() >= 5, "captured " + acts.layers().size());
            for (LayerOutput out : acts.layers()) {
                String shown = out.tensor().endsWith(Keras3Reader.SOFTMAX_SUFFIX)
                        ? out.tensor().substring(0, out.tensor().length() - Keras3Reader.SOFTMAX_SUFFIX.length()) : out.tensor();
                Tensor expected = Npy.read(ref.folder().resolve("out").resolve(shown + ".npy"));
                if (expected.shape().rank() == 4) {
                    expected = expected.transpose(0, 3, 1, 2);
                }
                KerasThroughBackendTest.assertClose(expected, out.values(), family + " layer " + out.layer().name() + " (" + out.tensor() + ")");
            }
        }
    }

    @Test
    void layerListNamesTheOperations() {
        try (Model m = FilterScope.open(KerasReference.of("apps/convnext_mini").folder().resolve("model.keras"))) {
            LayerInfo ln = m.layers().stream().filter(l -> l.name().equals("convnext_mini_stem_layernorm")).findFirst().orElseThrow();
            assertEquals("LayerNormVertex", ln.op());
            LayerInfo scale = m.layers().stream().filter(l -> l.name().equals("convnext_mini_stage_0_block_0_layer_scale")).findFirst().orElseThrow();
            assertEquals("ChannelAffineVertex", scale.op());
        }
    }

    @Test
    void configurationWithNewVerticesSurvivesJsonRoundTrip() {
        KerasReference ref = KerasReference.of("apps/extras");
        ComputationGraph net = Keras3Reader.read(ref.folder().resolve("model.keras"));
        ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson()));
        copy.init(net.params().dup(), false);
        ref.assertMatchesLayerScale(copy);
    }
}
