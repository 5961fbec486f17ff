package io.filterscope.onnx;

import static io.filterscope.onnx.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Method;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Captures write into recycled output memory ({@link OutputPool}): a capture someone still holds
 * never changes, a closed one can no longer be read, and the values are ONNX Runtime Python's.
 */
class RecycledOutputsTest {
    private final Reference ref = Reference.load("fashion_torch");
    private final Tensor input = ref.npy("input.npy");
    /** The second image of the batch-2 reference input, as a batch of one: a different picture. */
    private final Tensor other = ref.npy("input_batch2.npy").slice(1).reshape(input.shape());

    /** Each captured map checked against the ONNX Runtime Python reference of {@code input}. */
    private void assertMatchesReference(Activations a) {
        Map<String, String> fileOf = new HashMap<>();
        for (JsonNode n : ref.list("activations")) {
            fileOf.put(n.get("tensor").asText(), n.get("file").asText());
        }
        int compared = 0;
        for (LayerOutput lo : a.layers()) {
            String file = fileOf.get(lo.tensor());
            if (file != null) {
                assertClose(ref.npy(file), lo.values(), lo.layer().name());
                compared++;
            }
        }
        assertTrue(compared >= 3, "compared " + compared + " maps");
    }

    @Test
    void aHeldCaptureKeepsItsValuesWhileLaterCapturesRun() {
        assertNotEquals(input, other);
        try (Model m = FilterScope.open(ref.model())) {
            Activations held = m.capture(input, CaptureRequest.allSpatial());
            for (int i = 0; i < 4; i++) {
                try (Activations later = m.capture(other, CaptureRequest.allSpatial())) {
                    assertNotEquals(held.layers().get(0).values(), later.layers().get(0).values());
                }
            }
            assertMatchesReference(held);
        }
    }

    @Test
    void closingACaptureGivesItsMemoryToTheNextAndEndsItsReads() {
        try (Model m = FilterScope.open(ref.model())) {
            OnnxModel om = (OnnxModel) m;
            Activations first = m.capture(input, CaptureRequest.allSpatial());
            Tensor maps = first.layers().get(0).values();
            FeatureMaps slice = first.layers().get(0).featureMaps(0);
            assertTrue(maps.isReadable());
            first.close();
            assertFalse(maps.isReadable());
            assertThrows(IllegalStateException.class, () -> maps.get(0));
            assertThrows(IllegalStateException.class, maps::toArray);
            assertThrows(IllegalStateException.class, maps::buffer);
            assertThrows(IllegalStateException.class, () -> slice.maps().toArray());
            assertThrows(IllegalStateException.class, () -> first.output().get(0));
            assertEquals(1, om.freeOutputSlabs(), "the closed capture's buffers wait for the next");

            Activations second = m.capture(other, CaptureRequest.allSpatial());
            assertEquals(0, om.freeOutputSlabs(), "the next capture took them");
            second.close();
            try (Activations third = m.capture(input, CaptureRequest.allSpatial())) {
                assertMatchesReference(third);
            }
        }
    }

    @Test
    void thePoolKeepsAFewFreeSetsAndNoneOnceTheModelIsClosed() {
        try (Model m = FilterScope.open(ref.model())) {
            OnnxModel om = (OnnxModel) m;
            Activations a = m.capture(input, CaptureRequest.allSpatial());
            Activations b = m.capture(input, CaptureRequest.allSpatial());
            Activations c = m.capture(input, CaptureRequest.allSpatial());
            a.close();
            b.close();
            c.close();
            assertEquals(2, om.freeOutputSlabs(), "two free sets kept for one kind of capture, the third left to the GC");
            Activations d = m.capture(input, CaptureRequest.allSpatial());
            assertMatchesReference(d);
            m.close();
            assertEquals(0, om.freeOutputSlabs());
            assertMatchesReference(d);
            d.close();
            assertEquals(0, om.freeOutputSlabs(), "nothing comes back to a closed model's pool");
        }
    }

    @Test
    void closingTheModelLeavesHeldCapturesReadable() {
        Activations a;
        try (Model m = FilterScope.open(ref.model())) {
            a = m.capture(input, CaptureRequest.allSpatial());
        }
        assertMatchesReference(a);
        a.close();
    }

    @Test
    void aCaptureNobodyHoldsComesBackToThePool() throws InterruptedException {
        try (Model m = FilterScope.open(ref.model())) {
            OnnxModel om = (OnnxModel) m;
            m.capture(input, CaptureRequest.allSpatial());
            // Polls up to a minute: a bound on a hang, not a timing (2 s may not be enough on a loaded machine).
            for (int i = 0; i < 3000 && om.freeOutputSlabs() == 0; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(1, om.freeOutputSlabs(), "the garbage collector gave the unreachable capture's memory back");
        }
    }

    @Test
    void scoreCamGivesItsCapturesBackAsItGoes() {
        try (Model m = FilterScope.open(ref.model())) {
            OnnxModel om = (OnnxModel) m;
            // Batches of one, so every masked run has the same input shape and so one kind of capture.
            ExplainRequest r = ExplainRequest.of(Method.SCORE_CAM).withTopChannels(4).withBatchSize(1);
            new Explainer(m).explain(input, r);
            // Each set came back when it was read, not when a GC found it: the layer capture's, and the
            // one the masked runs passed from each to the next.
            assertEquals(2, om.freeOutputSlabs());
        }
    }
}
