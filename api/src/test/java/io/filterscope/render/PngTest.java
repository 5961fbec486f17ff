package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PNG is decoded by ImageIO (a decoder no one here wrote) and compared pixel for pixel with
 * the image that was encoded.
 */
class PngTest {

    @Test
    void encodesLosslesslyAndWritesAFile(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0x000000, 0xff0000, 0x00ff00, 0x0000ff, 0x123456, 0xffffff};
        for (int i = 0; i < 6; i++) {
            img.setRGB(i % 3, i / 3, colours[i]);
        }
        byte[] png = Png.encode(img);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        for (int i = 0; i < 6; i++) {
            assertEquals(colours[i], back.getRGB(i % 3, i / 3) & 0xffffff);
        }
        Path file = dir.resolve("grid.png");
        Png.write(img, file);
        assertEquals(0x123456, ImageIO.read(file.toFile()).getRGB(1, 1) & 0xffffff);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void featureMapGridsDecodeToTheirPixels() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        // Small maps upscaled, odd sizes, one channel, and a large 512-channel layer (over a megapixel).
        int[][] shapes = {{64, 7, 7}, {3, 5, 9}, {1, 1, 1}, {13, 11, 3}, {512, 14, 14}};
        for (int[] s : shapes) {
            float[] v = new float[s[0] * s[1] * s[2]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            FeatureMaps maps = FeatureMaps.of("layer", "t", Tensor.of(Shape.of(s[0], s[1], s[2]), v));
            for (Colormap c : new Colormap[] {Colormap.VIRIDIS, Colormap.GRAY}) {
                GridStyle style = new GridStyle(c, Normalization.PER_TILE, 0, 2, true, true, 0);
                RenderedGrid grid = GridRenderer.renderFeatureMaps(maps, style, IntStream.range(0, s[0]).boxed().toList());
                assertSamePixels(grid.image(), decode(Png.encode(grid.image())), c + " " + s[0] + "×" + s[1] + "×" + s[2]);
            }
        }
    }

