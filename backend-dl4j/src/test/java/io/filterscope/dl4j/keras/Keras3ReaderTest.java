package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every layer of every fixture model, read from both Keras 3 forms, against Keras' own outputs. */
class Keras3ReaderTest {
    static final Path BUNDLED = Path.of("../samples/models/fashion-mnist");

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "seq_cnn, model.keras", "seq_cnn, model.h5",
        "func_branches, model.keras", "func_branches, model.h5",
        "activations, model.keras", "activations, model.h5",
        "two_inputs, model.keras",
    })
    void everyLayerMatchesKeras(String model, String form) {
        KerasReference ref = KerasReference.of(model);
        Path file = ref.folder().resolve(form);
        assertTrue(Keras3Reader.isKeras3(file));
        ComputationGraph network = Keras3Reader.read(file);
        ref.assertMatches(network);
    }

    @ParameterizedTest(name = "bundled {0}")
    @CsvSource({"fashion_cnn_keras.keras", "fashion_cnn_keras.h5"})
    void bundledFashionModelMatchesKeras(String form) {
        Path file = BUNDLED.resolve(form);
        assertTrue(Keras3Reader.isKeras3(file));
        ComputationGraph network = Keras3Reader.read(file);
        assertEquals(10, KerasReference.of("fashion").assertMatches(network));
    }
}
