package io.filterscope.dl4j.keras;

import io.jhdf.filter.Filter;
import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * HDF5's deflate filter (id 1) with a limit: a chunk inflates to at most the bytes its dataset's
 * chunk size declares, set by {@link #withLimit} around the read of one chunk on the reading
 * thread. jhdf's own filter inflates until the stream ends, so a small chunk of a highly
 * compressible stream (a decompression bomb) would fill the heap before any size was checked.
 */
final class BoundedInflate implements Filter {
    private static final ThreadLocal<Long> LIMIT = new ThreadLocal<>();

    /** Runs {@code read} with inflation on this thread bounded to {@code maxBytes} per chunk. */
    static <T> T withLimit(long maxBytes, Supplier<T> read) {
        Long before = LIMIT.get();
        LIMIT.set(maxBytes);
        try {
            return read.get();
        } finally {
            if (before == null) {
                LIMIT.remove();
            } else {
                LIMIT.set(before);
            }
        }
    }

    @Override
    public int getId() {
        return 1;
    }

    @Override
    public String getName() {
        return "deflate";
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        Long set = LIMIT.get();
        // Outside withLimit (no read of FilterScope's does that): no more than one read may hold at all.
        long limit = set != null ? set : Runtime.getRuntime().maxMemory() / 4;
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(encoded);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, Math.max(64, encoded.length * 2L)));
            byte[] buffer = new byte[(int) Math.min(8192, Math.max(1, limit + 1))];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a compressed chunk ends early (" + out.size() + " bytes inflated)");
                }
                if (out.size() + (long) n > limit) {
                    throw new IllegalStateException(String.format("a compressed chunk inflates past the %,d bytes its chunk size declares "
                            + "(a decompression bomb, or a damaged file)", limit));
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("a compressed chunk is not valid deflate data (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }
}
