package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.spi.ModelBackend;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A Keras 3 model read by Keras3Reader and used through the DL4J backend's {@code Model}: feature
 * maps against Keras' layer outputs, gradients against torch autograd through Keras
 * (make_keras_fixtures.py). The backend ({@code io.filterscope.dl4j},
 * another branch) is found through the SPI; until it is on the class path these tests are skipped,
 * after the merge they run.
 */
class KerasThroughBackendTest {
    static final Path BUNDLED = Path.of("../samples/models/fashion-mnist");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "fashion, ../samples/models/fashion-mnist/fashion_cnn_keras.keras",
        "fashion, ../samples/models/fashion-mnist/fashion_cnn_keras.h5",
        "seq_cnn, model.keras", "seq_cnn, model.h5",
        "func_branches, model.keras", "func_branches, model.h5",
    })
    void logitGradientsMatchKeras(String fixture, String file) throws IOException {
        KerasReference ref = KerasReference.of(fixture);
        Path model = file.startsWith("..") ? Path.of(file) : ref.folder().resolve(file);
        assertTrue(ServiceLoader.load(ModelBackend.class).stream().anyMatch(b -> b.get().claims(model)),
                "the DL4J backend claims Keras files");
        Tensor input = Npy.read(ref.folder().resolve("input.npy"));
        try (Model m = FilterScope.open(model); Stream<Path> grads = Files.list(ref.folder().resolve("grad"))) {
            for (Path g : grads.toList()) {
                String name = g.getFileName().toString();
                String target = name.substring(0, name.indexOf("_logit"));
                int unit = Integer.parseInt(name.substring(name.indexOf("_logit") + 6, name.length() - 4));
                Tensor expected = Npy.read(g);
                Tensor actual;
                if (target.equals("input")) {
                    actual = m.gradients(input, GradientRequest.ofInput(unit)).input().orElseThrow();
                } else {
                    // Layer gradients come back N × C × H × W; Keras' are NHWC.
                    actual = m.gradients(input, GradientRequest.ofLayers(unit, target)).layer(target).orElseThrow().gradient();
                    expected = expected.transpose(0, 3, 1, 2);
                }
                assertClose(expected, actual, fixture + "/" + file + " d logit" + unit + " / d " + target);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "fashion, ../samples/models/fashion-mnist/fashion_cnn_keras.keras",
        "seq_cnn, model.keras", "seq_cnn, model.h5",
        "func_branches, model.keras", "activations, model.h5",
    })
    void featureMapsMatchKeras(String fixture, String file) {
        KerasReference ref = KerasReference.of(fixture);
        Path model = file.startsWith("..") ? Path.of(file) : ref.folder().resolve(file);
        assertTrue(ServiceLoader.load(ModelBackend.class).stream().anyMatch(b -> b.get().claims(model)),
                "the DL4J backend claims Keras files");
        Tensor input = Npy.read(ref.folder().resolve("input.npy"));
        try (Model m = FilterScope.open(model)) {
            Activations acts = m.capture(input, CaptureRequest.layers(m.layers().stream().map(LayerInfo::name).toList()));
            assertTrue(acts.layers().size() >= 5, "captured " + acts.layers().size());
            for (LayerOutput out : acts.layers()) {
                // A layer is shown after the activation that follows it: compare with that Keras layer.
                String shown = out.tensor().endsWith(Keras3Reader.SOFTMAX_SUFFIX)
                        ? out.tensor().substring(0, out.tensor().length() - Keras3Reader.SOFTMAX_SUFFIX.length()) : out.tensor();
                Tensor expected = Npy.read(ref.folder().resolve("out").resolve(shown + ".npy"));
                if (expected.shape().rank() == 4) {
                    expected = expected.transpose(0, 3, 1, 2);
                }
                assertClose(expected, out.values(), fixture + "/" + file + " layer " + out.layer().name() + " (" + out.tensor() + ")");
            }
        }
    }

    /** Within 1e-4 of the largest reference magnitude: gradients span orders of magnitude. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        double scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": reference is all zero");
        for (int i = 0; i < e.length; i++) {
            double tol = 1e-4 * scale;
            if (Math.abs(a[i] - e[i]) > tol) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", Keras says " + e[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
