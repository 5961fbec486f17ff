package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing of the ONNX reader (docs/fuzzing.md): the protobuf parse, the external-data
 * checks, the graph analysis, every weight decoder (float, raw, fp16, bf16, int8 with
 * DequantizeLinear, Constant nodes, Identity chains) and the graph rewrite that adds the captured
 * layers as outputs. Without {@code JAZZER_FUZZ=1} it replays the seeds under
 * {@code OnnxFuzzTestInputs/} (the test models, each a few hundred bytes) and every crash found so far.
 *
 * <p>The property: any bytes either open as a model whose filters decode to their declared shape and
 * whose capture (for a small static input) gives every layer asked for, or fail with a
 * {@link FilterScopeException} of one line naming the file. Never another exception.
 */
class OnnxFuzzTest {

    /** Inputs larger than this many values are not run: the point is the reader, not inference speed. */
    private static final int MAX_INPUT_VALUES = 1 << 16;

    @FuzzTest(maxDuration = "60s")
    void openGivesAModelOrOneLine(byte[] data) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-onnx-");
        Path file = dir.resolve("fuzz.onnx");
        try {
            Files.write(file, data);
            try (Model model = new OnnxBackend().open(file, OpenOptions.defaults().withThreads(1, 1))) {
                exercise(model);
            } catch (FilterScopeException e) {
                String m = e.getMessage();
                assertTrue(m.contains("fuzz.onnx"), m);
                assertFalse(m.contains("\n") || m.contains("\r"), m);
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Decodes every filter bank and, for a small static input, captures every layer: the rewrite. */
    private static void exercise(Model model) {
        for (LayerInfo layer : model.layers()) {
            if (layer.kind().hasFilters() && layer.filterShape().isPresent()) {
                FilterBank bank = model.filters(layer.name());
                assertEquals(bank.weights().shape().size(), bank.weights().toArray().length);
            }
        }
        Shape in = model.metadata().input().shape();
        if (model.metadata().inputs().size() != 1 || !"float32".equals(model.metadata().input().elementType())) {
            return;
        }
        Shape one = in.rank() > 0 && in.dim(0) == Shape.UNKNOWN ? in.with(0, 1) : in;
        if (!one.isStatic() || Math.abs(product(one)) > MAX_INPUT_VALUES) {
            return;
        }
        Activations a = model.capture(Tensor.zeros(one), CaptureRequest.allSpatial());
        for (LayerOutput o : a.layers()) {
            assertEquals(o.values().shape().size(), o.values().toArray().length);
        }
    }

    private static long product(Shape s) {
        long n = 1;
        for (long d : s.toArray()) {
            if (d < 0 || (d > 0 && n > Long.MAX_VALUE / d)) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }
}
