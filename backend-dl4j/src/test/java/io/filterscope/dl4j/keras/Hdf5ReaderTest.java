package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pure-Java HDF5 reader against the native HDF5 library (DL4J's {@code Hdf5Archive}, which the
 * Keras readers used before) on every committed Keras file, which are trusted: the same groups and
 * datasets in the same order, the same attributes, and every dataset's values bit for bit.
 */
class Hdf5ReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Every Keras HDF5 file and .keras zip committed as a fixture or sample; none of the fuzzing inputs. */
    static Stream<Path> kerasFiles() throws IOException {
        List<Path> roots = List.of(Path.of("src/test/resources/keras3"), Path.of("src/test/resources/keras2"),
                Path.of("src/test/resources/bad-input"), Path.of("../samples/models"));
        List<Path> all = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".h5") || p.toString().endsWith(".keras")).sorted().forEach(all::add);
            }
        }
        assertTrue(all.size() > 15, "fixtures found: " + all);
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("kerasFiles")
    void readsWhatTheNativeLibraryReadsBitForBit(Path file) throws Exception {
        Path h5 = file;
        if (file.toString().endsWith(".keras")) {
            h5 = tmp.resolve("model.weights.h5");
            try (ZipFile zip = new ZipFile(file.toFile()); InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                Files.copy(in, h5);
            }
        }
        int[] datasets = {0};
        org.bytedeco.hdf5.Exception.dontPrint();
        try (Hdf5Archive reference = new Hdf5Archive(h5.toString()); Hdf5Reader java = Hdf5Reader.open(h5, file)) {
            for (String attribute : List.of("keras_version", "backend")) {
                assertEquals(reference.hasAttribute(attribute), java.hasAttribute(attribute), attribute);
                if (reference.hasAttribute(attribute)) {
                    assertEquals(reference.readAttributeAsString(attribute), java.readAttributeAsString(attribute), attribute);
                }
            }
            assertEquals(reference.hasAttribute("model_config"), java.hasAttribute("model_config"));
            if (reference.hasAttribute("model_config")) {
                assertEquals(JSON.readTree(reference.readAttributeAsJson("model_config")), JSON.readTree(java.readAttributeAsString("model_config")));
            }
            compare(reference, java, new String[0], datasets);
            java.checkAll();
        }
        // Two hold no weights: an HDF5 file that is not Keras, and a model whose one layer is a Lambda.
        boolean weightless = Set.of("measurements.h5", "lambda_layer.keras").contains(file.getFileName().toString());
        assertTrue(datasets[0] > 0 || weightless, "no dataset compared in " + file);
    }

    private static void compare(Hdf5Archive reference, Hdf5Reader java, String[] path, int[] datasets) throws Exception {
        String where = String.join("/", path);
        List<String> groups = reference.getGroups(path);
        assertEquals(groups, java.getGroups(path), where);
        assertEquals(reference.getDataSets(path), java.getDataSets(path), where);
        if (path.length > 0) {
            assertEquals(reference.hasAttribute("name", path), java.hasAttribute("name", path), where);
            if (reference.hasAttribute("name", path)) {
                assertEquals(reference.readAttributeAsString("name", path), java.readAttributeAsString("name", path), where);
            }
        }
        for (String set : reference.getDataSets(path)) {
            INDArray expected;
            try {
                expected = reference.readDataSet(set, path);
            } catch (org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException e) {
                // Rank 0 (Normalization's count): refused by both.
                FilterScopeException refused = assertThrows(FilterScopeException.class, () -> java.readDataSet(set, path), where + "/" + set);
                assertTrue(refused.getMessage().contains("rank"), refused.getMessage());
                continue;
            }
            Hdf5Reader.Floats actual = java.readDataSet(set, path);
            assertArrayEquals(expected.shape(), actual.shape(), where + "/" + set);
            float[] want = expected.dup('c').data().asFloat();
            // Bit for bit, NaN included.
            assertTrue(Arrays.equals(want, actual.values()), where + "/" + set);
            datasets[0]++;
        }
        for (String group : groups) {
            String[] deeper = Arrays.copyOf(path, path.length + 1);
            deeper[path.length] = group;
            compare(reference, java, deeper, datasets);
        }
    }

    @Test
    void aTruncatedFileIsRefusedAtOpenNamingTheFile() throws IOException {
        byte[] all = Files.readAllBytes(KerasReference.ROOT.resolve("seq_cnn/model.h5"));
        Path cut = tmp.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(all, all.length / 3));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Hdf5Reader.open(cut, Path.of("shown.h5")));
        assertEquals(ErrorKind.NOT_A_MODEL, e.kind());
        assertTrue(e.getMessage().startsWith("shown.h5: the HDF5 file is truncated or damaged (it holds " + String.format("%,d", all.length / 3)),
                e.getMessage());
    }

    @Test
    void aDatasetDeclaringMoreThanTheFileHoldsIsRefusedBeforeItIsRead() throws IOException {
        Path source = KerasReference.ROOT.resolve("seq_cnn/model.h5");
        byte[] bytes = Files.readAllBytes(source);
        // A convolution kernel: rank 4, so its dimensions as bytes are found only in its dataspace message.
        String[][] found = kernel(source, new String[] {"model_weights"});
        String[] layer = found[0];
        String set = found[1][0];
        long[] shape;
        try (Hdf5Reader java = Hdf5Reader.open(source, source)) {
            shape = java.readDataSet(set, layer).shape();
        }
        // The dataspace message holds the dimensions as 8-byte little-endian lengths: make the first 100,000 times larger.
        java.nio.ByteBuffer dims = java.nio.ByteBuffer.allocate(8 * shape.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Arrays.stream(shape).forEach(dims::putLong);
        int at = indexOf(bytes, dims.array());
        java.nio.ByteBuffer.wrap(bytes, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(shape[0] * 100_000);
        Path big = Files.write(tmp.resolve("big.h5"), bytes);

        try (Hdf5Reader java = Hdf5Reader.open(big, Path.of("big.h5"))) {
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> java.readDataSet(set, layer));
            assertTrue(e.getMessage().startsWith("big.h5: the HDF5 content cannot be read (dataset '") && e.getMessage()
                    .contains(String.format("more than the %,d-byte file holds", bytes.length)), e.getMessage());
        }
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Keras3Reader.read(big));
        assertTrue(e.getMessage().startsWith(big + ": the HDF5 content cannot be read (dataset '") && e.getMessage().contains("file holds"),
                e.getMessage());
    }

    /** The group and name of the first dataset of rank 4 below {@code path}, or null. */
    private static String[][] kernel(Path file, String[] path) {
        try (Hdf5Reader java = Hdf5Reader.open(file, file)) {
            for (String set : java.getDataSets(path)) {
                if (java.readDataSet(set, path).shape().length == 4) {
                    return new String[][] {path, {set}};
                }
            }
            for (String group : java.getGroups(path)) {
                String[] deeper = Arrays.copyOf(path, path.length + 1);
                deeper[path.length] = group;
                String[][] found = kernel(file, deeper);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void aMissingGroupIsOneLineNamingTheFile() throws IOException {
        try (Hdf5Reader java = Hdf5Reader.open(KerasReference.ROOT.resolve("seq_cnn/model.h5"), Path.of("seq.h5"))) {
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> java.getGroups("model_weights", "no\nsuch"));
            assertTrue(e.getMessage().startsWith("seq.h5: the HDF5 content cannot be read (no group 'no\\u000asuch')"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
