package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rows of docs/bad-inputs.md through the command line, as a user meets them: each bad model file
 * given to {@code info} and to {@code activations} is exit 2, one line naming the file and holding
 * the catalogue's message, no stack trace, and an empty output folder. The files are the API tests'
 * fixtures, or made here the way those tests make them (see {@link HostileFiles}).
 */
class BadInputCatalogueTest {
    private static final Path FASHION = HostileFiles.FASHION;
    private static final Path BOOT = FASHION.resolve("images/9-ankle-boot.png");
    private static final Path DL4J_RESOURCES = Path.of("../backend-dl4j/src/test/resources");
    private static final Path KERAS_SEEDS = DL4J_RESOURCES.resolve("io/filterscope/dl4j/Keras3FuzzTestInputs");
    private static final Path NPY_SEEDS = Path.of("../api/src/test/resources/io/filterscope/tensor/NpyFuzzTestInputs/parseGivesATensorOrOneLine");
    private static final Path CLI_BAD = Path.of("src/test/resources/cli/bad");
    /** A bomb hangs an unguarded reader: the timeout only turns such a regression into a failure instead of a stuck build. */
    private static final Duration HANG = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    /** Makes the bad file in the given folder. */
    @FunctionalInterface
    interface Maker {
        Path make(Path dir) throws IOException;
    }

    private static Arguments row(String row, Maker maker, String... fragments) {
        return Arguments.of(row, maker, List.of(fragments));
    }

