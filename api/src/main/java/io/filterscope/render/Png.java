package io.filterscope.render;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * PNG encoding of rendered images. Opaque RGB, indexed and 8-bit grey images are written by
 * FilterScope's own encoder, made for grids (a palette when the image has at most 256 colours,
 * repeated rows filtered to zeros, zlib's fastest level); images with alpha or of other kinds by
 * ImageIO. Either way the file decodes to exactly the pixels of the image.
 */
public final class Png {
    private Png() {
    }

    /** The image as PNG bytes. */
    public static byte[] encode(BufferedImage img) {
        byte[] fast = PngEncoder.encode(img);
        return fast != null ? fast : viaImageIo(img);
    }

    /** ImageIO's PNG writer, for the images {@link PngEncoder} leaves alone. */
    static byte[] viaImageIo(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // An in-memory cache: ImageIO's default writes a temporary file in java.io.tmpdir, which can
        // be unwritable where the output folder is fine.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(img, "png", out)) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "cannot encode an image of type " + img.getType() + " as PNG; render it as RGB");
            }
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, "cannot encode the image as PNG (" + e.getMessage() + ")", e);
        }
        return bytes.toByteArray();
    }

    /** Writes the image as a PNG file, atomically (see {@link AtomicFiles}). */
    public static void write(BufferedImage img, Path file) {
        AtomicFiles.write(file, encode(img));
    }
}
