package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CNN families of keras.applications, built by Keras' own builders with seeded random weights at
 * 32×32 (make_keras_apps_fixtures.py), read by Keras3Reader: every layer's output against Keras'
 * own, the largest difference in each layer within 1e-4 of that layer's largest magnitude.
 */
class KerasApplicationsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"efficientnet_b0", "efficientnet_v2_b0", "mobilenet_v3_small", "mobilenet_v3_large", "convnext_tiny",
        "resnet50_v2", "inception_resnet_v2", "extras"})
    void everyLayerMatchesKeras(String family) {
        KerasReference ref = KerasReference.of("apps/" + family);
        Path file = ref.folder().resolve("model.keras");
        ComputationGraph network = Keras3Reader.read(file);
        int compared = ref.assertMatchesLayerScale(network);
        assertTrue(compared >= 25, family + ": compared " + compared + " layers");
    }
}
