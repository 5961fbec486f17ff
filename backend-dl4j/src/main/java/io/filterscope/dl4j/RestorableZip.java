package io.filterscope.dl4j;

import io.filterscope.FilterScopeException;
import java.io.BufferedInputStream;
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
                throw new FilterScopeException(String.format("%s: the network's parameters take %,d MB unpacked, more than the %,d MB "
                        + "this JVM can give them (half its maximum heap); run Java with a larger -Xmx", name, total >> 20, budget >> 20));
            }
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
                    entry.transferTo(out);
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
