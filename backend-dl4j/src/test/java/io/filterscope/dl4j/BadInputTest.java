package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
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

/** Each bad input gives one line that names the file (or value) and says what to do. */
class BadInputTest {
    static final Path KERAS3_H5 = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.h5");
    static final Path KERAS3_ZIP = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.keras");
    @TempDir
    Path dir;

    @Test
    void aZipThatIsNotADl4jModel() throws Exception {
        Path zip = dir.resolve("photos.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("cat.txt"));
            out.write("meow".getBytes());
            out.closeEntry();
        }
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("photos.zip: ") && m.contains("not a DL4J model") && m.contains("ModelSerializer.writeModel"), m);
    }

    @Test
    void aTruncatedH5() throws Exception {
        Path h5 = dir.resolve("half.h5");
        byte[] all = Files.readAllBytes(KERAS3_H5);
        Files.write(h5, java.util.Arrays.copyOf(all, 4096));
        String m = message(() -> FilterScope.open(h5));
        assertTrue(m.startsWith("half.h5: ") && m.contains("truncated or damaged"), m);
    }

    @Test
    void aFileCutBeforeItsSignature() throws Exception {
        Path h5 = dir.resolve("empty.h5");
        Files.write(h5, new byte[] {(byte) 0x89, 'H'});
        String m = message(() -> FilterScope.open(h5));
        assertTrue(m.startsWith("empty.h5: ") && m.contains("truncated"), m);
    }

    @Test
    void anHdf5FileThatIsNotKeras() {
        Path h5 = Path.of("src/test/resources/bad-input/measurements.h5");
        String m = message(() -> FilterScope.open(h5));
        assertTrue(m.startsWith("measurements.h5: ") && m.contains("not a Keras model") && m.contains("model.save"), m);
    }

    @Test
    void aNetworkWhoseInputSizeIsNotStoredSaysHowToGiveIt() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("convfirst.zip"));
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("convfirst.zip: ") && m.contains("OpenOptions.withInputShape(c, h, w)")
                && m.contains("--input-shape CxHxW") && m.contains("Dl4jBackend.saveInputShape(file, c, h, w)"), m);
        assertFalse(m.contains("-D"), "the backend reads no system property, so it names none: " + m);
    }

    @Test
    void aNetworkSavedWithItsInputShapeOpensWithoutHelp() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("withshape.zip"));
        Dl4jBackend.saveInputShape(zip, 3, 12, 10);
        try (var model = FilterScope.open(zip)) {
            assertEquals(io.filterscope.tensor.Shape.of(-1, 3, 12, 10), model.metadata().input().shape());
        }
    }

    @Test
    void aStoredInputShapeOfTheWrongTypeIsNamed() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("badshape.zip"));
        org.deeplearning4j.util.ModelSerializer.addObjectToFile(zip.toFile(), Dl4jBackend.INPUT_SHAPE_OBJECT, "1x28x28");
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("badshape.zip: ") && m.contains("not a long[]"), m);
    }

    @Test
    void aWrongInputShapeNamesTheExpectedOne() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NHWC, DataType.FLOAT, false), dir.resolve("nhwc.zip"));
        try (Model model = Dl4jModelTest.open(zip)) {
            String m = message(() -> model.capture(Tensor.zeros(Shape.of(1, 2, 12, 12)), CaptureRequest.allSpatial()));
            assertEquals("nhwc.zip: input must be N×12×12×2 (batch×height×width×channels), got 1×2×12×12; "
                    + "give an image or .npy of that shape", m);
            String g = message(() -> model.gradients(Tensor.zeros(Shape.of(1, 12, 12, 2)), GradientRequest.ofInput(9)));
            assertTrue(g.startsWith("nhwc.zip: output index 9 is out of range") && g.contains("4 outputs"), g);
            String l = message(() -> model.filters("pool"));
            assertTrue(l.contains("'pool' is a SubsamplingLayer layer and has no filters") && l.contains("conv1"), l);
            String n = message(() -> model.capture(Tensor.zeros(Shape.of(1, 12, 12, 2)), CaptureRequest.layers("conv3")));
            assertTrue(n.contains("no layer named 'conv3'") && n.contains("'conv1'"), n);
        }
    }

    @Test
    void aClosedModelSaysSo() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, true), dir.resolve("flat.zip"));
        Model model = FilterScope.open(zip);
        model.close();
        model.close();
        String m = message(() -> model.run(Tensor.zeros(Shape.of(1, 2, 12, 12))));
        assertEquals("flat.zip: the model is closed; open it again", m);
    }

    /** The logit before a softmax applied inside a hidden-style layer is out of reach; the probability is not. */
    @Test
    void aSoftmaxInsideTheLastLayerHasNoLogit() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("hidden").nIn(5).nOut(4)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("probs").nIn(4).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        try (Model model = Dl4jBackend.wrap(net, "dense-softmax")) {
            assertEquals(Shape.of(Shape.UNKNOWN, 5), model.metadata().input().shape(), "from the first dense layer");
            Tensor x = Tensor.of(Shape.of(1, 5), new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f});
            String m = message(() -> model.gradients(x, GradientRequest.ofInput(1)));
            assertEquals("dense-softmax: layer 'probs' applies its softmax inside; ask for the OUTPUT score, "
                    + "or end the network with an OutputLayer", m);
            assertEquals(Shape.of(1, 5), model.gradients(x, GradientRequest.ofInput(1).withScore(GradientRequest.Score.OUTPUT))
                    .input().orElseThrow().shape());
        }
    }

    @Test
    void garbageWithAModelExtension() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.keras"), "just some text");
        String m = message(() -> FilterScope.open(f));
        assertTrue(m.startsWith("notes.keras: neither a DL4J model zip nor an HDF5/Keras file"), m);
    }

    /** Keras 3 files, which DL4J's own import refuses, go to the Keras 3 reader. */
    @Test
    void keras3FilesOpenThroughTheKeras3Reader() {
        for (Path file : new Path[] {KERAS3_H5, KERAS3_ZIP}) {
            try (Model m = FilterScope.open(file)) {
                assertEquals("Keras", m.metadata().format());
                assertEquals("keras 3.15.1", m.metadata().producer());
                assertEquals(Layout.NHWC, m.metadata().inputLayout());
            }
        }
    }

    private static String message(Executable e) {
        FilterScopeException ex = assertThrows(FilterScopeException.class, e);
        assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
        return ex.getMessage();
    }
}
