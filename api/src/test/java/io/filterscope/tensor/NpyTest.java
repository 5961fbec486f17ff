package io.filterscope.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {
    /** What make_fixtures.py stores in every dtype: [[0, 1, 2, 3], [4, 5, 100, 127]]. */
    private static final float[] INTS = {0, 1, 2, 3, 4, 5, 100, 127};

    @ParameterizedTest
    @ValueSource(strings = {"f4_le", "f4_be", "f8_le", "f8_be", "i4_le", "i4_be", "i8_le", "u1", "i1", "i2_le", "u2_le", "f2_le"})
    void readsEveryDtypeNumpyWrote(String name) {
        Tensor t = Npy.read(Fixtures.path("npy/" + name + ".npy"));
        assertEquals(Shape.of(2, 4), t.shape());
        assertArrayEquals(INTS, t.toArray());
    }

    @Test
    void readsBoolAndNegativeAndFractionalValues() {
        Tensor b = Npy.read(Fixtures.path("npy/b1.npy"));
        assertEquals(Shape.of(2, 3), b.shape());
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1}, b.toArray());
        assertArrayEquals(new float[] {-128, -1, 0, 127}, Npy.read(Fixtures.path("npy/i1_negative.npy")).toArray());
        float[] f = Npy.read(Fixtures.path("npy/f4_fractions.npy")).toArray();
        assertArrayEquals(new float[] {-1.5f, 0.1f, 1e-3f, 3.25e7f, -0.0f}, f);
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(f[4]), "negative zero keeps its sign");
    }

    @Test
    void readsFortranOrderIntoCOrder() {
        Tensor t = Npy.read(Fixtures.path("npy/fortran.npy"));
        assertEquals(Shape.of(2, 3), t.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toArray());
        Tensor t3 = Npy.read(Fixtures.path("npy/fortran_3d.npy"));
        assertEquals(Shape.of(2, 3, 4), t3.shape());
        float[] expected = new float[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = i;
        }
        assertArrayEquals(expected, t3.toArray());
        assertEquals(23f, t3.get(1, 2, 3));
    }

    @Test
    void readsScalarAndVersions2And3() {
        Tensor s = Npy.read(Fixtures.path("npy/scalar.npy"));
        assertEquals(0, s.shape().rank());
        assertEquals(3.5f, s.get(0));
        for (String v : new String[] {"v2", "v3"}) {
            Path file = Fixtures.path("npy/" + v + ".npy");
            Tensor t = Npy.read(file);
            assertEquals(Shape.of(3, 2), t.shape(), v);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toArray(), v);
        }
    }

    @Test
    void writesExactlyWhatNumpySaveWrites() throws IOException {
        float[] a = new float[12];
        for (int i = 0; i < 12; i++) {
            a[i] = (i - 5.5f) / 4;
        }
        assertSameBytes("written_3x4.npy", Tensor.of(Shape.of(3, 4), a));
        assertSameBytes("written_5.npy", Tensor.of(Shape.of(5), new float[] {-3, -1, 1, 3, 5}));
        assertSameBytes("written_scalar.npy", Tensor.of(Shape.of(new long[0]), new float[] {-2.25f}));
        float[] b = new float[1000];
        for (int i = 0; i < 1000; i++) {
            b[i] = i / 8f;
        }
        assertSameBytes("written_1000x1.npy", Tensor.of(Shape.of(1000, 1), b));
        float[] c = new float[12];
        for (int i = 0; i < 12; i++) {
            c[i] = i * 0.5f;
        }
        assertSameBytes("written_1x3x2x2.npy", Tensor.of(Shape.of(1, 3, 2, 2), c));
    }

    private static void assertSameBytes(String fixture, Tensor t) throws IOException {
        byte[] numpy = Files.readAllBytes(Fixtures.path("npy/" + fixture));
        byte[] ours = Npy.toBytes(t);
        assertEquals(new String(numpy, 0, Math.min(numpy.length, 128), java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(ours, 0, Math.min(ours.length, 128), java.nio.charset.StandardCharsets.ISO_8859_1), fixture + " header");
        assertArrayEquals(numpy, ours, fixture);
        assertEquals(0, (ours.length - 4 * t.size()) % 64, "data starts on a 64-byte boundary");
    }

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) {
        Tensor t = Tensor.of(Shape.of(2, 3, 1, 2), new float[] {1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY, 0, 7, 8, 9, 10, 11, 12});
        Path file = dir.resolve("t.npy");
        Npy.write(t, file);
        Tensor back = Npy.read(file);
        assertEquals(t.shape(), back.shape());
        assertArrayEquals(t.toArray(), back.toArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rejectsANonNpyFileNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("image.png");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a NumPy .npy file"), e.getMessage());
    }

    @Test
    void rejectsTruncatedFiles(@TempDir Path dir) throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.path("npy/f8_le.npy"));
        for (int cut : new int[] {full.length - 1, full.length - 60, 40, 12, 9}) {
            Path file = dir.resolve("cut" + cut + ".npy");
            Files.write(file, Arrays.copyOf(full, cut));
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> Npy.read(file), "cut at " + cut);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        }
        Path file = dir.resolve("cut.npy");
        Files.write(file, Arrays.copyOf(full, full.length - 1));
        assertTrue(assertThrows(FilterScopeException.class, () -> Npy.read(file)).getMessage().contains("truncated"));
    }

    @Test
    void rejectsUnsupportedDtypesNamingTheFile(@TempDir Path dir) throws IOException {
        for (String descr : new String[] {"<c8", "|O", "<U3", "<M8[ns]"}) {
            Path file = dir.resolve("bad.npy");
            Files.write(file, withHeader("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }", new byte[16]));
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> Npy.read(file), descr);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("not supported"), e.getMessage());
        }
        Path structured = dir.resolve("structured.npy");
        Files.write(structured, withHeader("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        assertTrue(assertThrows(FilterScopeException.class, () -> Npy.read(structured)).getMessage().contains("structured"));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("nope.npy");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Npy.read(file));
        assertEquals(file + ": no such file; give the path of a .npy file", e.getMessage());
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(1f, Npy.halfToFloat((short) 0x3c00));
        assertEquals(-2f, Npy.halfToFloat((short) 0xc000));
        assertEquals(65504f, Npy.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Npy.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, Npy.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(Npy.halfToFloat((short) 0x7e00)));
    }

    private static byte[] withHeader(String header, byte[] data) {
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        String h = header + " ".repeat(pad) + "\n";
        byte[] out = new byte[10 + h.length() + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, out, 0, 8);
        out[8] = (byte) h.length();
        out[9] = (byte) (h.length() >> 8);
        System.arraycopy(h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, out, 10, h.length());
        System.arraycopy(data, 0, out, 10 + h.length(), data.length);
        return out;
    }
}
