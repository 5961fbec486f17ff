package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.contract.BackendContract;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Channel peaks computed inside ONNX Runtime ({@link PeakGraph}) against the captured maps reduced
 * in Java ({@link ChannelPeaks#of(String, io.filterscope.tensor.Tensor)}), on channel-first and
 * Keras (channel-last) exports, free spatial sizes, and maps holding NaN.
 */
class PeaksTest {
    private static final Path BUNDLED = OnnxModelTest.BUNDLED;
    private static final Path KERAS = OnnxModelTest.KERAS;

    private static io.filterscope.tensor.Tensor input(Shape shape, long seed) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return io.filterscope.tensor.Tensor.wrap(shape, v);
    }

    @Test
    void channelFirstModel() {
        try (Model m = FilterScope.open(BUNDLED)) {
            BackendContract.assertPeaksOfCapture(m, input(Shape.of(3, 1, 28, 28), 1));
        }
    }

    @Test
    void kerasChannelLastModelIsReducedChannelFirst() {
        try (Model m = FilterScope.open(KERAS)) {
            assertEquals(Layout.NHWC, m.metadata().inputLayout());
            BackendContract.assertPeaksOfCapture(m, input(Shape.of(2, 28, 28, 1), 2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nhwc_input.onnx", "dynamic_spatial.onnx"})
    void smallModels(String file) {
        try (Model m = FilterScope.open(OnnxModelTest.MODELS.resolve(file))) {
            Shape declared = m.metadata().input().shape();
            long[] dims = declared.toArray();
            long[] free = file.startsWith("dynamic") ? new long[] {2, 3, 12, 10} : new long[] {2, 8, 8, 3};
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] < 0) {
                    dims[i] = free[i];
                }
            }
            BackendContract.assertPeaksOfCapture(m, input(Shape.of(dims), 3));
            if (file.startsWith("dynamic")) {
                BackendContract.assertPeaksOfCapture(m, input(Shape.of(1, 3, 8, 8), 4));
            }
        }
    }

    /**
     * A NaN in the input makes NaN in the maps, which ONNX Runtime's pooling reduces one way here and
     * another there: those batches are captured and reduced in Java, so the definitions hold exactly.
     */
    @Test
    void mapsWithNaNKeepTheDefinitionsExactly() {
        try (Model m = FilterScope.open(BUNDLED)) {
            io.filterscope.tensor.Tensor x = input(Shape.of(2, 1, 28, 28), 5);
            float[] v = x.toArray();
            v[3 * 28 + 20] = Float.NaN;
            v[784 + 27 * 28 + 27] = Float.NaN;
            io.filterscope.tensor.Tensor withNaN = io.filterscope.tensor.Tensor.wrap(x.shape(), v);
            for (LayerInfo l : m.layers().stream().filter(LayerInfo::hasSpatialOutput).toList()) {
                ChannelPeaks want = ChannelPeaks.of(l.name(), m.capture(withNaN, CaptureRequest.layers(l.name())).layer(l.name()).orElseThrow().values());
                ChannelPeaks got = m.peaks(withNaN, l.name());
                boolean sawNaN = false;
                for (int n = 0; n < want.items(); n++) {
                    for (int c = 0; c < want.channels(); c++) {
                        assertEquals(Float.floatToIntBits(want.max(n, c)), Float.floatToIntBits(got.max(n, c)), l.name() + " max");
                        assertEquals(Float.floatToIntBits(want.mean(n, c)), Float.floatToIntBits(got.mean(n, c)), l.name() + " mean");
                        assertEquals(List.of(want.y(n, c), want.x(n, c)), List.of(got.y(n, c), got.x(n, c)), l.name() + " position");
                        sawNaN |= Float.isNaN(got.mean(n, c));
                    }
                }
                assertTrue(sawNaN, l.name() + ": the NaN reaches the maps");
            }
        }
    }

    /** Output buffers are reused run after run, and a model closed while they wait frees them. */
    @Test
    void outputBuffersAreReused() {
        Model m = FilterScope.open(BUNDLED);
        try {
            io.filterscope.tensor.Tensor x = input(Shape.of(4, 1, 28, 28), 6);
            ChannelPeaks first = m.peaks(x, "/conv2/Conv");
            assertEquals(1, ((OnnxModel) m).freePeakSlots(), "the first run's buffers wait for the next");
            assertEquals(first, m.peaks(x, "/conv2/Conv"), "the same values from the same buffers");
            assertEquals(1, ((OnnxModel) m).freePeakSlots(), "and are reused, not added to");
            m.peaks(input(Shape.of(2, 1, 28, 28), 7), "/conv2/Conv");
            assertEquals(2, ((OnnxModel) m).freePeakSlots(), "another batch size has its own");
        } finally {
            m.close();
        }
        assertEquals(0, ((OnnxModel) m).freePeakSlots(), "closed with the model");
    }
}
