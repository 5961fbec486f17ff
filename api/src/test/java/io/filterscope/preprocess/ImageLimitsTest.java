package io.filterscope.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Limits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images whose headers declare more pixels than the limit are refused before their pixels are decoded. */
class ImageLimitsTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreTheDefault() {
        System.clearProperty(Limits.IMAGE_MAX_PIXELS);
    }

    /** A 100,000 × 100,000 PNG in 100 bytes: decoding it would need 30 GB. */
    @Test
    void aPngThatDeclaresTenGigapixelsIsRefusedFromItsHeader() throws IOException {
        Path png = Files.write(dir.resolve("bomb.png"), png(100_000, 100_000));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Images.read(png));
        assertEquals(png + ": the image declares 100,000 × 100,000 pixels (10,000 megapixels), more than the limit of 89 "
                + "megapixels; if it is genuine, raise it with -Dfilterscope.image.maxPixels=10000000000", e.getMessage());
    }

    /** A 70-byte GIF of 65,535 × 65,535: its decoder would allocate 4 GB before noticing the data is missing. */
    @Test
    void aGifThatDeclaresFourGigapixelsIsRefusedToo() throws IOException {
        Path gif = Files.write(dir.resolve("wide.gif"), gif(65_535, 65_535));
        String m = assertThrows(FilterScopeException.class, () -> Images.read(gif)).getMessage();
        assertTrue(m.startsWith(gif + ": the image declares 65,535 × 65,535 pixels (4,294 megapixels)"), m);
        assertEquals(2, Images.read(Files.write(dir.resolve("tiny.gif"), gif(2, 2))).getWidth(), "the same bytes at a small size decode");
    }

    @Test
    void theLimitCanBeRaisedOrLowered() throws IOException {
        Path small = Files.write(dir.resolve("small.png"), png(40, 30));
        assertEquals(40, Images.read(small).getWidth());
        System.setProperty(Limits.IMAGE_MAX_PIXELS, "1000");
        String m = assertThrows(FilterScopeException.class, () -> Images.read(small)).getMessage();
        assertTrue(m.contains("40 × 30 pixels") && m.endsWith("-Dfilterscope.image.maxPixels=1200"), m);
        System.setProperty(Limits.IMAGE_MAX_PIXELS, "1200");
        BufferedImage img = Images.read(small);
        assertEquals(30, img.getHeight());
        System.setProperty(Limits.IMAGE_MAX_PIXELS, "lots");
        String bad = assertThrows(FilterScopeException.class, () -> Images.read(small)).getMessage();
        assertEquals("-Dfilterscope.image.maxPixels=lots is not a number (a k, m or g suffix may follow, e.g. 4g)", bad);
    }

    /** A valid 8-bit RGB PNG of black pixels; for huge sizes the data stops after one row, as a bomb's would. */
    static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        int rows = (long) width * height > 1_000_000 ? 1 : height;
        byte[] raw = new byte[rows * (1 + 3 * width)];
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buf = new byte[raw.length + 1024];
        int n = deflater.deflate(buf);
        chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    /** A GIF89a with a two-colour global palette and one frame whose pixel data is a few bytes. */
    private static byte[] gif(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) width).putShort((short) height)
                .put((byte) 0x80).put((byte) 0).put((byte) 0);
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) width).putShort((short) height).put((byte) 0);
        b.put(new byte[] {2, 2, 0x4C, 0x01, 0, 0x3B});
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
