package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files Keras3Reader must refuse with one line naming the file and what to do. */
class Keras3BadInputTest {
    static final Path BAD = KerasReference.ROOT.resolve("bad");
    static final Path GOOD = KerasReference.ROOT.resolve("seq_cnn/model.keras");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"unsupported_layer.keras", "unsupported_layer.h5"})
    void unsupportedLayerIsNamedWithItsClass(String name) {
        Path file = BAD.resolve(name);
        assertTrue(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": Keras layer UnitNormalization 'unit' is not supported (supported layers: docs/keras-layers.md)", e.getMessage());
    }

    @Test
    void lambdaLayerIsRefusedWithoutRunningIt() {
        Path file = BAD.resolve("lambda_layer.keras");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": Keras layer Lambda 'double' holds Python code, which FilterScope never runs; build the model from "
                + "Keras' built-in layers instead (supported layers: docs/keras-layers.md)", e.getMessage());
    }

    @Test
    void keras2FileIsNotKeras3AndReadSaysWhatToDo() {
        Path file = BAD.resolve("keras2.h5");
        assertFalse(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
        assertTrue(e.getMessage().contains("saved by Keras 2.13.1, not Keras 3"), e.getMessage());
    }

    @Test
    void truncatedKerasZip() throws IOException {
        byte[] all = Files.readAllBytes(GOOD);
        Path file = tmp.resolve("truncated.keras");
        Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));
        assertFalse(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void kerasZipWithoutWeights() throws IOException {
        Path file = tmp.resolve("no_weights.keras");
        copyZipWithout(GOOD, file, "model.weights.h5");
        assertTrue(Keras3Reader.isKeras3(file), "still a Keras 3 file by its metadata");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
        assertTrue(e.getMessage().contains("has no model.weights.h5"), e.getMessage());
    }

    @Test
    void kerasZipWithoutConfig() throws IOException {
        Path file = tmp.resolve("no_config.keras");
        copyZipWithout(GOOD, file, "config.json");
        assertFalse(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
        assertTrue(e.getMessage().contains("has no config.json"), e.getMessage());
        // Opened as any user opens it, it reaches the Keras reader too, not the DL4J zip refusal.
        FilterScopeException opened = assertThrows(FilterScopeException.class, () -> io.filterscope.FilterScope.open(file));
        assertTrue(opened.getMessage().startsWith(file.getFileName() + ": has no config.json"), opened.getMessage());
        assertFalse(opened.getMessage().contains("\n"), opened.getMessage());
    }

    @Test
    void truncatedH5() throws IOException {
        byte[] all = Files.readAllBytes(KerasReference.ROOT.resolve("seq_cnn/model.h5"));
        Path file = tmp.resolve("truncated.h5");
        Files.write(file, java.util.Arrays.copyOf(all, all.length / 3));
        assertFalse(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
    }

    @Test
    void unsupportedActivationIsNamed() throws IOException {
        Path file = tmp.resolve("sparsemax.keras");
        copyZipRewritingConfig(GOOD, file, "\"activation\": \"selu\"", "\"activation\": \"sparsemax\"");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": layer Dense 'fc' uses activation 'sparsemax', which is not supported (supported: "
                + KerasActivations.SUPPORTED + "; see docs/keras-layers.md)", e.getMessage());
    }

    @Test
    void unsupportedOptionIsNamed() throws IOException {
        Path file = tmp.resolve("channels_first.keras");
        copyZipRewritingConfig(GOOD, file, "\"channels_last\"", "\"channels_first\"");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": Keras layer ZeroPadding2D 'pad' uses data_format='channels_first' (only channels_last), "
                + "which is not supported; save a model without it", e.getMessage());
    }

    @Test
    void weightsThatDoNotMatchTheConfig() throws IOException {
        // The config says the Dense layer has no bias; the file holds kernel and bias for it.
        Path file = tmp.resolve("bias_mismatch.keras");
        copyZipRewritingConfig(GOOD, file, "\"units\": 8, \"activation\": \"selu\", \"use_bias\": true",
                "\"units\": 8, \"activation\": \"selu\", \"use_bias\": false");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": layer Dense 'fc' needs weights [kernel] but the file has 2 for it; "
                + "save the complete model again with Keras 3", e.getMessage());
    }

    @Test
    void kernelOfAnotherShapeThanTheConfigSays() throws IOException {
        Path file = tmp.resolve("kernel_mismatch.keras");
        copyZipRewritingConfig(GOOD, file, "\"filters\": 4, \"kernel_size\": [3, 3], \"strides\": [2, 2]",
                "\"filters\": 4, \"kernel_size\": [5, 5], \"strides\": [2, 2]");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": layer 'conv_s2_same': its weights (DL4J W [4, 3, 3, 3]) do not fit its config (needs "
                + "[4, 3, 5, 5]); the file's config and weights disagree, save the model again with Keras 3", e.getMessage());
    }

    @Test
    void layerNamedLikeASplitSoftmax() throws IOException {
        Path file = tmp.resolve("name_clash.keras");
        copyZipRewritingConfig(GOOD, file, "\"name\": \"drop\"", "\"name\": \"probs_softmax\"");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertOneLine(e, file);
        assertTrue(e.getMessage().contains("layer Dense 'probs' cannot be added to the Deeplearning4j graph ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("); rename the layer in Keras and save again"), e.getMessage());
    }

    @Test
    void weightsOnlyFile() throws IOException {
        Path file = tmp.resolve("seq.weights.h5");
        try (ZipFile zip = new ZipFile(GOOD.toFile()); InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
            Files.copy(in, file);
        }
        assertFalse(Keras3Reader.isKeras3(file));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(file));
        assertEquals(file + ": holds weights only (a .weights.h5 from model.save_weights); save the whole model with "
                + "model.save(\"model.keras\")", e.getMessage());
    }

    @Test
    void missingFileAndNonModelFile() throws IOException {
        Path missing = tmp.resolve("nothing.keras");
        assertFalse(Keras3Reader.isKeras3(missing));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(missing));
        assertEquals(missing + ": no such file; give the path of a Keras 3 .keras or .h5 file", e.getMessage());

        Path text = tmp.resolve("notes.h5");
        Files.writeString(text, "not a model");
        assertFalse(Keras3Reader.isKeras3(text));
        e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(text));
        assertOneLine(e, text);
        assertTrue(e.getMessage().contains("neither a .keras zip nor an HDF5 file"), e.getMessage());
    }

    /**
     * The zip's weights are read from a temporary copy, which closing deletes. Checked on the copy
     * itself rather than by counting files in the shared temporary folder, where other processes
     * (another build, a fuzzing run) make files of the same name at any time.
     */
    @Test
    void tempCopyOfWeightsIsDeleted() {
        Path copy;
        try (KerasFile keras = KerasFile.open(GOOD)) {
            copy = keras.tempCopy();
            assertTrue(copy != null && Files.isRegularFile(copy), "a .keras zip's weights are read from a temporary copy: " + copy);
        }
        assertFalse(Files.exists(copy), copy + " is left behind after close");
    }

    static void assertOneLine(FilterScopeException e, Path file) {
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    static void copyZipRewritingConfig(Path from, Path to, String find, String replace) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); OutputStream os = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(os)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    if (entry.getName().equals("config.json")) {
                        String config = new String(data.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        assertTrue(config.contains(find), "fixture config contains " + find);
                        out.write(config.replace(find, replace).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } else {
                        data.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    static void copyZipWithout(Path from, Path to, String dropped) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); OutputStream os = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(os)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(dropped)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }
}
