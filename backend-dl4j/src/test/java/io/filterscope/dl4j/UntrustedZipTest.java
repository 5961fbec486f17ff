package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J zips from strangers: nothing in them reaches Java deserialization unfiltered, and the input
 * shape is stored as JSON. The bombs here hang (or run code in) an unguarded reader; the preemptive
 * timeouts only turn such a regression into a failure instead of a stuck build.
 */
class UntrustedZipTest {
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path plain;

    @BeforeEach
    void saveANetworkWhoseInputSizeIsNotStored() throws Exception {
        plain = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("plain.zip"));
        Hostile.Tripwire.READS.set(0);
    }

    /** The reported bug: `filterscope info` on this file never returned. */
    @Test
    void aDeserializationBombAsTheStoredInputShapeIsRefusedWithoutBeingRead() throws Exception {
        Path zip = Hostile.withEntry(plain, dir.resolve("bomb.zip"), "objects/" + Dl4jBackend.INPUT_SHAPE_OBJECT, Hostile.hashSetBomb());
        String m = assertTimeoutPreemptively(HANG, () -> message(() -> FilterScope.open(zip)));
        assertTrue(m.startsWith("bomb.zip: the stored input shape is unusable: objects/filterscope.inputShape holds a java.util.HashSet, "
                + "not a long[]") && m.contains("Dl4jBackend.saveInputShape"), m);
    }

    @Test
    void noObjectOfAForeignClassIsBuiltFromTheStoredInputShape() throws Exception {
        Path zip = Hostile.withEntry(plain, dir.resolve("tripwire.zip"), "objects/" + Dl4jBackend.INPUT_SHAPE_OBJECT,
                Hostile.serialize(new Hostile.Tripwire()));
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.contains("holds a io.filterscope.dl4j.Hostile$Tripwire, not a long[]"), m);
        assertEquals(0, Hostile.Tripwire.READS.get(), "the filter refuses the class before an object of it exists");
    }

    @Test
    void aLongArrayInsideSomethingElseIsRefused() throws Exception {
        Path zip = Hostile.withEntry(plain, dir.resolve("nested.zip"), "objects/" + Dl4jBackend.INPUT_SHAPE_OBJECT,
                Hostile.serialize(new Object[] {new long[] {1, 12, 12}}));
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("nested.zip: the stored input shape is unusable") && m.contains("[Ljava.lang.Object;"), m);
    }

    @Test
    void aHugeStoredInputShapeIsNotReadIntoMemory() throws Exception {
        Path zip = Hostile.withEntry(plain, dir.resolve("huge.zip"), Dl4jBackend.INPUT_SHAPE_ENTRY, new byte[50_000_000]);
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("huge.zip: the stored input shape (filterscope/input-shape.json) is larger than 4096 bytes"), m);
    }

    /** DL4J's own restore reads preprocessor.bin with an unfiltered ObjectInputStream; it never sees it. */
    @Test
    void aBombInDl4jsPreprocessorEntryIsNeverHandedToDl4j() throws Exception {
        Path withShape = Hostile.withEntry(plain, dir.resolve("s.zip"), Dl4jBackend.INPUT_SHAPE_ENTRY,
                "{\"inputShape\":[2,12,12]}".getBytes(StandardCharsets.UTF_8));
        Path bomb = Hostile.withEntry(withShape, dir.resolve("prep-bomb.zip"), "preprocessor.bin", Hostile.hashSetBomb());
        Path wire = Hostile.withEntry(withShape, dir.resolve("prep-wire.zip"), "preprocessor.bin",
                Hostile.serialize(new Hostile.Tripwire()));
        for (Path zip : List.of(bomb, wire)) {
            try (Model model = assertTimeoutPreemptively(HANG, () -> FilterScope.open(zip))) {
                assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), model.metadata().input().shape(), zip::toString);
            }
        }
        assertEquals(0, Hostile.Tripwire.READS.get());
        // The guard is needed: DL4J itself, handed the file, deserializes the entry.
        assertThrows(ClassCastException.class, () -> ModelSerializer.restoreMultiLayerNetwork(wire.toFile(), false));
        assertEquals(1, Hostile.Tripwire.READS.get(), "DL4J 1.0.0-M2.1 reads preprocessor.bin unfiltered");
    }

    @Test
    void parametersDeclaredLargerThanTheHeapAreRefusedBeforeReading() throws Exception {
        Path zip = Hostile.declaringSize(Files.copy(plain, dir.resolve("big.zip")), "coefficients.bin", 0xFFFF_FFF0L);
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("big.zip: the network's parameters take 4,096 MB unpacked, more than the")
                && m.contains("run Java with a larger -Xmx"), m);
    }

    @Test
    void parametersThatInflatePastTheirDeclaredSizeStopThere() throws Exception {
        long size;
        try (ZipFile z = new ZipFile(plain.toFile())) {
            size = z.getEntry("coefficients.bin").getSize();
        }
        // One byte short: the headers still fit, the values run one byte past the declared end.
        Path zip = Hostile.declaringSize(Files.copy(plain, dir.resolve("liar.zip")), "coefficients.bin", size - 1);
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("liar.zip: DL4J cannot read this model (coefficients.bin inflates past the "), m);
    }

    /** ND4J allocates what the header declares before reading a value: 2^40 floats from a 100-byte entry. */
    @Test
    void parametersWhoseHeaderDeclaresMoreThanTheEntryHoldsAreRefusedBeforeAllocating() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.DataOutputStream(bytes)) {
            out.writeUTF("MIXED_DATA_TYPES");
            out.writeLong(6);
            out.writeUTF("LONG");
            for (long v : new long[] {2, 1, 1L << 40, 1L << 40, 1, 0}) {
                out.writeLong(v);
            }
            out.writeUTF("MIXED_DATA_TYPES");
            out.writeLong(1L << 40);
            out.writeUTF("FLOAT");
            out.write(new byte[16]);
        }
        Path zip = Hostile.withEntry(plain, dir.resolve("greedy.zip"), "coefficients.bin", bytes.toByteArray());
        String m = message(() -> FilterScope.open(zip));
        assertTrue(m.startsWith("greedy.zip: coefficients.bin is not a parameter array DL4J wrote (it declares 1,099,511,627,776 values "
                + "but holds"), m);
    }

    /** The Keras 3 reader copies model.weights.h5 out of the zip for HDF5: no further than the zip declares. */
    @Test
    void kerasWeightsThatInflatePastTheirDeclaredSizeStopThere() throws Exception {
        Path keras = Files.copy(BadInputTest.KERAS3_ZIP, dir.resolve("bomb.keras"));
        long size;
        try (ZipFile z = new ZipFile(keras.toFile())) {
            size = z.getEntry("model.weights.h5").getSize();
        }
        Hostile.declaringSize(keras, "model.weights.h5", size / 2);
        String m = message(() -> FilterScope.open(keras));
        assertTrue(m.contains("bomb.keras") && m.contains("model.weights.h5 inflates past the " + size / 2 + " bytes the zip declares"), m);
    }

    @Test
    void theInputShapeIsStoredAsJsonAndReadBack() throws Exception {
        Dl4jBackend.saveInputShape(plain, 2, 12, 12);
        try (ZipFile zip = new ZipFile(plain.toFile())) {
            assertEquals("{\"inputShape\":[2,12,12]}",
                    new String(zip.getInputStream(zip.getEntry("filterscope/input-shape.json")).readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(null, zip.getEntry("objects/filterscope.inputShape"));
        }
        try (Model model = FilterScope.open(plain)) {
            assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), model.metadata().input().shape());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(plain), files.toList(), "no temporary file left");
        }
    }

    @Test
    void savingTheShapeAgainReplacesTheOldFormAndTheOldValue() throws Exception {
        ModelSerializer.addObjectToFile(plain.toFile(), Dl4jBackend.INPUT_SHAPE_OBJECT, new long[] {9, 9, 9});
        Dl4jBackend.saveInputShape(plain, 2, 12, 12);
        Dl4jBackend.saveInputShape(plain, 2, 12, 12);
        try (ZipFile zip = new ZipFile(plain.toFile())) {
            assertEquals(null, zip.getEntry("objects/filterscope.inputShape"));
            assertEquals(1, zip.stream().filter(e -> e.getName().equals(Dl4jBackend.INPUT_SHAPE_ENTRY)).count());
        }
        assertArrayEquals(new long[] {2, 12, 12}, StoredInputShape.read(plain, "plain.zip").orElseThrow());
    }

    /** Zips saved the old way keep opening: a long[] (what the README said) or an int[]. */
    @Test
    void theOldSerializedShapeStillOpens() throws Exception {
        ModelSerializer.addObjectToFile(plain.toFile(), Dl4jBackend.INPUT_SHAPE_OBJECT, new long[] {2, 12, 12});
        try (Model model = FilterScope.open(plain)) {
            assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), model.metadata().input().shape());
        }
        Path ints = Hostile.withEntry(plain, dir.resolve("ints.zip"), "objects/" + Dl4jBackend.INPUT_SHAPE_OBJECT,
                Hostile.serialize(new int[] {2, 12, 12}));
        assertArrayEquals(new long[] {2, 12, 12}, StoredInputShape.read(ints, "ints.zip").orElseThrow());
    }

    @Test
    void aJsonShapeThatIsNotOneIsNamed() throws Exception {
        for (String json : List.of("{\"inputShape\":\"1x28x28\"}", "{\"inputShape\":[1,2.5,3]}", "[1,", "{}")) {
            Path zip = Hostile.withEntry(plain, dir.resolve("j.zip"), Dl4jBackend.INPUT_SHAPE_ENTRY, json.getBytes(StandardCharsets.UTF_8));
            String m = message(() -> FilterScope.open(zip));
            assertTrue(m.startsWith("j.zip: the stored input shape is unusable: filterscope/input-shape.json ")
                    && m.endsWith("store it again with Dl4jBackend.saveInputShape(file, c, h, w)"), json + " -> " + m);
        }
    }

    @Test
    void savingAShapeIntoSomethingThatIsNotAZipSaysSoAndLeavesItAlone() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.zip"), "not a zip");
        String m = message(() -> Dl4jBackend.saveInputShape(text, 1, 28, 28));
        assertTrue(m.startsWith("notes.zip: cannot be read as a zip"), m);
        assertEquals("not a zip", Files.readString(text));
        String bad = message(() -> Dl4jBackend.saveInputShape(plain, 1, 0, 28));
        assertTrue(bad.contains("[1, 0, 28] is not channels, height, width"), bad);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }

    private static String message(Executable e) {
        FilterScopeException ex = assertThrows(FilterScopeException.class, e);
        assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
        return ex.getMessage();
    }
}
