package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Each kind of failure, produced by a real file or input through FilterScope.open and capture; and
 * the input shape passed in the open options rather than the JVM-global system property.
 */
class TypedErrorsTest {
    private static final Path KERAS3_H5 = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.h5");
    @TempDir
    Path dir;

    @Test
    void notAModel() throws Exception {
        Path zip = dir.resolve("photos.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("cat.txt"));
            out.write("meow".getBytes());
            out.closeEntry();
        }
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(zip));
        Path half = Files.write(dir.resolve("half.h5"), java.util.Arrays.copyOf(Files.readAllBytes(KERAS3_H5), 4096));
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(half));
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(Path.of("src/test/resources/bad-input/measurements.h5")));
    }

    @Test
    void anUnsupportedKerasLayer() {
        for (String f : new String[] {"unsupported_layer.keras", "unsupported_layer.h5"}) {
            FilterScopeException e = expect(ErrorKind.UNSUPPORTED, () -> FilterScope.open(Path.of("src/test/resources/keras3/bad", f)));
            assertTrue(e.getMessage().contains("is not supported"), e.getMessage());
        }
    }

    @Test
    void unreadableFile() {
        expect(ErrorKind.UNREADABLE_FILE, () -> FilterScope.open(dir.resolve("missing.zip")));
    }

    @Test
    void theInputShapeComesFromTheOpenOptions() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("convfirst.zip"));
        FilterScopeException e = expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip));
        assertTrue(e.getMessage().startsWith("convfirst.zip: the input size is not stored"), e.getMessage());
        expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip, OpenOptions.defaults().withInputShape(2, 12)));
        try (Model m = FilterScope.open(zip, OpenOptions.defaults().withInputShape(2, 12, 12))) {
            assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), m.metadata().input().shape());
            expect(ErrorKind.INPUT_SHAPE, () -> m.capture(Tensor.zeros(Shape.of(1, 2, 12, 13)), CaptureRequest.allSpatial()));
            expect(ErrorKind.INVALID_ARGUMENT, () -> m.gradients(Tensor.zeros(Shape.of(1, 2, 12, 12)), GradientRequest.ofInput(99)));
            expect(ErrorKind.UNKNOWN_LAYER, () -> m.capture(Tensor.zeros(Shape.of(1, 2, 12, 12)), CaptureRequest.layers("conv9")));
        }
        // The backend reads no JVM-global setting: the command line's -Dfilterscope.dl4j.inputShape
        // is the command line's (CommonOptions), so here it changes nothing.
        System.setProperty("filterscope.dl4j.inputShape", "2x10x10");
        try {
            expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip));
        } finally {
            System.clearProperty("filterscope.dl4j.inputShape");
        }
    }

    private static FilterScopeException expect(ErrorKind kind, Executable call) {
        FilterScopeException e = assertThrows(FilterScopeException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
