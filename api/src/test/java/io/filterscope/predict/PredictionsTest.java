package io.filterscope.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Fixtures;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsTest {

    @Test
    void softmaxOfLogitsMatchesTorch() {
        Tensor logits = Npy.read(Fixtures.path("predict/logits_3x10.npy"));
        Tensor torch = Npy.read(Fixtures.path("predict/softmax_3x10.npy"));
        for (int item = 0; item < 3; item++) {
            List<Prediction> all = Predictions.topK(logits, item, List.of(), 10);
            assertEquals(10, all.size());
            float previous = Float.POSITIVE_INFINITY;
            for (Prediction p : all) {
                assertEquals(torch.get(item, p.index()), p.probability(), 1e-6f, "item " + item + " class " + p.index());
                assertEquals(logits.get(item, p.index()), p.score());
                assertTrue(p.probability() <= previous, "most likely first");
                previous = p.probability();
            }
        }
    }

    @Test
    void hugeLogitsDoNotOverflow() {
        // Row 2 of the fixture is shifted by +1000: exp(1000) is infinite in double.
        List<Prediction> top = Predictions.topK(Npy.read(Fixtures.path("predict/logits_3x10.npy")), 2, List.of(), 3);
        top.forEach(p -> assertTrue(Float.isFinite(p.probability()) && p.probability() > 0));
        assertTrue(top.get(0).score() > 990);
    }

    @Test
    void probabilitiesAreUsedAsTheyAre() {
        Tensor probs = Npy.read(Fixtures.path("predict/softmax_3x10.npy"));
        for (Prediction p : Predictions.topK(probs, 1, List.of(), 10)) {
            assertEquals(probs.get(1, p.index()), p.probability(), "not softmaxed a second time");
            assertEquals(p.score(), p.probability());
        }
    }

    @Test
    void independentFormulaOnKnownValues() {
        // softmax([1, 2, 3]) = e^i / (e + e^2 + e^3)
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        List<Prediction> top = Predictions.topK(Tensor.of(Shape.of(3), new float[] {1, 2, 3}), 0, List.of("a", "b", "c"), 2);
        assertEquals(List.of(new Prediction(2, "c", (float) (Math.exp(3) / sum), 3f), new Prediction(1, "b", (float) (Math.exp(2) / sum), 2f)), top);
        // In range but not summing to one: logits (e.g. an untrained head), softmaxed.
        List<Prediction> uniform = Predictions.topK(Tensor.of(Shape.of(1, 4), new float[] {0.5f, 0.5f, 0.5f, 0.5f}), 0, List.of(), 4);
        uniform.forEach(p -> assertEquals(0.25f, p.probability(), 1e-7f));
        assertEquals(List.of(0, 1, 2, 3), uniform.stream().map(Prediction::index).toList(), "ties in index order");
    }

    @Test
    void labelsFallBackToClassN() {
        Tensor out = Tensor.of(Shape.of(2, 3, 1, 1), new float[] {0.1f, 0.7f, 0.2f, 0.6f, 0.1f, 0.3f});
        List<Prediction> top = Predictions.topK(out, 1, List.of("zero", " "), 3);
        assertEquals("zero", top.get(0).label());
        assertEquals("class 2", top.get(1).label());
        assertEquals("class 1", top.get(2).label(), "a blank label");
        assertThrows(FilterScopeException.class, () -> Predictions.topK(out, 2, List.of(), 1));
        assertThrows(FilterScopeException.class, () -> Predictions.topK(Tensor.zeros(Shape.of(1, 3, 2, 2)), 0, List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> Predictions.topK(out, 0, List.of(), 0));
    }

    @Test
    void readsLabels(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("labels.txt"), "\uFEFF tench \r\ngoldfish\n\ngreat white shark\n\n", StandardCharsets.UTF_8);
        assertEquals(List.of("tench", "goldfish", "", "great white shark"), Predictions.readLabels(f));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertEquals(empty + ": no labels in the file; give one class name per line",
                assertThrows(FilterScopeException.class, () -> Predictions.readLabels(empty)).getMessage());
        Path missing = dir.resolve("missing.txt");
        assertTrue(assertThrows(FilterScopeException.class, () -> Predictions.readLabels(missing)).getMessage().startsWith(missing + ": no such file"));
        Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
        assertTrue(assertThrows(FilterScopeException.class, () -> Predictions.readLabels(binary)).getMessage().startsWith(binary + ": not UTF-8"));
    }
}
