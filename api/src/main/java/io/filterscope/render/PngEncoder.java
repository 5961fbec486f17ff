package io.filterscope.render;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A PNG encoder for the pictures FilterScope draws, several times faster than ImageIO's writer on them.
 *
 * <p>Why it is faster, and why that costs little in file size: a grid has at most a few hundred
 * colours (a 256-entry colormap, the paper, the ink and its anti-aliased edges), so it is written as
 * an 8-bit palette image (one byte a pixel instead of three) whenever it has at most 256 colours; its
 * tiles are upscaled by repeating values, so most rows equal the row above, which the Up filter turns
 * into zeros, and every other row is written unfiltered rather than trying all five filters per row
 * as ImageIO does; and zlib compresses at its fastest level, which on such repetitive rows loses
 * little against higher levels. A large image is cut into horizontal strips compressed in parallel,
 * each strip's deflate stream flushed to a byte boundary so that they join into one zlib stream (as
 * pigz does); the files are a little larger than one stream's, by less than a percent.
 *
 * <p>Images with more than 256 colours are written as 8-bit RGB, 8-bit grey images as grey. Images
 * it does not handle (alpha, 16-bit samples, other colour spaces) are left to ImageIO:
 * {@link #encode} returns null for them. Every image it writes decodes to exactly the pixels given.
 */
final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int COLOUR_GREY = 0;
    private static final int COLOUR_RGB = 2;
    private static final int COLOUR_PALETTE = 3;
    private static final int FILTER_NONE = 0;
    private static final int FILTER_UP = 2;
    /** Uncompressed bytes handed to the deflater at a time. */
    private static final int CHUNK = 1 << 16;
    /** The zlib header for deflate with a 32 KiB window at the fastest level (RFC 1950). */
    private static final byte[] ZLIB_HEADER = {0x78, 0x01};
    private static final byte[] NONE = new byte[0];
    /**
     * Filtered bytes a strip has at least before an image is split into strips compressed in
     * parallel: below that, the work is too small to share.
     */
    static final int MIN_STRIP_BYTES = 1 << 20;
    private static final int MAX_STRIPS = 64;

    private PngEncoder() {
    }

    /** The image as PNG bytes, or null when it is of a kind left to ImageIO (see the class description). */
    static byte[] encode(BufferedImage img) {
        return encode(img, MIN_STRIP_BYTES);
    }

    /** As {@link #encode(BufferedImage)}, split into strips of at least {@code minStripBytes} filtered bytes. */
    static byte[] encode(BufferedImage img, int minStripBytes) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            return grey(img, w, h, minStripBytes);
        }
        Pixels px = Pixels.of(img);
        if (px == null) {
            return null;
        }
        byte[] indices = new byte[Math.multiplyExact(w, h)];
        int[] palette = palette(px, w, h, indices);
        if (palette != null) {
            return write(w, h, minStripBytes, COLOUR_PALETTE, palette, 1, (y, row) -> System.arraycopy(indices, y * w, row, 0, w));
        }
        return write(w, h, minStripBytes, COLOUR_RGB, null, 3, (y, row) -> {
            int o = px.offset() + y * px.stride();
            int[] d = px.data();
            for (int x = 0, b = 0; x < w; x++) {
                int c = d[o + x];
                row[b++] = (byte) (c >>> 16);
                row[b++] = (byte) (c >>> 8);
                row[b++] = (byte) c;
            }
        });
    }

    /** An 8-bit grey image's samples as they are (what ImageIO writes for it too). */
    private static byte[] grey(BufferedImage img, int w, int h, int minStripBytes) {
        WritableRaster r = img.getRaster();
        if (r.getDataBuffer() instanceof DataBufferByte && r.getNumBands() == 1) {
            return write(w, h, minStripBytes, COLOUR_GREY, null, 1, (y, row) -> r.getDataElements(0, y, w, 1, row));
        }
        return null;
    }

    /** The 0xRRGGBB pixels of an image without alpha: pixel (x, y) is {@code data[offset + y * stride + x]}. */
    private record Pixels(int[] data, int offset, int stride) {

        static Pixels of(BufferedImage img) {
            if (img.getColorModel().hasAlpha()) {
                return null;
            }
            int w = img.getWidth();
            int h = img.getHeight();
            WritableRaster r = img.getRaster();
            if (img.getType() == BufferedImage.TYPE_INT_RGB && r.getDataBuffer() instanceof DataBufferInt db
                    && db.getNumBanks() == 1 && r.getSampleModel() instanceof SinglePixelPackedSampleModel sm) {
                // Read in place (a sub-image shares its parent's buffer: mind the stride and the origin).
                int stride = sm.getScanlineStride();
                int offset = db.getOffset() + sm.getOffset(-r.getSampleModelTranslateX(), -r.getSampleModelTranslateY());
                return new Pixels(db.getData(), offset, stride);
            }
            boolean srgb = switch (img.getType()) {
                case BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_USHORT_565_RGB,
                        BufferedImage.TYPE_USHORT_555_RGB -> true;
                case BufferedImage.TYPE_BYTE_INDEXED -> img.getColorModel() instanceof IndexColorModel icm
                        && icm.getTransparency() == IndexColorModel.OPAQUE;
                default -> false;
            };
            if (!srgb) {
                return null;
            }
            int[] data = new int[Math.multiplyExact(w, h)];
            img.getRGB(0, 0, w, h, data, 0, w);
            return new Pixels(data, 0, w);
        }
    }

    /**
     * The palette of the image when it has at most 256 colours, with every pixel's index written to
     * {@code indices}; else null.
     */
    private static int[] palette(Pixels px, int w, int h, byte[] indices) {
        // Open addressing over 1024 slots, at most a quarter full; keys carry a flag bit so 0 is empty.
        int[] keys = new int[1024];
        byte[] slots = new byte[1024];
        int[] palette = new int[256];
        int n = 0;
        int[] d = px.data();
        int last = -1;
        byte lastIndex = 0;
        for (int y = 0, i = 0; y < h; y++) {
            int o = px.offset() + y * px.stride();
            for (int x = 0; x < w; x++, i++) {
                int c = d[o + x] & 0xffffff;
                if (c != last) {
                    int key = c | 0x1000000;
                    int s = (c * 0x9E3779B1) >>> 22;
                    while (keys[s] != 0 && keys[s] != key) {
                        s = (s + 1) & 1023;
                    }
                    if (keys[s] == 0) {
                        if (n == 256) {
                            return null;
                        }
                        keys[s] = key;
                        slots[s] = (byte) n;
                        palette[n++] = c;
                    }
                    last = c;
                    lastIndex = slots[s];
                }
                indices[i] = lastIndex;
            }
        }
        return Arrays.copyOf(palette, Math.max(n, 1));
    }

    @FunctionalInterface
    private interface RowSource {
        /** Writes row {@code y}'s bytes, unfiltered, into {@code row}; called from several threads at once. */
        void read(int y, byte[] row);
    }

    private static byte[] write(int w, int h, int minStripBytes, int colourType, int[] palette, int bytesPerPixel, RowSource rows) {
        int rowBytes = Math.multiplyExact(w, bytesPerPixel);
        Chunks out = new Chunks(1024);
        out.raw(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte) colourType;
        // compression, filter method and interlace are all 0
        out.chunk("IHDR", NONE, ihdr, ihdr.length, NONE);
        if (palette != null) {
            byte[] plte = new byte[palette.length * 3];
            for (int i = 0, b = 0; i < palette.length; i++) {
                plte[b++] = (byte) (palette[i] >>> 16);
                plte[b++] = (byte) (palette[i] >>> 8);
                plte[b++] = (byte) palette[i];
            }
            out.chunk("PLTE", NONE, plte, plte.length, NONE);
        }
        // The image data as one zlib stream: a header, the strips' raw deflate streams one after the
        // other (each but the last ends on a byte boundary, flushed, so they concatenate), and the
        // Adler-32 of all the filtered bytes, combined from the strips' own.
        int strips = (int) Math.max(1, Math.min(Math.min(h, MAX_STRIPS), (long) (rowBytes + 1) * h / minStripBytes));
        List<Strip> parts = strips == 1 ? List.of(strip(rows, rowBytes, 0, h, true))
                : IntStream.range(0, strips).parallel()
                        .mapToObj(k -> strip(rows, rowBytes, (int) ((long) h * k / strips), (int) ((long) h * (k + 1) / strips), k == strips - 1))
                        .toList();
        long adler = 1;
        for (Strip part : parts) {
            adler = combineAdler32(adler, part.adler(), part.rawLength());
        }
        byte[] trailer = new byte[4];
        putInt(trailer, 0, (int) adler);
        for (int k = 0; k < parts.size(); k++) {
            Strip part = parts.get(k);
            out.chunk("IDAT", k == 0 ? ZLIB_HEADER : NONE, part.data(), part.length(), k == parts.size() - 1 ? trailer : NONE);
        }
        out.chunk("IEND", NONE, NONE, 0, NONE);
        return out.toByteArray();
    }

    /** Rows {@code from} to {@code to} (exclusive), filtered and compressed. */
    private record Strip(byte[] data, int length, long adler, long rawLength) {
    }

    private static Strip strip(RowSource rows, int rowBytes, int from, int to, boolean last) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            Adler32 adler = new Adler32();
            byte[] previous = new byte[rowBytes];
            byte[] current = new byte[rowBytes];
            if (from > 0) {
                rows.read(from - 1, previous);
            }
            // Filtered rows are gathered into a block that is deflated at once: fewer native calls.
            byte[] block = new byte[Math.max(CHUNK, rowBytes + 1)];
            int used = 0;
            Output out = new Output(Math.max(1024, (int) Math.min(Integer.MAX_VALUE - 16, (long) (rowBytes + 1) * (to - from) / 8)));
            for (int y = from; y < to; y++) {
                rows.read(y, current);
                if (used + rowBytes + 1 > block.length) {
                    adler.update(block, 0, used);
                    out.deflate(deflater, block, used);
                    used = 0;
                }
                if (y > 0 && Arrays.equals(current, previous)) {
                    // A grid's tiles repeat each row scale times: the Up filter makes those rows zeros.
                    block[used++] = FILTER_UP;
                    Arrays.fill(block, used, used + rowBytes, (byte) 0);
                } else {
                    block[used++] = FILTER_NONE;
                    System.arraycopy(current, 0, block, used, rowBytes);
                }
                used += rowBytes;
                byte[] t = previous;
                previous = current;
                current = t;
            }
            adler.update(block, 0, used);
            out.deflate(deflater, block, used);
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    out.drain(deflater, Deflater.NO_FLUSH);
                }
            } else {
                // Ends the strip's output on a byte boundary, with no final block, so the next strip's follows it.
                while (out.drain(deflater, Deflater.SYNC_FLUSH)) {
                    // more output is pending
                }
            }
            return new Strip(out.bytes(), out.length(), adler.getValue(), (long) (rowBytes + 1) * (to - from));
        } finally {
            deflater.end();
        }
    }

    /** zlib's adler32_combine: the Adler-32 of A followed by B, from theirs and the length of B. */
    static long combineAdler32(long adlerA, long adlerB, long lengthB) {
        final long base = 65521;
        long rem = lengthB % base;
        long sum1 = adlerA & 0xffff;
        long sum2 = (rem * sum1) % base;
        sum1 += (adlerB & 0xffff) + base - 1;
        sum2 += ((adlerA >>> 16) & 0xffff) + ((adlerB >>> 16) & 0xffff) + base - rem;
        if (sum1 >= base) {
            sum1 -= base;
        }
        if (sum1 >= base) {
            sum1 -= base;
        }
        if (sum2 >= base << 1) {
            sum2 -= base << 1;
        }
        if (sum2 >= base) {
            sum2 -= base;
        }
        return sum1 | (sum2 << 16);
    }

    /** A growing buffer of compressed bytes. */
    private static final class Output {
        private byte[] buf;
        private int length;

        Output(int capacity) {
            buf = new byte[capacity];
        }

        void deflate(Deflater deflater, byte[] block, int used) {
            deflater.setInput(block, 0, used);
            while (!deflater.needsInput()) {
                drain(deflater, Deflater.NO_FLUSH);
            }
        }

        /** One deflate call into the free space; whether it filled that space (so more may be pending). */
        boolean drain(Deflater deflater, int flush) {
            if (buf.length - length < CHUNK) {
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) buf.length * 2, (long) length + CHUNK)));
            }
            int room = buf.length - length;
            int n = deflater.deflate(buf, length, room, flush);
            length += n;
            return n == room;
        }

        byte[] bytes() {
            return buf;
        }

        int length() {
            return length;
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** The PNG being written: chunks with their lengths and CRCs. */
    private static final class Chunks extends ByteArrayOutputStream {
        private final byte[] word = new byte[4];
        private final CRC32 crc = new CRC32();

        Chunks(int size) {
            super(size);
        }

        void raw(byte[] b) {
            write(b, 0, b.length);
        }

        /** A chunk whose data is {@code head}, then {@code length} bytes of {@code data}, then {@code tail}. */
        void chunk(String type, byte[] head, byte[] data, int length, byte[] tail) {
            byte[] t = type.getBytes(StandardCharsets.US_ASCII);
            putInt(word, 0, head.length + length + tail.length);
            raw(word);
            raw(t);
            raw(head);
            write(data, 0, length);
            raw(tail);
            crc.reset();
            crc.update(t);
            crc.update(head);
            crc.update(data, 0, length);
            crc.update(tail);
            putInt(word, 0, (int) crc.getValue());
            raw(word);
        }
    }
}
