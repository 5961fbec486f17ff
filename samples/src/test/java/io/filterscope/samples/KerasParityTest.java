package io.filterscope.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled Keras 3 model read by the DL4J backend (FilterScope's Keras 3 reader) against the
 * ONNX export of the same Keras model run by ONNX Runtime: every layer's feature maps for the ten
 * bundled images, within 1e-4 relative. The two files were written by Keras itself; neither side
 * was computed here.
 */
class KerasParityTest {
    private static final Path DIR = Path.of("../samples/models/fashion-mnist");

    /**
     * DL4J vertex (the Keras layer name) → the ONNX node whose post-activation output is the same
     * tensor. The logits layer is compared as the models' output: it has no activation, and the
     * ONNX backend shows such a MatMul before its bias Add.
     */
    private static final Map<String, String> SAME_LAYER = Map.of(
            "conv1", "/Conv", "pool1", "/MaxPool",
            "conv2", "/Conv_1", "pool2", "/MaxPool_1",
            "conv3", "/Conv_2", "pool3", "/MaxPool_2",
            "fc1", "/MatMul");

    @ParameterizedTest
    @ValueSource(strings = {"fashion_cnn_keras.keras", "fashion_cnn_keras.h5"})
    void everyLayerMatchesTheOnnxExport(String kerasFile) throws IOException {
        try (Model dl4j = FilterScope.open(DIR.resolve(kerasFile), OpenOptions.defaults().withBackend("dl4j"));
             Model onnx = FilterScope.open(DIR.resolve("fashion_cnn_keras.onnx"), OpenOptions.defaults().withBackend("onnx"))) {
            assertEquals("Keras", dl4j.metadata().format());
            Tensor batch = bundledImages(onnx);
            List<String> dl4jLayers = List.copyOf(SAME_LAYER.keySet());
            Activations a = dl4j.capture(batch, CaptureRequest.layers(dl4jLayers));
            Activations b = onnx.capture(batch, CaptureRequest.layers(dl4jLayers.stream().map(SAME_LAYER::get).toList()));
            for (String layer : dl4jLayers) {
                Tensor mine = a.layer(layer).orElseThrow().values();
                Tensor theirs = b.layer(SAME_LAYER.get(layer)).orElseThrow().values();
                assertClose(theirs, mine, layer);
            }
            assertClose(b.output(), a.output(), "output");
            assertEquals(16, a.layer("conv1").orElseThrow().featureMaps(9).channels());
        }
    }

    /** The ten bundled images, one per class, as the models were trained (pixels / 255). */
    private static Tensor bundledImages(Model model) throws IOException {
        Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
        List<Path> images;
        try (Stream<Path> files = Files.list(DIR.resolve("images"))) {
            images = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(10, images.size());
        float[] all = new float[10 * 28 * 28];
        for (int i = 0; i < images.size(); i++) {
            Tensor one = Preprocessor.load(images.get(i), prep);
            assertArrayEquals(new long[] {1, 28, 28, 1}, one.shape().toArray());
            System.arraycopy(one.toArray(), 0, all, i * 784, 784);
        }
        return Tensor.of(Shape.of(10, 28, 28, 1), all);
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i);
            worst = Math.max(worst, Math.abs(actual.get(i) - e) / Math.max(1.0, Math.abs(e)));
        }
        double w = worst;
        assertTrue(w <= 1e-4, () -> what + ": relative error " + w);
    }
}
