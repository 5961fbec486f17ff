package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Where the time of "image → every feature-map grid as PNG" goes, and what FilterScope's PNG encoder
 * gains over ImageIO's writer on the same grids: one capture of {@code MODEL_DIR/input.npy}
 * ({@code allSpatial}), every layer's grid drawn, then each round encodes all of them with ImageIO's
 * PNG writer and with {@link Png#encode}, the order alternating round by round; medians of the
 * per-round times and ratios.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.PngEncodeSpeed MODEL_DIR ROUNDS MODEL...</pre>
 */
public final class PngEncodeSpeed {
    private PngEncodeSpeed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PngEncodeSpeed MODEL_DIR ROUNDS MODEL...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        System.out.println("| model | grids | pixels | drawing (median) | ImageIO PNG (median) | FilterScope PNG (median) | ImageIO / FilterScope | bytes ImageIO | bytes FilterScope |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int m = 2; m < args.length; m++) {
            List<BufferedImage> grids = new ArrayList<>();
            double[] draw = new double[rounds];
            try (Model model = FilterScope.open(dir.resolve(args[m] + ".onnx")); Activations a = model.capture(input, CaptureRequest.allSpatial())) {
                for (int r = -2; r < rounds; r++) {
                    grids.clear();
                    long t0 = System.nanoTime();
                    for (LayerOutput lo : a.layers()) {
                        grids.add(GridRenderer.featureMaps(lo.featureMaps(0), GridStyle.featureMaps()));
                    }
                    if (r >= 0) {
                        draw[r] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            long pixels = grids.stream().mapToLong(g -> (long) g.getWidth() * g.getHeight()).sum();
            double[] imageIo = new double[rounds];
            double[] ours = new double[rounds];
            double[] ratio = new double[rounds];
            long[] bytes = new long[2];
            for (int r = -2; r < rounds; r++) {
                boolean imageIoFirst = (r & 1) == 0;
                double a = 0;
                double b = 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == imageIoFirst) {
                        long t0 = System.nanoTime();
                        bytes[0] = 0;
                        for (BufferedImage g : grids) {
                            bytes[0] += imageIo(g).length;
                        }
                        a = (System.nanoTime() - t0) / 1e6;
                    } else {
                        long t0 = System.nanoTime();
                        bytes[1] = 0;
                        for (BufferedImage g : grids) {
                            bytes[1] += Png.encode(g).length;
                        }
                        b = (System.nanoTime() - t0) / 1e6;
                    }
                }
                if (r >= 0) {
                    imageIo[r] = a;
                    ours[r] = b;
                    ratio[r] = a / b;
                }
            }
            System.out.printf("| %s | %d | %.1f Mpx | %.1f ms | %.1f ms | %.1f ms | **%.2f×** | %,d | %,d |%n", args[m], grids.size(), pixels / 1e6,
                    Stats.median(draw), Stats.median(imageIo), Stats.median(ours), Stats.median(ratio), bytes[0], bytes[1]);
        }
    }

    /** What {@code Png.encode} did before it had an encoder of its own. */
    private static byte[] imageIo(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