    /** One entry per bad model file; the first argument is the catalogue row it holds. */
    static Stream<Arguments> badModelFiles() {
        return Stream.of(
                // Model files
                row("DL4J file cut before its signature", d -> Files.write(d.resolve("empty.h5"), new byte[] {(byte) 0x89, 'H'}),
                        "empty.h5: ", "truncated"),
                row("garbage with .zip", d -> Files.writeString(d.resolve("notes.zip"), "just some text"),
                        "notes.zip: ", "save the network with ModelSerializer.writeModel"),
                row("garbage with .keras", d -> Files.writeString(d.resolve("notes.keras"), "just some text"),
                        "notes.keras: neither a DL4J model zip nor an HDF5/Keras file"),
                row("stored input shape of the wrong type", d -> HostileFiles.bundledDl4jWithoutItsShape(d.resolve("badshape.zip"),
                        "objects/filterscope.inputShape", HostileFiles.serialize("1x28x28")), "badshape.zip: the stored input shape is unusable: objects/filterscope.inputShape holds a String, not a long[]"),
                // The command line gives a Keras 2 .h5 to DL4J's Keras 2 import, never to the Keras 3 reader.
                row("Keras 2 .h5 (DL4J's Keras import, not the Keras 3 reader)",
                        d -> Files.copy(DL4J_RESOURCES.resolve("keras3/bad/keras2.h5"), d.resolve("keras2.h5")),
                        "keras2.h5: DL4J's Keras import cannot read this keras 2.13.1 model (", "convert it to ONNX (tf2onnx) and open that instead"),
                row("weights-only .h5", d -> {
                    Path file = d.resolve("fashion.weights.h5");
                    try (var zip = new java.util.zip.ZipFile(FASHION.resolve("fashion_cnn_keras.keras").toFile());
                         var in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
                        Files.copy(in, file);
                    }
                    return file;
                }, "fashion.weights.h5: ", "weights only"),
                row("HDF5 that is not Keras", d -> Files.copy(DL4J_RESOURCES.resolve("bad-input/measurements.h5"), d.resolve("measurements.h5")),
                        "measurements.h5: ", "not a Keras model", "model.save"),
                row("truncated .keras", d -> cut(FASHION.resolve("fashion_cnn_keras.keras"), d.resolve("truncated.keras"), 2),
                        "truncated.keras: ", "truncated"),
                row("truncated .h5", d -> cut(FASHION.resolve("fashion_cnn_keras.h5"), d.resolve("truncated.h5"), 3),
                        "truncated.h5: ", "truncated or damaged"),
                row(".keras without weights", d -> HostileFiles.without(FASHION.resolve("fashion_cnn_keras.keras"), d.resolve("no_weights.keras"),
                        "model.weights.h5"), "no_weights.keras: ", "has no model.weights.h5"),
                row(".keras without config", d -> HostileFiles.without(FASHION.resolve("fashion_cnn_keras.keras"), d.resolve("no_config.keras"),
                        "config.json"), "no_config.keras: ", "has no config.json"),
                row("weights that do not match the config", d -> rewritingConfig(FASHION.resolve("fashion_cnn_keras.keras"),
                        d.resolve("kernel_mismatch.keras"), "\"kernel_size\": [3, 3]", "\"kernel_size\": [5, 5]"),
                        "kernel_mismatch.keras: layer 'conv1': its weights (DL4J W [16, 1, 3, 3]) do not fit its config (needs [16, 1, 5, 5])"),
                row("damaged HDF5 content: the .h5 that hung the native HDF5 library",
                        d -> Files.copy(KERAS_SEEDS.resolve("hdf5GivesAModelOrOneLine/crash-h5-hung-in-native-Attribute-read.h5"), d.resolve("hang.h5")),
                        "hang.h5: the HDF5 content cannot be read (", "truncated or damaged"),
                row(".h5 shorter than its superblock declares", d -> Files.write(d.resolve("half.h5"),
                        Arrays.copyOf(Files.readAllBytes(FASHION.resolve("fashion_cnn_keras.h5")), 4096)),
                        "half.h5: the HDF5 file is truncated or damaged (it holds 4,096 of the "),
                row("HDF5 dataset declaring more values than the file holds", BadInputCatalogueTest::kernelDeclaringMoreThanTheFileHolds,
                        "big.h5: the HDF5 content cannot be read (dataset '", "-byte file holds"),
                row("compressed HDF5 chunk that inflates past its declared size (a decompression bomb)",
                        d -> Files.copy(DL4J_RESOURCES.resolve("hdf5-limits/small_cnn_keras2_bomb.h5"), d.resolve("small_cnn_keras2_bomb.h5")),
                        "small_cnn_keras2_bomb.h5: the HDF5 content cannot be read (a compressed chunk inflates past the 108 bytes its chunk size declares"),
                row("Keras config declaring far more parameters than the file's weights (a Dense of 1.5 billion units)",
                        d -> Files.copy(DL4J_RESOURCES.resolve("hdf5-limits/small_cnn_keras2_huge_dense.h5"), d.resolve("huge.h5")),
                        "huge.h5: the model configuration declares 42,000,000,030 parameters, but the file holds 142 weight values"),
                row("HDF5 chunk declared larger than its dataset",
                        d -> Files.copy(DL4J_RESOURCES.resolve("hdf5-limits/small_cnn_keras2_big_chunk.h5"), d.resolve("big_chunk.h5")),
                        "big_chunk.h5: the HDF5 content cannot be read (dataset '/model_weights/conv/conv/kernel:0' declares chunks of 805,306,368 bytes"),
                row("a compression filter Keras does not write (LZF)",
                        d -> Files.copy(CLI_BAD.resolve("small_cnn_keras2_lzf.h5"), d.resolve("lzf.h5")),
                        "lzf.h5: the HDF5 content cannot be read (dataset '/model_weights/conv/conv/kernel:0' is compressed with filter 32000 (lzf), "
                                + "which Keras does not write)"),
                // Untrusted files
                row("stored input shape larger than 4 KB", d -> HostileFiles.withEntry(FASHION.resolve("fashion_cnn_dl4j.zip"), d.resolve("huge.zip"),
                        "filterscope/input-shape.json", new byte[100_000]),
                        "huge.zip: the stored input shape (filterscope/input-shape.json) is larger than 4096 bytes"),
                row("JSON that is not a shape", d -> HostileFiles.withEntry(FASHION.resolve("fashion_cnn_dl4j.zip"), d.resolve("j.zip"),
                        "filterscope/input-shape.json", HostileFiles.utf8("{\"inputShape\":\"1x28x28\"}")),
                        "j.zip: the stored input shape is unusable: filterscope/input-shape.json ", "Dl4jBackend.saveInputShape(file, c, h, w)"),
                row("DL4J parameters declared larger than half the heap", d -> HostileFiles.declaringSize(
                        Files.copy(FASHION.resolve("fashion_cnn_dl4j.zip"), d.resolve("big.zip")), "coefficients.bin", 0xFFFF_FFF0L),
                        "big.zip: the network's parameters take 4,096 MB unpacked, more than the", "run Java with a larger -Xmx"),
                row("DL4J coefficients.bin that inflates past its declared size", d -> {
                    Path zip = Files.copy(FASHION.resolve("fashion_cnn_dl4j.zip"), d.resolve("liar.zip"));
                    // One byte short: the headers still fit, the values run one byte past the declared end.
                    return HostileFiles.declaringSize(zip, "coefficients.bin", HostileFiles.declaredSize(zip, "coefficients.bin") - 1);
                }, "liar.zip: DL4J cannot read this model (coefficients.bin inflates past the "),
                row("DL4J parameter header declaring more values than the entry holds", d -> HostileFiles.withEntry(
                        FASHION.resolve("fashion_cnn_dl4j.zip"), d.resolve("greedy.zip"), "coefficients.bin", HostileFiles.greedyParameters()),
                        "greedy.zip: coefficients.bin is not a parameter array DL4J wrote (it declares 1,099,511,627,776 values but holds"),
                row(".keras whose model.weights.h5 inflates past its declared size", d -> {
                    Path keras = Files.copy(FASHION.resolve("fashion_cnn_keras.keras"), d.resolve("bomb.keras"));
                    return HostileFiles.declaringSize(keras, "model.weights.h5", HostileFiles.declaredSize(keras, "model.weights.h5") / 2);
                }, "bomb.keras", "model.weights.h5 inflates past the ", " bytes the zip declares"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badModelFiles")
    void aBadModelFileIsOneLineExit2AndWritesNothing(String row, Maker maker, List<String> fragments) throws IOException {
        Path file = maker.make(tmp);
        Path out = tmp.resolve("out");
        String name = file.getFileName().toString();
        Cli.Result info = assertTimeoutPreemptively(HANG, () -> Cli.run("info", file));
        Cli.Result activations = assertTimeoutPreemptively(HANG, () -> Cli.run("activations", file, "--image", BOOT, "-o", out));
        for (Cli.Result r : List.of(info, activations)) {
            Fixtures.assertUserError(r, name, out);
            for (String f : fragments) {
                assertTrue(r.err().contains(f), row + ": stderr should hold '" + f + "'\n" + r);
            }
        }
    }

    /** The DL4J zip whose legacy stored shape is a serialized object of a class of ours: refused before one is built. */
    @Test
    void aGadgetAsTheStoredInputShapeIsNeverBuilt() throws IOException {
        Tripwire.READS.set(0);
        Path zip = HostileFiles.bundledDl4jWithoutItsShape(tmp.resolve("gadget.zip"), "objects/filterscope.inputShape",
                HostileFiles.serialize(new Tripwire()));
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", zip, "--image", BOOT, "-o", out);
        Fixtures.assertUserError(r, "gadget.zip", out);
        assertTrue(r.err().contains("holds a " + Tripwire.class.getName() + ", not a long[]"), r::toString);
        assertEquals(0, Tripwire.READS.get(), "the filter refuses the class before an object of it exists");
    }

    /**
     * The .keras that crashed the JVM in the native HDF5 library (found by fuzzing): its two changed
     * bytes leave the model whole, so the command line reads it as the seed it came from.
     */
    @Test
    void theKerasThatCrashedTheNativeLibraryOpensAsItsSeed() {
        Cli.Result crashed = assertTimeoutPreemptively(HANG, () -> Cli.run("info",
                KERAS_SEEDS.resolve("kerasZipGivesAModelOrOneLine/crash-keras-sigsegv-in-native-after-damaged-files.keras")));
        Cli.Result seed = Cli.run("info", KERAS_SEEDS.resolve("kerasZipGivesAModelOrOneLine/seq_cnn.keras"));
        assertEquals(0, seed.code(), seed::toString);
        assertEquals(0, crashed.code(), crashed::toString);
        assertEquals(layerLines(seed.out()), layerLines(crashed.out()));
    }

    /** ONNX external data whose offset or length (text in the file) overflows, is negative, or is no number. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"offset_overflow", "length_overflow", "length_lots", "offset_negative"})
    void externalDataOffsetsAndLengthsFromTheFile(String edit) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("m"));
        Files.copy(CLI_BAD.resolve("external/weights.bin"), folder.resolve("weights.bin"));
        Path model = Files.copy(CLI_BAD.resolve("external/" + edit + ".onnx"), folder.resolve(edit + ".onnx"));
        Path out = tmp.resolve("out");
        Cli.Result filters = Cli.run("filters", model, "-o", out);
        Fixtures.assertUserError(filters, edit + ".onnx", out);
        assertTrue(filters.err().startsWith(model + ": "), filters::toString);
        Fixtures.assertUserError(Cli.run("activations", model, "--input-npy", npyOnes(1, 3, 8, 8), "-o", out), edit + ".onnx", out);
    }

    /** The .npy reader's fuzzing crashes, given as a command's input. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "crash-header-with-line-break|malformed .npy header (",
        "crash-shape-overflow|more than 2^63 values",
        "crash-huge-count|",
        "crash-negative-dim|"})
    void npyHeadersFromFuzzing(String seed, String fragment) throws IOException {
        Path npy = Files.copy(NPY_SEEDS.resolve(seed), tmp.resolve("fuzz.npy"));
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", Fixtures.model(), "--input-npy", npy, "-o", out);
        Fixtures.assertUserError(r, "fuzz.npy", out);
        assertTrue(r.err().startsWith(npy + ": "), r::toString);
        if (fragment != null) {
            assertTrue(r.err().contains(fragment), r::toString);
        }
    }

    /**
     * Layers named "../../outside", "/tmp/abs", "a/../../b" and 10,000 × "L": every picture lands
     * inside the output folder under a plain name of at most 120 characters, and nothing beside it.
     */
    @Test
    void layerNamesThatLookLikePathsStayInsideTheOutputFolder() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("a/b/c"));
        Path model = Files.copy(CLI_BAD.resolve("path_names.onnx"), work.resolve("path_names.onnx"));
        Path out = work.resolve("out");
        Cli.Result filters = Cli.run("filters", model, "-o", out);
        Cli.Result activations = Cli.run("activations", model, "--input-npy", npyOnes(1, 1, 8, 8), "-o", out.resolve("maps"));
        assertEquals(0, filters.code(), filters::toString);
        assertEquals(0, activations.code(), activations::toString);
        List<Path> files;
        try (Stream<Path> all = Files.walk(tmp)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        int pictures = 0;
        for (Path f : files) {
            if (f.equals(model) || f.getFileName().toString().equals("x.npy")) {
                continue;
            }
            assertTrue(f.startsWith(out), "written outside the output folder: " + f);
            String n = f.getFileName().toString();
            // The layer's part of the name: at most 120 characters (Names.MAX_FILE_NAME), before the picture's suffix.
            String layer = n.replaceFirst("\\.(filters|activations)\\.png$", "");
            assertTrue(layer.length() <= 120 && n.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*"), n);
            pictures += n.endsWith(".png") ? 1 : 0;
        }
        // Filters of 4 convolutions, maps of 4 convolutions and the pooling: none lost to a clash of names.
        assertTrue(pictures >= 8, files::toString);
    }

    private Path npyOnes(long... shape) throws IOException {
        Path npy = tmp.resolve("x.npy");
        if (!Files.exists(npy)) {
            float[] ones = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            Arrays.fill(ones, 1f);
            io.filterscope.tensor.Npy.write(io.filterscope.tensor.Tensor.of(io.filterscope.tensor.Shape.of(shape), ones), npy);
        }
        return npy;
    }

    private static List<String> layerLines(String info) {
        return info.lines().filter(l -> !l.contains(".keras")).toList();
    }

    private static Path cut(Path from, Path to, int divisor) throws IOException {
        byte[] all = Files.readAllBytes(from);
        return Files.write(to, Arrays.copyOf(all, all.length / divisor));
    }

    private static Path rewritingConfig(Path keras, Path target, String find, String replace) throws IOException {
        String config;
        try (var zip = new java.util.zip.ZipFile(keras.toFile())) {
            config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(config.contains(find), "the config holds " + find);
        return HostileFiles.withEntry(keras, target, "config.json", HostileFiles.utf8(config.replace(find, replace)));
    }

    /**
     * The Keras 3 .h5 with conv1's kernel (3×3×1×16) declaring 100,000 times as many rows: the
     * dataspace message holds the dimensions as 8-byte little-endian lengths, so every copy of them
     * (the kernel's, and the optimizer's moments of it) is rewritten.
     */
    private static Path kernelDeclaringMoreThanTheFileHolds(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(FASHION.resolve("fashion_cnn_keras.h5"));
        ByteBuffer dims = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(3).putLong(1).putLong(16);
        List<Integer> at = HostileFiles.indexesOf(bytes, dims.array());
        assertFalse(at.isEmpty(), "conv1's kernel dimensions are in the file");
        for (int i : at) {
            ByteBuffer.wrap(bytes, i, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(300_000);
        }
        return Files.write(dir.resolve("big.h5"), bytes);
    }

    /** A serializable class that counts how often one was rebuilt from a stream: proof that a filter came first. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger READS = new AtomicInteger();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }
}
