package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            assertTrue(r.err().contains("Keras layer UnitNormalization") && r.err().contains("docs/keras-layers.md"), r::toString);
        }
    }

    @Test
    void aNetworkWithoutItsInputShapeSaysWhatToPass() throws IOException {
        Path bare = bundledDl4j("bare.zip", null, null);
        Cli.Result r = Cli.run("activations", bare, "--image", FASHION.resolve("images/9-ankle-boot.png"), "-o", out());
        Fixtures.assertUserError(r, "bare.zip", out());
        assertTrue(r.err().contains("--input-shape CxHxW") && r.err().contains("OpenOptions.withInputShape"), r::toString);
    }

    /**
     * The command line's fallback, {@code -Dfilterscope.dl4j.inputShape}, is read by the command line
     * (the backend reads no property) and reaches the backend through OpenOptions; --input-shape wins.
     */
    @Test
    void theInputShapePropertyIsTheCommandLinesFallback() throws IOException {
        Path bare = bundledDl4j("bare.zip", null, null);
        Path boot = FASHION.resolve("images/9-ankle-boot.png");
        Cli.Result fromProperty;
        Cli.Result optionWins;
        Cli.Result badProperty;
        try {
            System.setProperty("filterscope.dl4j.inputShape", "1x28x28");
            fromProperty = Cli.run("info", bare);
            System.setProperty("filterscope.dl4j.inputShape", "3x9x9");
            optionWins = Cli.run("info", bare, "--input-shape", "1x28x28");
            System.setProperty("filterscope.dl4j.inputShape", "twelve");
            badProperty = Cli.run("activations", bare, "--image", boot, "-o", out());
        } finally {
            System.clearProperty("filterscope.dl4j.inputShape");
        }
        Cli.Result given = Cli.run("info", bare, "--input-shape", "1x28x28");
        assertEquals(0, given.code(), given::toString);
        assertEquals(0, fromProperty.code(), fromProperty::toString);
        assertEquals(given.out(), fromProperty.out(), "the property gives what --input-shape gives");
        assertEquals(0, optionWins.code(), optionWins::toString);
        assertEquals(given.out(), optionWins.out(), "--input-shape wins over the property");
        Fixtures.assertUserError(badProperty, "-Dfilterscope.dl4j.inputShape=twelve", out());
        assertTrue(badProperty.err().contains("1x28x28"), badProperty::toString);
    }

    /** --input-shape reaches the backend through OpenOptions: the bare network then opens and predicts as the bundled one. */
    @Test
    void inputShapeGivesABareNetworkItsSize() throws IOException {
        Path bare = bundledDl4j("bare.zip", null, null);
        Path boot = FASHION.resolve("images/9-ankle-boot.png");
        Cli.Result given = Cli.run("predict", bare, "--input-shape", "1x28x28", "--image", boot, "--labels", FASHION.resolve("labels.txt"), "--top", "1");
        Cli.Result stored = Cli.run("predict", FASHION.resolve("fashion_cnn_dl4j.zip"), "--image", boot, "--labels", FASHION.resolve("labels.txt"), "--top", "1");
        assertEquals(0, given.code(), given::toString);
        assertEquals(0, stored.code(), stored::toString);
        assertEquals(stored.out().lines().filter(l -> l.contains("(class")).toList(),
                given.out().lines().filter(l -> l.contains("(class")).toList(), "the same classes and probabilities");
        assertEquals("9", topClass(given.out()), given::toString);

        Cli.Result wrong = Cli.run("activations", bare, "--input-shape", "twelve", "--image", boot, "-o", out());
        Fixtures.assertUserError(wrong, "--input-shape twelve", out());
        assertTrue(wrong.err().contains("1x28x28"), wrong::toString);
    }

    /** The reported bug: a deserialization bomb as the legacy stored input shape made `info` hang. */
    @Test
    void aDeserializationBombAsTheStoredInputShapeIsOneLine() throws IOException {
        Path bomb = bundledDl4j("bomb.zip", "objects/filterscope.inputShape", hashSetBomb());
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("info", bomb));
        Fixtures.assertUserError(r, "bomb.zip", null);
        assertTrue(r.err().contains("holds a java.util.HashSet, not a long[]"), r::toString);
        Cli.Result a = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("activations", bomb, "--image",
                FASHION.resolve("images/9-ankle-boot.png"), "-o", out()));
        Fixtures.assertUserError(a, "bomb.zip", out());
    }

    /** DL4J's own restore would hand preprocessor.bin to an unfiltered ObjectInputStream; FilterScope never passes it on. */
    @Test
    void aDeserializationBombInDl4jsOwnEntriesIsNeverRead() throws IOException {
        Path bomb = bundledDl4j("prep.zip", "preprocessor.bin", hashSetBomb());
        Path withShape = addEntry(bomb, "filterscope/input-shape.json",
                "{\"inputShape\":[1,28,28]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.run("info", withShape));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("conv1"), r::toString);
    }

    /** The bundled DL4J model without its stored input shape, plus {@code entry} holding {@code bytes} when given. */
    private Path bundledDl4j(String name, String entry, byte[] bytes) throws IOException {
        return HostileFiles.bundledDl4jWithoutItsShape(tmp.resolve(name), entry, bytes);
    }

    private Path addEntry(Path zip, String entry, byte[] bytes) throws IOException {
        return HostileFiles.withEntry(zip, tmp.resolve("more-" + zip.getFileName()), entry, bytes);
    }

    private static byte[] hashSetBomb() throws IOException {
        return HostileFiles.hashSetBomb();
    }

    private static String topClass(String out) {
        var m = java.util.regex.Pattern.compile("\\(class (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }
}
