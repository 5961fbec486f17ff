package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark harness: the same model in two backends, side by side in one JVM. Each round opens the
 * model and captures every feature map for a batch of 64 Fashion-MNIST test images, in both
 * backends, alternating which goes first; the report gives medians and the median per-round ratio.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.BackendComparison A_FILE A_BACKEND B_FILE B_BACKEND [ROUNDS] [BATCH]</pre>
 * e.g. {@code fashion_cnn_keras.keras dl4j fashion_cnn_keras.onnx onnx}.
 */
public final class BackendComparison {
    private BackendComparison() {
    }

    record Timing(double openMs, double captureMs, int maps) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BackendComparison A_FILE A_BACKEND B_FILE B_BACKEND [ROUNDS] [BATCH]");
            System.exit(2);
        }
        Path a = Path.of(args[0]);
        Path b = Path.of(args[2]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 64;
        float[] pixels = testImages(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"), batch);
        for (int i = 0; i < 3; i++) {   // warm up both: class loading, native libraries, JIT
            run(a, args[1], pixels, batch);
            run(b, args[3], pixels, batch);
        }
        double[][] open = new double[2][rounds];
        double[][] capture = new double[2][rounds];
        double[] ratio = new double[rounds];
        int[] maps = new int[2];
        for (int r = 0; r < rounds; r++) {
            Timing ta;
            Timing tb;
            if (r % 2 == 0) {
                ta = run(a, args[1], pixels, batch);
                tb = run(b, args[3], pixels, batch);
            } else {
                tb = run(b, args[3], pixels, batch);
                ta = run(a, args[1], pixels, batch);
            }
            open[0][r] = ta.openMs();
            open[1][r] = tb.openMs();
            capture[0][r] = ta.captureMs();
            capture[1][r] = tb.captureMs();
            maps[0] = ta.maps();
            maps[1] = tb.maps();
            ratio[r] = (ta.openMs() + ta.captureMs()) / (tb.openMs() + tb.captureMs());
        }
        System.out.printf("batch %d, %d rounds, medians:%n", batch, rounds);
        System.out.printf("  %-6s %-28s open %7.1f ms  capture %d layers %7.1f ms%n", args[1], a.getFileName(),
                Stats.median(open[0]), maps[0], Stats.median(capture[0]));
        System.out.printf("  %-6s %-28s open %7.1f ms  capture %d layers %7.1f ms%n", args[3], b.getFileName(),
                Stats.median(open[1]), maps[1], Stats.median(capture[1]));
        System.out.printf("  ratio %s/%s (open + capture, median of per-round ratios) %.2f%n", args[1], args[3], Stats.median(ratio));
    }

    private static Timing run(Path file, String backend, float[] pixels, int batch) {
        long t0 = System.nanoTime();
        try (Model model = FilterScope.open(file, OpenOptions.defaults().withBackend(backend))) {
            long t1 = System.nanoTime();
            long[] dims = model.metadata().input().shape().toArray();
            dims[0] = batch;
            // One channel: N×28×28×1 and N×1×28×28 hold the same bytes in the same order.
            Tensor input = Tensor.wrap(Shape.of(dims), pixels);
            Activations act = model.capture(input, CaptureRequest.allSpatial());
            long t2 = System.nanoTime();
            return new Timing((t1 - t0) / 1e6, (t2 - t1) / 1e6, act.layers().size());
        }
    }

    static float[] testImages(Path file, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
            in.readInt();
            in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = new byte[n * rows * cols];
            in.readFully(raw);
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = (raw[i] & 0xff) / 255f;
            }
            return x;
        }
    }

}
