package io.filterscope.dl4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Hostile file content, made the way an attacker would: real Java serialization streams, real zips. */
final class Hostile {
    private Hostile() {
    }

    /**
     * The classic "SerialDOS" bomb: 100 levels of HashSets, each holding two sets of the level below.
     * The stream is a few KB (back-references), but reading it hashes 2^100 sets.
     */
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

    /** A serializable class that counts how often one was rebuilt from a stream: proof that a filter came first. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger READS = new AtomicInteger();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    /** Copies {@code zip} to {@code target} with {@code entry} added (or replaced) holding {@code bytes}. */
    static Path withEntry(Path zip, Path target, String entry, byte[] bytes) throws IOException {
        try (ZipFile in = new ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            var entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(entry)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                try (var from = in.getInputStream(e)) {
                    from.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(entry));
            out.write(bytes);
            out.closeEntry();
        }
        return target;
    }

    /**
     * Rewrites the uncompressed size that the zip's central directory declares for {@code entry}
     * (the local header keeps its own), as a crafted file would.
     */
    static Path declaringSize(Path zip, String entry, long size) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        byte[] name = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
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

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }
}
