package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.Limits;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureBudget;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A capture whose maps would not fit is refused before the model runs, with what it needs. */
class CaptureBudgetTest {

    @AfterEach
    void restoreTheDefault() {
        System.clearProperty(Limits.CAPTURE_MAX_BYTES);
    }

    /** The estimate is what ONNX Runtime then hands back, for a fixed-size model and a batch. */
    @Test
    void theEstimateIsTheSizeOfTheMapsTheRuntimeReturns() {
        try (Model m = FilterScope.open(OnnxModelTest.BUNDLED)) {
            Tensor batch = Tensor.zeros(Shape.of(5, 1, 28, 28));
            Activations a = m.capture(batch, CaptureRequest.allSpatial());
            long actual = a.layers().stream().mapToLong(l -> 4L * l.values().size()).sum();
            assertEquals(actual, CaptureBudget.estimateBytes(a.layers().stream().map(LayerOutput::layer).toList(), batch.shape()));
        }
    }

    /** A model with open height and width: the estimate takes them from the input. */
    @Test
    void openDimensionsAreTakenFromTheInput() {
        try (Model m = FilterScope.open(OnnxModelTest.MODELS.resolve("dynamic_spatial.onnx"))) {
            Shape shape = m.metadata().input().shape();
            Tensor input = Tensor.zeros(Shape.of(2, shape.dim(1), 20, 20));
            Activations a = m.capture(input, CaptureRequest.allSpatial());
            long actual = a.layers().stream().mapToLong(l -> 4L * l.values().size()).sum();
            long estimate = CaptureBudget.estimateBytes(a.layers().stream().map(LayerOutput::layer).toList(), input.shape());
            assertTrue(estimate >= actual, estimate + " < " + actual);
        }
    }

    @Test
    void aCaptureOverTheBudgetSaysWhatItNeedsAndHowToNarrowIt() {
        try (Model m = FilterScope.open(OnnxModelTest.BUNDLED)) {
            Tensor batch = Tensor.zeros(Shape.of(50, 1, 28, 28));
            long need = m.capture(batch, CaptureRequest.allSpatial()).layers().stream().mapToLong(l -> 4L * l.values().size()).sum();
            System.setProperty(Limits.CAPTURE_MAX_BYTES, Long.toString(need - 1));
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> m.capture(batch, CaptureRequest.allSpatial()));
            String msg = e.getMessage();
            assertFalse(msg.contains("\n"), msg);
            assertTrue(msg.startsWith("fashion_cnn.onnx: capturing ") && msg.contains(" for an input of 50×1×28×28 needs about "
                    + String.format(java.util.Locale.ROOT, "%,.1f MB", need / 1048576.0)) && msg.contains("capture fewer layers (--layer NAME)")
                    && msg.contains("-Dfilterscope.capture.maxBytes=SIZE"), msg);
            // One layer fits; so does the whole capture at exactly its size.
            assertEquals(1, m.capture(batch, CaptureRequest.layers(m.layers().get(0).name())).layers().size());
            System.setProperty(Limits.CAPTURE_MAX_BYTES, Long.toString(need));
            assertFalse(m.capture(batch, CaptureRequest.allSpatial()).layers().isEmpty());
        }
    }

    /** Sizes as for -Xmx. */
    @Test
    void theBudgetTakesUnits() {
        System.setProperty(Limits.CAPTURE_MAX_BYTES, "2g");
        assertEquals(2L << 30, Limits.captureMaxBytes());
        System.setProperty(Limits.CAPTURE_MAX_BYTES, "64K");
        assertEquals(64L << 10, Limits.captureMaxBytes());
        System.setProperty(Limits.CAPTURE_MAX_BYTES, "-5");
        assertThrows(FilterScopeException.class, Limits::captureMaxBytes);
        System.clearProperty(Limits.CAPTURE_MAX_BYTES);
        assertEquals(Runtime.getRuntime().maxMemory() / 2, Limits.captureMaxBytes());
    }
}
