package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * What DL4J's {@code ModelSerializer.restore…(InputStream, false)} is given instead of the user's
 * zip: a zip streamed on the fly with only the entries a network needs — its configuration and its
 * parameters.
 *
 * <p>Why: DL4J 1.0.0-M2.1's restore reads every entry of the zip into memory and, when there is a
 * {@code preprocessor.bin}, hands it to a plain {@code ObjectInputStream} with no filter (a
 * deserialization bomb there hangs the load; a gadget chain could do worse). The preprocessor, the
 * updater state, the normalizer and {@code objects/…} are never needed to look at a network, so they
 * are simply not passed on. Entries are copied uncompressed with the sizes and CRCs the zip's
 * directory declares, checked against a budget before anything is read: DL4J then allocates each
 * entry once at its declared size, and an entry that inflates past what it declared (a zip bomb)
 * fails at the first byte too many.
 */
final class RestorableZip {
    /** The entries DL4J's restore reads when the updater is not loaded. */
    static final List<String> NEEDED = List.of("configuration.json", "coefficients.bin", "noParams.marker");

    private RestorableZip() {
    }

    /**
     * A stream of a zip with only {@link #NEEDED}. Copying happens on a daemon thread as DL4J reads;
     * a copy failure reaches the reader as an {@link IOException} with the copier's message.
     *
     * @throws FilterScopeException naming the file when the entries need more memory than this JVM has
     */
    static InputStream open(Path file, String name) throws IOException {
        ZipFile zip = new ZipFile(file.toFile());
        try {
            long total = 0;
            for (String n : NEEDED) {
                ZipEntry e = zip.getEntry(n);
                if (e != null) {
                    total += Math.max(0, e.getSize());
                }
            }
            long budget = budgetBytes();
            if (total > budget) {
                throw new FilterScopeException(ErrorKind.RESOURCE_LIMIT, String.format("%s: the network's parameters take %,d MB unpacked, more than the %,d MB "
                        + "this JVM can give them (half its maximum heap); run Java with a larger -Xmx", name, total >> 20, budget >> 20));
            }
            checkParameterHeaders(zip, name);
            PipedInputStream in = new PipedInputStream(1 << 16);
            PipedOutputStream pipe = new PipedOutputStream(in);
            AtomicReference<IOException> failure = new AtomicReference<>();
            Thread copier = new Thread(() -> copy(zip, pipe, failure), "filterscope-dl4j-zip-" + name);
            copier.setDaemon(true);
            copier.start();
            InputStream checked = new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    try {
                        return checked(super.read(), failure);
                    } catch (IOException e) {
                        throw withCause(e, failure);
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return checked(super.read(b, off, len), failure);
                    } catch (IOException e) {
                        throw withCause(e, failure);
                    }
                }
            };
            // DL4J's restore first asks available() and takes 0 for a closed stream: wait for the first bytes.
            BufferedInputStream buffered = new BufferedInputStream(checked, 1 << 16);
            buffered.mark(1);
            buffered.read();
            buffered.reset();
            return buffered;
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /**
     * {@code coefficients.bin} is ND4J's array format: a header (allocation mode, element count, data
     * type) and the shape buffer, then a header and the values. ND4J allocates what a header declares
     * before it reads a value, so a few crafted bytes could ask for terabytes of native memory. Both
     * counts are checked here against what the entry actually holds.
     */
    private static void checkParameterHeaders(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry("coefficients.bin");
        if (e == null || e.getSize() <= 0) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(e)))) {
            long[] shapeHeader = header(in);
            // Rank at most 32: the shape buffer is 2 × rank + 4 longs.
            if (shapeHeader[0] < 0 || shapeHeader[0] > 2 * 32 + 4) {
                throw damaged(name, "its shape header declares " + shapeHeader[0] + " entries");
            }
            in.skipNBytes(shapeHeader[0] * shapeHeader[1]);
            long[] values = header(in);
            if (values[0] < 0 || values[1] > 0 && values[0] > e.getSize() / values[1]) {
                throw damaged(name, String.format("it declares %,d values but holds %,d bytes", values[0], e.getSize()));
            }
        } catch (java.io.EOFException | java.io.UTFDataFormatException ex) {
            throw damaged(name, "it ends inside its header");
        }
    }

    /** {element count, bytes per element (0 when not a plain type)} from one ND4J buffer header. */
    private static long[] header(DataInputStream in) throws IOException {
        String mode = in.readUTF();
        long count = switch (mode) {
            case "DIRECT", "HEAP", "JAVACPP" -> in.readInt();
            case "LONG_SHAPE", "MIXED_DATA_TYPES" -> in.readLong();
            default -> throw new IOException("unknown allocation mode '" + shorten(mode) + "'");
        };
        String type = in.readUTF();
        int width = switch (type) {
            case "DOUBLE", "LONG", "UINT64" -> 8;
            case "FLOAT", "INT", "UINT32" -> 4;
            case "HALF", "BFLOAT16", "SHORT", "UINT16" -> 2;
            case "BYTE", "UBYTE", "BOOL" -> 1;
            default -> 0;
        };
        return new long[] {count, width};
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static FilterScopeException damaged(String name, String why) {
        return new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": coefficients.bin is not a parameter array DL4J wrote (" + why
                + "); the file is damaged or was not written by ModelSerializer.writeModel");
    }

    /** DL4J holds each entry as a byte[] on the heap while it builds the network from it. */
    static long budgetBytes() {
        return Math.min(Runtime.getRuntime().maxMemory() / 2, Integer.MAX_VALUE - 8L);
    }

    private static void copy(ZipFile zip, PipedOutputStream pipe, AtomicReference<IOException> failure) {
        ZipOutputStream out = new ZipOutputStream(pipe);
        try (zip) {
            for (String n : NEEDED) {
                ZipEntry e = zip.getEntry(n);
                if (e == null || e.isDirectory()) {
                    continue;
                }
                ZipEntry copy = new ZipEntry(n);
                // STORED with the declared size and CRC: the local header carries the size, so DL4J
                // allocates once, and ZipOutputStream refuses a byte past it or a wrong checksum.
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(e.getSize());
                copy.setCompressedSize(e.getSize());
                copy.setCrc(e.getCrc());
                out.putNextEntry(copy);
                try (InputStream entry = zip.getInputStream(e)) {
                    copyDeclared(entry, out, n, e.getSize());
                }
                out.closeEntry();
            }
            out.close();
        } catch (IOException e) {
            // Recorded before the pipe closes, so the reader never takes the cut-off stream for a whole one.
            failure.set(e);
            try {
                pipe.close();
            } catch (IOException ignored) {
                // The reader sees the failure recorded above.
            }
        }
    }

    /** Copies exactly the declared size, stopping at the first byte past it. */
    private static void copyDeclared(InputStream in, ZipOutputStream out, String entry, long declared) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            copied += n;
            if (copied > declared) {
                throw new IOException(String.format("%s inflates past the %,d bytes the zip declares for it (a zip bomb or a damaged file)",
                        entry, declared));
            }
            out.write(buffer, 0, n);
        }
        if (copied != declared) {
            throw new IOException(String.format("%s holds %,d bytes, not the %,d the zip declares (a damaged file)", entry, copied, declared));
        }
    }

    /** End of stream is a failure when the copier stopped on one. */
    private static int checked(int n, AtomicReference<IOException> failure) throws IOException {
        if (n < 0 && failure.get() != null) {
            throw new IOException(failure.get().getMessage(), failure.get());
        }
        return n;
    }

    private static IOException withCause(IOException atReader, AtomicReference<IOException> failure) {
        IOException atCopier = failure.get();
        return atCopier == null ? atReader : new IOException(atCopier.getMessage(), atCopier);
    }
}
