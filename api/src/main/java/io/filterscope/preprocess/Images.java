package io.filterscope.preprocess;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.Limits;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads images and gives their pixel values without the colour management Java2D would apply.
 *
 * <p>Values are taken as stored in the file, as PIL does: 8-bit grayscale is read from the raster
 * rather than through {@link BufferedImage#getRGB}, which would treat it as linear gray and brighten
 * it, and 16-bit images keep their precision (on the 0..255 scale a 16-bit value v is v / 257).
 * Alpha is dropped rather than composited: models are trained on opaque images and never saw an
 * alpha channel, and PIL's {@code convert('RGB')}, which training pipelines use, drops it too.
 */
public final class Images {
    private Images() {
    }

    /**
     * Decodes a PNG, JPEG, BMP or GIF file (8- or 16-bit, gray, RGB, RGBA or palette; the first frame
     * of an animation).
     *
     * <p>The size the header declares is checked before any pixel is decoded: more than
     * {@link Limits#imageMaxPixels()} (Pillow's 89 megapixels unless
     * {@code -Dfilterscope.image.maxPixels} says otherwise) is refused.
     *
     * @throws FilterScopeException naming the file when it is missing, cannot be decoded, or
     *         declares more pixels than the limit
     */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give the path of a PNG, JPEG, BMP or GIF image");
        }
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw notAnImage(file, null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(file, reader.getWidth(0), reader.getHeight(0));
                img = reader.read(0, reader.getDefaultReadParam());
            } finally {
                reader.dispose();
            }
        } catch (FilterScopeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Broken files make some decoders throw runtime exceptions; to the user it is the same.
            throw notAnImage(file, e);
        }
        if (img == null) {
            throw notAnImage(file, null);
        }
        return img;
    }

    /**
     * Refuses an image whose header declares more pixels than {@link Limits#imageMaxPixels()}: the
     * header is all that has been read, so a decompression bomb never gets its pixels allocated.
     */
    private static void checkSize(Path file, int width, int height) {
        long pixels = (long) width * height;
        long limit = Limits.imageMaxPixels();
        if (width <= 0 || height <= 0) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, file + ": the image declares " + width + " × " + height + " pixels; it is damaged");
        }
        if (pixels > limit) {
            throw new FilterScopeException(ErrorKind.RESOURCE_LIMIT, String.format(Locale.ROOT, "%s: the image declares %,d × %,d pixels (%,d megapixels), more "
                    + "than the limit of %,d megapixels; if it is genuine, raise it with -D%s=%d", file, width, height,
                    pixels / 1_000_000, limit / 1_000_000, Limits.IMAGE_MAX_PIXELS, pixels));
        }
    }

    private static FilterScopeException notAnImage(Path file, Throwable cause) {
        return new FilterScopeException(ErrorKind.INVALID_DATA, file + ": not a readable image (PNG, JPEG, BMP or GIF expected)", cause);
    }

    /**
     * The pixel values as {@code [channel][y * width + x]} on a 0..255 scale: one channel for a
     * grayscale image, three (R, G, B) otherwise; alpha dropped. 16-bit values keep their precision
     * (v / 257), so they are not always integers.
     */
    public static float[][] pixels(BufferedImage img) {
        float[][] data = planes(img).data();
        float[][] copy = new float[data.length][];
        for (int c = 0; c < data.length; c++) {
            copy[c] = data[c].clone();
        }
        return copy;
    }

    /** Whether {@link #pixels} gives one channel (a grayscale image) rather than three. */
    public static boolean isGray(BufferedImage img) {
        return isGrayComponent(img.getColorModel());
    }

    static Planes planes(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        if (isGrayComponent(cm)) {
            return fromRaster(raster, cm, w, h, 1);
        }
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
                && cm.getNumColorComponents() == 3) {
            return fromRaster(raster, cm, w, h, 3);
        }
        // Palettes, packed RGB and whatever else: getRGB gives the stored sRGB values.
        float[][] out = new float[3][w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                out[0][y * w + x] = (p >> 16) & 0xff;
                out[1][y * w + x] = (p >> 8) & 0xff;
                out[2][y * w + x] = p & 0xff;
            }
        }
        return new Planes(w, h, out, true);
    }

    private static boolean isGrayComponent(ColorModel cm) {
        return !(cm instanceof IndexColorModel) && cm instanceof ComponentColorModel
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    private static Planes fromRaster(Raster raster, ColorModel cm, int w, int h, int channels) {
        int type = raster.getTransferType();
        boolean floating = type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
        float[][] out = new float[channels][w * h];
        boolean eightBit = !floating;
        int[] samples = new int[w];
        float[] fsamples = new float[w];
        for (int c = 0; c < channels; c++) {
            int bits = cm.getComponentSize(c);
            eightBit &= bits <= 8;
            for (int y = 0; y < h; y++) {
                if (floating) {
                    // Float rasters hold normalised 0..1 components.
                    raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, c, fsamples);
                    for (int x = 0; x < w; x++) {
                        out[c][y * w + x] = fsamples[x] * 255f;
                    }
                    continue;
                }
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, c, samples);
                for (int x = 0; x < w; x++) {
                    out[c][y * w + x] = to255(samples[x], bits);
                }
            }
        }
        return new Planes(w, h, out, eightBit);
    }

    /** A sample of {@code bits} bits on the 0..255 scale: exact for 8 bits, v / 257 for 16. */
    private static float to255(int v, int bits) {
        return switch (bits) {
            case 8 -> v;
            case 16 -> (v & 0xffff) / 257f;
            // Fewer bits stretch to integers as PIL does (1-bit 0/255, 4-bit ×17), so they stay 8-bit data.
            default -> bits < 8 ? Math.round(v * 255f / ((1 << bits) - 1)) : (float) (v * 255.0 / ((1L << bits) - 1));
        };
    }
}