    @Test
    void filterGridsDecodeToTheirPixels() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {{16, 3, 3, 3}, {8, 5, 3, 3}, {32, 1, 5, 5}, {128, 96, 3, 3}};
        for (int[] s : shapes) {
            float[] v = new float[s[0] * s[1] * s[2] * s[3]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            FilterBank bank = new FilterBank("conv", Tensor.of(Shape.of(s[0], s[1], s[2], s[3]), v), java.util.Optional.empty(),
                    new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
            BufferedImage img = GridRenderer.renderFilters(bank, GridStyle.filters(), ChannelOrder.RGB).image();
            assertSamePixels(img, decode(Png.encode(img)), "filters " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void imagesWithManyColoursAreWrittenAsRgb() throws IOException {
        for (int[] size : new int[][] {{1, 1}, {17, 3}, {1, 301}, {640, 480}}) {
            BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            SplittableRandom r = new SplittableRandom(size[0] * 31L + size[1]);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            BufferedImage back = decode(Png.encode(img));
            assertSamePixels(img, back, size[0] + "×" + size[1]);
            if (size[0] * size[1] > 256) {
                assertFalse(back.getColorModel() instanceof IndexColorModel, "over 256 colours need RGB");
            }
        }
    }

    @Test
    void gridsWithFewColoursAreWrittenWithAPalette() throws IOException {
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                img.setRGB(x, y, Colormap.MAGMA.rgb(((x / 10) ^ (y / 10)) / 31.0));
            }
        }
        byte[] png = Png.encode(img);
        BufferedImage back = decode(png);
        assertTrue(back.getColorModel() instanceof IndexColorModel, "written with a palette");
        assertSamePixels(img, back, "palette");
        assertTrue(png.length < Png.viaImageIo(img).length * 2, "not much larger than ImageIO's file");
    }

    @Test
    void exactly256ColoursFitThePaletteAnd257DoNot() throws IOException {
        for (int n : new int[] {256, 257}) {
            BufferedImage img = new BufferedImage(n, 2, BufferedImage.TYPE_INT_RGB);
            for (int x = 0; x < n; x++) {
                img.setRGB(x, 0, x * 65_521);
                img.setRGB(x, 1, x * 65_521);
            }
            BufferedImage back = decode(Png.encode(img));
            assertEquals(n <= 256, back.getColorModel() instanceof IndexColorModel, n + " colours");
            assertSamePixels(img, back, n + " colours");
        }
    }

    @Test
    void stripsCompressedApartJoinIntoOneValidStream() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        float[] v = new float[40 * 9 * 13];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        BufferedImage grid = GridRenderer.featureMaps(FeatureMaps.of("layer", "t", Tensor.of(Shape.of(40, 9, 13), v)), GridStyle.featureMaps());
        BufferedImage noise = new BufferedImage(123, 77, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 77; y++) {
            for (int x = 0; x < 123; x++) {
                noise.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        for (BufferedImage img : new BufferedImage[] {grid, noise}) {
            // One strip per row at most (64 strips), a few strips, and one strip.
            for (int stripBytes : new int[] {1, 5_000, Integer.MAX_VALUE}) {
                assertSamePixels(img, decode(PngEncoder.encode(img, stripBytes)), img.getWidth() + "×" + img.getHeight() + ", strips of " + stripBytes);
            }
        }
    }

    @Test
    void adler32OfJoinedStripsIsTheAdler32OfTheWhole() {
        byte[] data = new byte[300_000];
        new SplittableRandom(9).nextBytes(data);
        java.util.zip.Adler32 whole = new java.util.zip.Adler32();
        whole.update(data);
        for (int cut : new int[] {0, 1, 65_521, 100_000, 299_999}) {
            java.util.zip.Adler32 a = new java.util.zip.Adler32();
            a.update(data, 0, cut);
            java.util.zip.Adler32 b = new java.util.zip.Adler32();
            b.update(data, cut, data.length - cut);
            assertEquals(whole.getValue(), PngEncoder.combineAdler32(a.getValue(), b.getValue(), data.length - cut), "cut at " + cut);
        }
    }

    @Test
    void greyImagesKeepTheirSamples() throws IOException {
        BufferedImage img = new BufferedImage(37, 23, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 13) & 0xff);
            }
        }
        BufferedImage back = decode(Png.encode(img));
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                assertEquals(img.getRaster().getSample(x, y, 0), back.getRaster().getSample(x, y, 0), "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void subImagesAndOtherLayoutsAreReadAsShown() throws IOException {
        BufferedImage parent = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(3);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 50; x++) {
                parent.setRGB(x, y, r.nextInt(4) * 0x404040 + (x & 1) * 0x10);
            }
        }
        BufferedImage sub = parent.getSubimage(7, 5, 31, 17);
        assertSamePixels(sub, decode(Png.encode(sub)), "sub-image");
        BufferedImage bgr = new BufferedImage(29, 13, BufferedImage.TYPE_3BYTE_BGR);
        bgr.getGraphics().drawImage(sub, 0, 0, null);
        assertSamePixels(bgr, decode(Png.encode(bgr)), "3-byte BGR");
    }

    @Test
    void imagesWithAlphaAreLeftToImageIo() throws IOException {
        BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                img.setRGB(x, y, ((x * 50) << 24) | (y * 0x3f2f1f));
            }
        }
        assertNull(PngEncoder.encode(img));
        BufferedImage back = decode(Png.encode(img));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(img.getRGB(x, y), back.getRGB(x, y));
            }
        }
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img, "ImageIO reads the PNG");
        return img;
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(expected.getWidth(), actual.getWidth(), what);
        assertEquals(expected.getHeight(), actual.getHeight(), what);
        int w = expected.getWidth();
        int h = expected.getHeight();
        int[] a = expected.getRGB(0, 0, w, h, null, 0, w);
        int[] b = actual.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < a.length; i++) {
            a[i] &= 0xffffff;
            b[i] &= 0xffffff;
        }
        assertArrayEquals(a, b, what);
    }
}
