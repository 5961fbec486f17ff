package io.filterscope.samples.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Benchmark harness helper: writes the first N Fashion-MNIST test images (Debian's
 * {@code dataset-fashion-mnist}) as image files for the folder benchmarks, either as they are
 * (28 × 28 gray PNG) or upscaled to SIZE × SIZE colour JPEG (bicubic, each class tinted its own
 * colour so the three channels differ), for an ImageNet-sized model.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.BenchImages OUT_DIR N [SIZE]</pre>
 */
public final class BenchImages {
    static final Path IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    static final Path LABELS = Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    /** One tint per class, so an upscaled image is not gray in all three channels. */
    private static final int[] TINT = {0xFF8080, 0x80FF80, 0x8080FF, 0xFFFF80, 0xFF80FF, 0x80FFFF, 0xFFC080, 0xC080FF, 0x80C0FF, 0xFFFFFF};

    private BenchImages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BenchImages OUT_DIR N [SIZE]  (no SIZE: 28×28 gray PNG; SIZE: SIZE×SIZE colour JPEG)");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (DataInputStream in = open(IMAGES, 0x803); DataInputStream labels = open(LABELS, 0x801)) {
            int count = in.readInt();
            labels.readInt();
            if (in.readInt() != 28 || in.readInt() != 28 || count < n) {
                throw new IOException(IMAGES + ": not the 10,000 Fashion-MNIST test images");
            }
            byte[] px = new byte[28 * 28];
            for (int i = 0; i < n; i++) {
                in.readFully(px);
                int label = labels.readUnsignedByte();
                BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                gray.getRaster().setDataElements(0, 0, 28, 28, px);
                if (size == 0) {
                    ImageIO.write(gray, "png", out.resolve(String.format("%05d.png", i)).toFile());
                    continue;
                }
                BufferedImage big = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = big.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.drawImage(gray, 0, 0, size, size, null);
                g.dispose();
                int tint = TINT[label];
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int v = big.getRGB(x, y) & 0xFF;
                        int r = v * (tint >> 16 & 0xFF) / 255;
                        int gr = v * (tint >> 8 & 0xFF) / 255;
                        int b = v * (tint & 0xFF) / 255;
                        big.setRGB(x, y, r << 16 | gr << 8 | b);
                    }
                }
                ImageIO.write(big, "jpg", out.resolve(String.format("%05d.jpg", i)).toFile());
            }
        }
        System.out.println("wrote " + n + " images to " + out);
    }

    private static DataInputStream open(Path file, int magic) throws IOException {
        InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
        if (in.readInt() != magic) {
            in.close();
            throw new IOException(file + ": not an idx file of magic " + Integer.toHexString(magic));
        }
        return in;
    }
}
