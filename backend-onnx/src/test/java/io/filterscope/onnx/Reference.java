package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of reference values made by samples/scripts/make_reference_fixtures.py with ONNX Runtime's
 * Python API, PyTorch and numpy: the model, its input, every intermediate tensor and every weight.
 */
record Reference(String name, Path folder, JsonNode manifest) {
    static final Path ROOT = Path.of("src/test/resources/reference");

    static Reference load(String name) {
        Path folder = ROOT.resolve(name);
        try {
            return new Reference(name, folder, new ObjectMapper().readTree(folder.resolve("manifest.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every reference folder that has a manifest. */
    static Stream<String> all() {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json")))
                    .map(d -> d.getFileName().toString()).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model file, resolved like the manifest says: relative to the module directory. */
    Path model() {
        String m = manifest.get("model").asText();
        Path p = Path.of(m);
        return Files.exists(p) ? p : folder.resolve(m).normalize();
    }

    Tensor npy(String relative) {
        return Npy.read(folder.resolve(relative));
    }

    List<JsonNode> list(String key) {
        JsonNode n = manifest.get(key);
        return n == null ? List.of() : Stream.of(n).flatMap(a -> java.util.stream.StreamSupport.stream(a.spliterator(), false)).toList();
    }

    /** Element-wise |a − b| ≤ 1e-4 · max(1, |b|), with the worst element in the message. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shape");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i);
            double err = Math.abs(actual.get(i) - e) / Math.max(1.0, Math.abs(e));
            if (err > worst || Double.isNaN(err)) {
                worst = err;
                at = i;
            }
        }
        final int where = at;
        final double w = worst;
        assertTrue(w <= 1e-4, () -> what + ": relative error " + w + " at flat index " + where
                + " (expected " + expected.get(where) + ", got " + actual.get(where) + ")");
    }
}
