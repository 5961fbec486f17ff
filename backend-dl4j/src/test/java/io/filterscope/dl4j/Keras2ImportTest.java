package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerKind;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Keras 2 HDF5 model through DL4J's Keras import (config and weights read in Java), against Keras's
 * own outputs ({@code src/test/python/make_keras2_fixture.py}); the same model with its weights stored
 * chunked and compressed (gzip, shuffle, Fletcher-32, edge chunks partly outside the shapes:
 * {@code make_hdf5_limit_fixtures.py}) gives the same results.
 */
class Keras2ImportTest {
    private static final Path DIR = Path.of("src/test/resources/keras2");

    @ParameterizedTest
    @ValueSource(strings = {"small_cnn_keras2.h5", "small_cnn_keras2_gzip.h5"})
    void opensWithItsInputShapeAndPredictsAsKerasDoes(String file) {
        try (Model m = FilterScope.open(DIR.resolve(file))) {
            assertEquals("Keras", m.metadata().format());
            assertEquals("keras 2.13.1", m.metadata().producer());
            assertEquals(Layout.NHWC, m.metadata().inputLayout());
            assertEquals(Shape.of(Shape.UNKNOWN, 8, 8, 1), m.metadata().input().shape());
            assertEquals(LayerKind.CONV, m.layer("conv").kind());
            assertEquals(Shape.of(Shape.UNKNOWN, 3, 6, 6), m.layer("conv").outputShape().orElseThrow());

            Tensor x = Npy.read(DIR.resolve("input.npy"));
            Activations a = m.capture(x, CaptureRequest.layers("conv"));
            Arrays4.assertClose(Npy.read(DIR.resolve("predictions.npy")), a.output(), 1e-6, 1e-4, "predictions");
            Tensor kerasConv = Npy.read(DIR.resolve("conv.npy")).transpose(0, 3, 1, 2);
            Arrays4.assertClose(kerasConv, a.layer("conv").orElseThrow().values(), 1e-6, 1e-4, "conv maps");

            FilterBank fb = m.filters("conv");
            Tensor kernel = Npy.read(DIR.resolve("conv_kernel.npy")); // Keras: kH × kW × in × out
            Arrays4.assertClose(kernel.transpose(3, 2, 0, 1), fb.weights(), 0, 0, "filters out × in × kH × kW");
        }
    }

    /**
     * A functional Keras 2 model (BatchNormalization, DepthwiseConv2D, a residual Add, global pooling)
     * built by DL4J as a graph, with every weight set from the file: the predictions and the depthwise
     * layer's maps are Keras's ({@code make_keras2_functional_fixture.py}).
     */
    @Test
    void aFunctionalModelWithBatchNormPredictsAsKerasDoes() {
        Path dir = DIR.resolve("functional_bn");
        try (Model m = FilterScope.open(dir.resolve("functional_bn_keras2.h5"))) {
            assertEquals("keras 2.13.1", m.metadata().producer());
            Tensor x = Npy.read(dir.resolve("input.npy"));
            Activations a = m.capture(x, CaptureRequest.layers("dw"));
            Arrays4.assertClose(Npy.read(dir.resolve("predictions.npy")), a.output(), 1e-6, 1e-4, "predictions");
            Arrays4.assertClose(Npy.read(dir.resolve("dw.npy")).transpose(0, 3, 1, 2), a.layer("dw").orElseThrow().values(), 1e-6, 1e-4, "dw maps");
        }
    }
}
