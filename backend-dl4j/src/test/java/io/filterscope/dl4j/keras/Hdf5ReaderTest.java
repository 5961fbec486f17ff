package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pure-Java HDF5 reader against h5py, the HDF5 C library's own Python binding, on every committed
 * Keras file, which are trusted: the same groups and datasets in the same order, the same attributes,
 * and every dataset's values bit for bit (their SHA-256 as float32). The reference is
 * {@code src/test/resources/hdf5-reference.json}, made by {@code src/test/python/make_hdf5_reference.py}.
 * The native library is not read here: its JavaCPP objects are freed by the garbage collector on
 * another thread, which crashed this test's JVM inside libhdf5 while it was reading.
 */
class Hdf5ReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE = Path.of("src/test/resources/hdf5-reference.json");

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

    @Test
    void theReferenceCoversEveryCommittedKerasFile() throws IOException {
        Set<String> referenced = new java.util.TreeSet<>();
        JSON.readTree(REFERENCE.toFile()).fieldNames().forEachRemaining(referenced::add);
        Set<String> committed = new java.util.TreeSet<>(kerasFiles().map(p -> p.toString().replace('\\', '/')).toList());
        assertEquals(committed, referenced, "run src/test/python/make_hdf5_reference.py after adding a Keras file");
    }

    @ParameterizedTest
    @MethodSource("kerasFiles")
    void readsWhatH5pyReadsBitForBit(Path file) throws Exception {
        JsonNode reference = JSON.readTree(REFERENCE.toFile()).path(file.toString().replace('\\', '/'));
        assertFalse(reference.isMissingNode(), file + " is not in " + REFERENCE);
        Path h5 = file;
        if (file.toString().endsWith(".keras")) {
            h5 = tmp.resolve("model.weights.h5");
            try (ZipFile zip = new ZipFile(file.toFile()); InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                Files.copy(in, h5);
            }
        }
        int datasets = 0;
        try (Hdf5Reader java = Hdf5Reader.open(h5, file)) {
            JsonNode attributes = reference.path("attributes");
            for (String attribute : List.of("keras_version", "backend", "model_config")) {
                assertEquals(attributes.has(attribute), java.hasAttribute(attribute), attribute);
                if (attributes.has(attribute)) {
                    JsonNode want = attributes.get(attribute);
                    String got = java.readAttributeAsString(attribute);
                    assertEquals(want, want.isTextual() ? JSON.getNodeFactory().textNode(got) : JSON.readTree(got), attribute);
                }
            }
            for (JsonNode entry : reference.path("tree")) {
                String[] path = JSON.convertValue(entry.path("path"), String[].class);
                String where = String.join("/", path);
                assertEquals(JSON.convertValue(entry.path("groups"), List.class), java.getGroups(path), where);
                List<String> names = new ArrayList<>();
                entry.path("datasets").forEach(d -> names.add(d.path("name").asText()));
                assertEquals(names, java.getDataSets(path), where);
                if (path.length > 0) {
                    assertEquals(entry.has("name"), java.hasAttribute("name", path), where);
                    if (entry.has("name")) {
                        assertEquals(entry.get("name").asText(), java.readAttributeAsString("name", path), where);
                    }
                }
                for (JsonNode d : entry.path("datasets")) {
                    String set = d.path("name").asText();
                    long[] shape = JSON.convertValue(d.path("shape"), long[].class);
                    if (shape.length == 0) {
                        // Rank 0 (Normalization's count): refused, as the Keras readers never need one.
                        FilterScopeException refused = assertThrows(FilterScopeException.class, () -> java.readDataSet(set, path), where + "/" + set);
                        assertTrue(refused.getMessage().contains("rank"), refused.getMessage());
                        continue;
                    }
                    Hdf5Reader.Floats actual = java.readDataSet(set, path);
                    assertArrayEquals(shape, actual.shape(), where + "/" + set);
                    assertEquals(d.path("sha256").asText(), sha256(actual.values()), where + "/" + set + ": values differ from h5py's");
                    datasets++;
                }
            }
        }
        // Two hold no weights: an HDF5 file that is not Keras, and a model whose one layer is a Lambda.
        boolean weightless = Set.of("measurements.h5", "lambda_layer.keras").contains(file.getFileName().toString());
        assertTrue(datasets > 0 || weightless, "no dataset compared in " + file);
    }

    /** SHA-256 of the values as little-endian float32, as the reference script hashes them. */
    private static String sha256(float[] values) throws Exception {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes.array()));
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
