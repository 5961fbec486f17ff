package io.filterscope.samples.watch;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fashion-MNIST as Debian's {@code dataset-fashion-mnist} package installs it: gzipped IDX files,
 * pixels scaled to [0, 1] as the bundled model was trained (FilterScope's {@code UNIT} preset).
 */
final class FashionMnist {
    /** Where Debian's package puts the files. */
    static final Path DEBIAN_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    static final int SIDE = 28;
    static final int CLASSES = 10;

    private final float[] pixels;
    private final int[] labels;

    private FashionMnist(float[] pixels, int[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The training (60 000) or test (10 000) split from {@code folder}. */
    static FashionMnist load(Path folder, boolean train) {
        String prefix = train ? "train" : "t10k";
        Path images = folder.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelFile = folder.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labelFile)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, images + ": Fashion-MNIST not found; install it with"
                    + " `apt-get install dataset-fashion-mnist` or pass --data with a folder holding " + prefix
                    + "-images-idx3-ubyte.gz and " + prefix + "-labels-idx1-ubyte.gz");
        }
        int[] labels = readIdx(labelFile, 2049, 1);
        int[] raw = readIdx(images, 2051, SIDE * SIDE);
        if (raw.length != labels.length * SIDE * SIDE) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, images + ": holds " + raw.length / (SIDE * SIDE) + " images but "
                    + labelFile.getFileName() + " has " + labels.length + " labels; reinstall dataset-fashion-mnist");
        }
        float[] pixels = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            pixels[i] = raw[i] / 255f;
        }
        return new FashionMnist(pixels, labels);
    }

    int size() {
        return labels.length;
    }

    int label(int i) {
        return labels[i];
    }

    /** Examples {@code from} (inclusive) to {@code to} as an N × 1 × 28 × 28 batch with one-hot labels. */
    DataSet batch(int[] order, int from, int to) {
        int n = to - from;
        float[] x = new float[n * SIDE * SIDE];
        float[] y = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            int k = order[from + i];
            System.arraycopy(pixels, k * SIDE * SIDE, x, i * SIDE * SIDE, SIDE * SIDE);
            y[i * CLASSES + labels[k]] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[] {n, 1, SIDE, SIDE});
        INDArray oneHot = Nd4j.create(y, new long[] {n, CLASSES});
        return new DataSet(features, oneHot);
    }

    /** The whole split in batches of {@code size}, in the given order. */
    List<DataSet> batches(int[] order, int size) {
        List<DataSet> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += size) {
            out.add(batch(order, from, Math.min(order.length, from + size)));
        }
        return out;
    }

    private static int[] readIdx(Path file, int magic, int itemSize) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int m = in.readInt();
            if (m != magic) {
                throw new FilterScopeException(ErrorKind.INVALID_DATA, file + ": not an IDX file of the expected kind (magic " + m
                        + ", expected " + magic + "); reinstall dataset-fashion-mnist");
            }
            int count = in.readInt();
            for (int d = 2; d < (magic & 0xff) + 1; d++) {
                in.readInt();   // the row and column sizes: always 28 here
            }
            byte[] bytes = new byte[Math.multiplyExact(count, itemSize)];
            in.readFully(bytes);
            int[] out = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = bytes[i] & 0xff;
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": not found; install dataset-fashion-mnist");
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + "); reinstall dataset-fashion-mnist", e);
        }
    }
}
