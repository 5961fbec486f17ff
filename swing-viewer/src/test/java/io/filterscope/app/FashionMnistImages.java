package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * The first Fashion-MNIST test images as 28×28 gray PNG files named {@code %05d.png}, written from
 * Debian's {@code dataset-fashion-mnist} (installed by {@code .ci/run}): the same images, in the
 * same order, that {@code samples/scripts/make_examples_fixtures.py} scored with ONNX Runtime.
 */
final class FashionMnistImages {
    static final Path DIR = Path.of(System.getenv().getOrDefault("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"));

    private FashionMnistImages() {
    }

    /** Writes the first {@code n} test images into {@code folder}. */
    static void write(Path folder, int n) throws IOException {
        Path file = DIR.resolve("t10k-images-idx3-ubyte.gz");
        assertTrue(Files.isRegularFile(file), file + " is missing: apt-get install dataset-fashion-mnist");
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int magic = in.readInt();
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (magic != 0x803 || rows != 28 || cols != 28 || count < n) {
                throw new IOException(file + ": not the Fashion-MNIST test images (magic " + magic + ", " + count + " × " + rows + " × " + cols + ")");
            }
            byte[] px = new byte[rows * cols];
            Files.createDirectories(folder);
            for (int i = 0; i < n; i++) {
                in.readFully(px);
                BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
                img.getRaster().setDataElements(0, 0, cols, rows, px);
                ImageIO.write(img, "png", folder.resolve(String.format("%05d.png", i)).toFile());
            }
        }
    }
}
