package io.filterscope.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Hostile model files for the command line's tests, made the way an attacker would: real Java
 * serialization streams, real zips with entries added, dropped or lying about their size. The same
 * recipes as backend-dl4j's test {@code Hostile} (which this module cannot see: backends are only on
 * its run-time class path), applied to the bundled models.
 */
final class HostileFiles {
    static final Path FASHION = Path.of("../samples/models/fashion-mnist");

    private HostileFiles() {
    }

    /** The bundled DL4J model without its stored input shape, written to {@code target}, plus {@code entry} holding {@code bytes} when given. */
    static Path bundledDl4jWithoutItsShape(Path target, String entry, byte[] bytes) throws IOException {
        return copyZip(FASHION.resolve("fashion_cnn_dl4j.zip"), target, n -> !n.startsWith("objects/") && !n.startsWith("filterscope/"),
                entry, bytes);
    }

    /** The classic "SerialDOS": 100 levels of HashSets two wide; a few KB that take 2^100 steps to read. */
    static byte[] hashSetBomb() throws IOException {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo");             // makes t1 unequal to t2
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return serialize(root);
    }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Copies {@code zip} to {@code target} keeping the entries {@code keep} admits, then adds {@code entry} (when not null). */
    static Path copyZip(Path zip, Path target, Predicate<String> keep, String entry, byte[] bytes) throws IOException {
        try (ZipFile in = new ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                if (keep.test(e.getName()) && !e.getName().equals(entry)) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    try (var from = in.getInputStream(e)) {
                        from.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            if (entry != null) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return target;
    }

    /** Copies {@code zip} to {@code target} with {@code entry} added, or replaced, holding {@code bytes}. */
    static Path withEntry(Path zip, Path target, String entry, byte[] bytes) throws IOException {
        return copyZip(zip, target, name -> true, entry, bytes);
    }

    /** Copies {@code zip} to {@code target} without {@code entry}. */
    static Path without(Path zip, Path target, String entry) throws IOException {
        return copyZip(zip, target, name -> !name.equals(entry), null, null);
    }

    /** The uncompressed size the zip declares for {@code entry}. */
    static long declaredSize(Path zip, String entry) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getEntry(entry).getSize();
        }
    }

    /**
     * Rewrites the uncompressed size that the zip's central directory declares for {@code entry}
     * (the local header keeps its own), as a crafted file would.
     */
    static Path declaringSize(Path zip, String entry, long size) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        byte[] name = utf8(entry);
        for (int i = 0; i + 46 + name.length <= b.length; i++) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 1 && b[i + 3] == 2
                    && u16(b, i + 28) == name.length && java.util.Arrays.equals(b, i + 46, i + 46 + name.length, name, 0, name.length)) {
                for (int k = 0; k < 4; k++) {
                    b[i + 24 + k] = (byte) (size >>> (8 * k));
                }
                Files.write(zip, b);
                return zip;
            }
        }
        throw new IllegalArgumentException(entry + " not in " + zip);
    }

    /**
     * A DL4J parameter array ({@code coefficients.bin}) whose header declares 2^40 float values and
     * holds 16 bytes of them: ND4J would allocate what the header says before reading a value.
     */
    static byte[] greedyParameters() throws IOException {
        var bytes = new ByteArrayOutputStream();
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
        return bytes.toByteArray();
    }

    /** Every place in {@code in} where {@code what} starts. */
    static java.util.List<Integer> indexesOf(byte[] in, byte[] what) {
        java.util.List<Integer> at = new java.util.ArrayList<>();
        for (int i = 0; i + what.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                at.add(i);
            }
        }
        return at;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }
}
