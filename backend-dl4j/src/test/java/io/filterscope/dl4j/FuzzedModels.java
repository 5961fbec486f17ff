package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The property the DL4J backend's fuzz targets hold (docs/fuzzing.md): fuzzed bytes, written to a
 * file of the given name, either open as a model whose filters decode to their declared shape and
 * whose capture of a small input gives every layer, or fail with a {@link FilterScopeException} of
 * one line naming the file. Never another exception.
 */
final class FuzzedModels {
    /** Inputs larger than this are not run: the point is the reader, not inference speed. */
    private static final long MAX_INPUT_VALUES = 1 << 16;

    private FuzzedModels() {
    }

    static void openGivesAModelOrOneLine(byte[] data, String fileName) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-dl4j-");
        Path file = dir.resolve(fileName);
        try {
            Files.write(file, data);
            try (Model model = new Dl4jBackend().open(file, OpenOptions.defaults())) {
                exercise(model);
            } catch (FilterScopeException e) {
                String m = e.getMessage();
                assertTrue(m.contains(fileName), m);
                assertFalse(m.contains("\n") || m.contains("\r"), m);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static void exercise(Model model) {
        for (LayerInfo layer : model.layers()) {
            if (layer.kind().hasFilters() && layer.filterShape().isPresent()) {
                FilterBank bank = model.filters(layer.name());
                assertEquals(bank.weights().shape().size(), bank.weights().toArray().length);
            }
        }
        if (model.metadata().inputs().size() != 1) {
            return;
        }
        Shape in = model.metadata().input().shape();
        Shape one = in.rank() > 0 && in.dim(0) == Shape.UNKNOWN ? in.with(0, 1) : in;
        long n = 1;
        for (long d : one.toArray()) {
            if (d <= 0 || n * d > MAX_INPUT_VALUES) {
                return;
            }
            n *= d;
        }
        Activations a = model.capture(Tensor.zeros(one), CaptureRequest.allSpatial());
        for (LayerOutput o : a.layers()) {
            assertEquals(o.values().shape().size(), o.values().toArray().length);
        }
    }
}
