package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CNN families of keras.applications, built by Keras' own builders with seeded random weights at
 * 32×32 (make_keras_apps_fixtures.py), read by Keras3Reader: every layer's output against Keras'
 * own, the largest difference in each layer within 1e-4 of that layer's largest magnitude.
 */
class KerasApplicationsTest {
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "efficientnet_b0, model.keras", "efficientnet_v2_b0, model.keras", "mobilenet_v3_small, model.keras",
        "mobilenet_v3_large, model.keras", "convnext_tiny, model.keras", "resnet50_v2, model.keras",
        "inception_resnet_v2, model.keras", "nasnet_mobile, model.keras", "resnet50, model.keras", "densenet121, model.keras",
        "mobilenet_v2, model.keras", "mobilenet_v1, model.keras", "extras, model.keras", "convnext_mini, model.keras",
        // The legacy HDF5 form: nested models' weights, unnamed weights, operations without their module.
        "extras, model.h5", "convnext_mini, model.h5",
    })
    void everyLayerMatchesKeras(String family, String form) {
        KerasReference ref = KerasReference.of("apps/" + family);
        Path file = ref.folder().resolve(form);
        ComputationGraph network = Keras3Reader.read(file);
        int compared = ref.assertMatchesLayerScale(network);
        assertTrue(compared >= 25, family + ": compared " + compared + " layers");
    }
}
