package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The reflective call into the Keras 3 reader, with stand-in readers at the seam (the real reader
 * lives on another branch): what it returns is used, what it throws reaches the user as one line.
 */
class Keras3HookTest {
    static final Path KERAS = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.keras");

    /** Stands in for {@code Keras3Reader}: a real graph, whatever the file. */
    public static final class GraphReader {
        static Path lastFile;

        public static ComputationGraph read(Path file) {
            lastFile = file;
            return TestNets.graph(CNN2DFormat.NHWC, DataType.FLOAT);
        }
    }

    /** Stands in for a reader that refuses a file. */
    public static final class RefusingReader {
        public static ComputationGraph read(Path file) {
            throw new IllegalArgumentException("layer 'Rescaling' is not supported\nsecond line");
        }
    }

    @Test
    void theReadersGraphComesBackWithWhatTheFileSays() {
        KerasConfig config = KerasConfig.read(KERAS);
        KerasLoader.Loaded loaded = Keras3Hook.find(GraphReader.class.getName()).orElseThrow().load(KERAS, config);
        assertEquals(KERAS, GraphReader.lastFile);
        assertTrue(loaded.network() instanceof ComputationGraph);
        assertEquals("keras 3.15.1", loaded.producer());
        assertEquals(".keras", loaded.formatVersion());
        assertArrayEquals(new long[] {1, 28, 28}, loaded.inputShape().orElseThrow(), "channels_last 28×28×1 as C×H×W");
    }

    @Test
    void aReadersFailureIsOneLineNamingTheFile() {
        KerasConfig config = KerasConfig.read(KERAS);
        Keras3Hook hook = Keras3Hook.find(RefusingReader.class.getName()).orElseThrow();
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> hook.load(KERAS, config));
        assertEquals("fashion_cnn_keras.keras: the Keras 3 reader cannot read this model (layer 'Rescaling' is not supported)",
                e.getMessage());
    }

    @Test
    void noReaderClassMeansNoHook() {
        assertTrue(Keras3Hook.find("io.filterscope.dl4j.keras.NoSuchReader").isEmpty());
    }
}
