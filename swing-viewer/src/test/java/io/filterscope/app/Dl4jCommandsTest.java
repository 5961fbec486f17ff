package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line with the DL4J backend: Keras 3 and DL4J files work like ONNX files, and each bad
 * DL4J or Keras input is exit 2, one line naming the file, nothing written.
 */
class Dl4jCommandsTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");
    private static final Path KERAS_BAD = Path.of("../backend-dl4j/src/test/resources/keras3/bad");

    @TempDir
    Path tmp;

    private Path out() {
        return tmp.resolve("out");
    }

    @Test
    void aKeras3ModelPredictsTheBundledImagesLikeItsOnnxExport() {
        for (String image : new String[] {"9-ankle-boot.png", "1-trouser.png"}) {
            Path png = FASHION.resolve("images").resolve(image);
            Cli.Result keras = Cli.run("predict", FASHION.resolve("fashion_cnn_keras.keras"), "--image", png,
                    "--labels", FASHION.resolve("labels.txt"), "--top", "1");
            Cli.Result onnx = Cli.run("predict", FASHION.resolve("fashion_cnn_keras.onnx"), "--image", png,
                    "--labels", FASHION.resolve("labels.txt"), "--top", "1");
            assertEquals(0, keras.code(), keras::toString);
            assertEquals(0, onnx.code(), onnx::toString);
            assertEquals(topClass(onnx.out()), topClass(keras.out()), keras.out() + " vs " + onnx.out());
            assertEquals(image.substring(0, 1), topClass(keras.out()), keras::toString);   // the file names start with the class
        }
    }

    @Test
    void theDl4jNativeBundledModelDrawsEveryLayer() throws IOException {
        Cli.Result r = Cli.run("activations", FASHION.resolve("fashion_cnn_dl4j.zip"), "--image",
                FASHION.resolve("images/9-ankle-boot.png"), "-o", out());
        assertEquals(0, r.code(), r::toString);
        for (String layer : new String[] {"conv1", "pool1", "conv2", "pool2", "conv3", "pool3"}) {
            assertTrue(Files.size(out().resolve(layer + ".activations.png")) > 0, layer);
        }
    }

    @Test
    void aZipThatIsNotADl4jModel() throws IOException {
        Path zip = tmp.resolve("photos.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("holiday.txt"));
            z.write("not a network".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Fixtures.assertUserError(Cli.run("filters", zip, "-o", out()), "photos.zip", out());
    }

    @Test
    void aTruncatedH5() throws IOException {
        byte[] whole = Files.readAllBytes(FASHION.resolve("fashion_cnn_keras.h5"));
        Path h5 = Files.write(tmp.resolve("cut.h5"), Arrays.copyOf(whole, whole.length / 3));
        Fixtures.assertUserError(Cli.run("filters", h5, "-o", out()), "cut.h5", out());
    }

    @Test
    void anHdf5FileThatIsNotKeras() {
        Cli.Result r = Cli.run("info", Path.of("../backend-dl4j/src/test/resources/bad-input/measurements.h5"));
        Fixtures.assertUserError(r, "measurements.h5", null);
        assertTrue(r.err().contains("not a Keras model"), r::toString);
    }

    @Test
    void anUnsupportedKerasLayerIsNamed() {
        for (String file : new String[] {"unsupported_layer.keras", "unsupported_layer.h5"}) {
            Cli.Result r = Cli.run("activations", KERAS_BAD.resolve(file), "--image", FASHION.resolve("images/9-ankle-boot.png"),
                    "-o", out());
            Fixtures.assertUserError(r, file, out());
            assertTrue(r.err().contains("UpSampling2D"), r::toString);
        }
    }

    @Test
    void aNetworkWithoutItsInputShapeSaysWhatToPass() throws IOException {
        // The bundled DL4J model without the entry that carries its input shape.
        Path bare = tmp.resolve("bare.zip");
        try (var in = new java.util.zip.ZipFile(FASHION.resolve("fashion_cnn_dl4j.zip").toFile());
             var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bare))) {
            for (var e : java.util.Collections.list(in.entries())) {
                if (!e.getName().startsWith("objects/")) {
                    z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    z.write(in.getInputStream(e).readAllBytes());
                }
            }
        }
        Cli.Result r = Cli.run("activations", bare, "--image", FASHION.resolve("images/9-ankle-boot.png"), "-o", out());
        Fixtures.assertUserError(r, "bare.zip", out());
        assertTrue(r.err().contains("-Dfilterscope.dl4j.inputShape=CxHxW"), r::toString);
    }

    private static String topClass(String out) {
        var m = java.util.regex.Pattern.compile("\\(class (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }
}
