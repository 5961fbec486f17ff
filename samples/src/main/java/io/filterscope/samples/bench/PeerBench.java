package io.filterscope.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Benchmark harness driven by {@code samples/scripts/bench_peers.py}: the Java side of the
 * comparison with the Python routes, kept alive so the driver can interleave Java and Python round
 * by round. It reads one command a line from stdin and answers one line on stdout:
 *
 * <ul>
 *   <li>{@code plain MODEL}: ONNX Runtime Java alone (feed, run, copy the logits to the heap);
 *   <li>{@code capture MODEL}: {@code Model.capture(input, CaptureRequest.allSpatial())}, the result
 *       dropped (its memory comes back to the model when the garbage collector finds it unreachable);
 *   <li>{@code capture-closed MODEL}: the same capture in try-with-resources, which gives its memory
 *       back at once for the next capture;
 *   <li>{@code grids MODEL DIR}: that capture, then every layer's feature-map grid written as a PNG
 *       into DIR (what {@code filterscope maps} writes);
 *   <li>{@code capture32 MODEL}: the capture of a batch of 32 copies of the input;
 *   <li>{@code quit}.
 * </ul>
 *
 * <p>The answer is {@code ok MILLISECONDS [DETAIL]}, timed inside the JVM around the call alone, or
 * {@code error MESSAGE}. The input is {@code MODEL_DIR/input.npy}, the one the Python peers read.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.PeerBench MODEL_DIR THREADS MODEL...</pre>
 */
public final class PeerBench {
    private PeerBench() {
    }

    /**
     * {@code closing} is a second instance of the model for the captures that are closed: each model
     * recycles its own output memory, so the closed captures must not hand theirs to the dropped ones
     * (which would then be timed with recycled memory they did not give back).
     */
    private record Loaded(Model model, Model closing, OrtSession plain, String inputName) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PeerBench MODEL_DIR THREADS MODEL...");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        Tensor input = Npy.read(dir.resolve("input.npy"));
        Tensor batch32 = batch(input, 32);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Loaded> models = new HashMap<>();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                opts.setIntraOpNumThreads(threads);
            }
            for (int i = 2; i < args.length; i++) {
                Path file = dir.resolve(args[i] + ".onnx");
                Model model = FilterScope.open(file, OpenOptions.defaults().withThreads(threads, 0));
                Model closing = FilterScope.open(file, OpenOptions.defaults().withThreads(threads, 0));
                models.put(args[i], new Loaded(model, closing, env.createSession(file.toString(), opts), model.metadata().input().name()));
            }
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                if (w[0].equals("quit")) {
                    break;
                }
                try {
                    Loaded m = models.get(w[1]);
                    long t0 = System.nanoTime();
                    String detail = switch (w[0]) {
                        case "plain" -> String.valueOf(runPlain(env, m, input).length);
                        case "capture" -> String.valueOf(m.model().capture(input, CaptureRequest.allSpatial()).layers().size());
                        case "capture-closed" -> {
                            try (Activations a = m.closing().capture(input, CaptureRequest.allSpatial())) {
                                yield String.valueOf(a.layers().size());
                            }
                        }
                        case "capture32" -> String.valueOf(m.model().capture(batch32, CaptureRequest.allSpatial()).layers().size());
                        case "grids" -> String.valueOf(grids(m.closing(), input, Path.of(w[2])));
                        default -> throw new IllegalArgumentException("unknown command " + w[0]);
                    };
                    double ms = (System.nanoTime() - t0) / 1e6;
                    System.out.printf("ok %.3f %s%n", ms, detail);
                } catch (RuntimeException e) {
                    System.out.println("error " + e.getMessage());
                }
                System.out.flush();
            }
            for (Loaded m : models.values()) {
                m.plain().close();
                m.model().close();
                m.closing().close();
            }
        }
    }

    /** What a user of ONNX Runtime alone does: feed, run, copy the output to the heap. */
    private static float[] runPlain(OrtEnvironment env, Loaded m, Tensor input) {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toArray()), input.shape().toArray());
             OrtSession.Result r = m.plain().run(Map.of(m.inputName(), t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] a = new float[out.remaining()];
            out.get(a);
            return a;
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every captured layer's feature maps as a grid PNG, as {@code filterscope maps} writes them; returns the bytes written. */
    private static long grids(Model model, Tensor input, Path out) {
        long bytes = 0;
        try (Activations a = model.capture(input, CaptureRequest.allSpatial())) {
            Files.createDirectories(out);
            for (LayerOutput lo : a.layers()) {
                Path file = out.resolve(lo.layer().name().replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
                Png.write(GridRenderer.featureMaps(lo.featureMaps(0), GridStyle.featureMaps()), file);
                bytes += Files.size(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes;
    }

    private static Tensor batch(Tensor one, int n) {
        float[] x = one.toArray();
        float[] b = new float[x.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, b, i * x.length, x.length);
        }
        long[] dims = one.shape().toArray();
        dims[0] = n;
        return Tensor.wrap(io.filterscope.tensor.Shape.of(dims), b);
    }
}
