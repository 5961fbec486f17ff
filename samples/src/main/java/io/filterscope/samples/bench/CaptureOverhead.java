package io.filterscope.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark harness: the cost of capturing every post-activation feature map of one input, as a
 * ratio to a plain ONNX Runtime run of the same model in the same JVM. The two are measured
 * interleaved, round by round, so a noisy shared machine slows both alike; the figure reported is
 * the median of the per-round ratios.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.CaptureOverhead MODEL.onnx [ROUNDS] [THREADS]</pre>
 */
public final class CaptureOverhead {
    private CaptureOverhead() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CaptureOverhead MODEL.onnx [ROUNDS] [THREADS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                opts.setIntraOpNumThreads(threads);
            }
            try (OrtSession plain = env.createSession(file.toString(), opts);
                 Model model = FilterScope.open(file, OpenOptions.defaults().withThreads(threads, 0))) {
                long[] dims = model.metadata().input().shape().toArray();
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = dims[i] < 0 ? (i == 0 ? 1 : 224) : dims[i];
                }
                float[] x = new float[Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact))];
                Random rnd = new Random(0);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                Tensor input = Tensor.of(Shape.of(dims), x);
                String inputName = model.metadata().input().name();
                CaptureRequest all = CaptureRequest.allSpatial();
                int captured = model.capture(input, all).layers().size();
                for (int i = 0; i < 5; i++) {
                    runPlain(env, plain, inputName, x, dims);
                    model.capture(input, all);
                }
                double[] plainMs = new double[rounds];
                double[] captureMs = new double[rounds];
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    // Alternate which goes first so neither always runs on a warmer cache.
                    if (r % 2 == 0) {
                        plainMs[r] = timePlain(env, plain, inputName, x, dims);
                        captureMs[r] = timeCapture(model, input, all);
                    } else {
                        captureMs[r] = timeCapture(model, input, all);
                        plainMs[r] = timePlain(env, plain, inputName, x, dims);
                    }
                    ratio[r] = captureMs[r] / plainMs[r];
                }
                System.out.printf("%s: input %s, %d feature maps captured, %d rounds%n", file.getFileName(), Shape.of(dims), captured, rounds);
                System.out.printf("  plain ONNX Runtime run     median %.2f ms%n", Stats.median(plainMs));
                System.out.printf("  capture all post-activation median %.2f ms%n", Stats.median(captureMs));
                System.out.printf("  ratio (median of per-round ratios) %.3f%n", Stats.median(ratio));
            }
        }
    }

    private static double timeCapture(Model model, Tensor input, CaptureRequest all) {
        long t0 = System.nanoTime();
        Activations a = model.capture(input, all);
        long t1 = System.nanoTime();
        if (a.layers().isEmpty()) {
            throw new IllegalStateException("nothing captured");
        }
        return (t1 - t0) / 1e6;
    }

    private static double timePlain(OrtEnvironment env, OrtSession s, String name, float[] x, long[] dims) throws Exception {
        long t0 = System.nanoTime();
        runPlain(env, s, name, x, dims);
        return (System.nanoTime() - t0) / 1e6;
    }

    /** What a user of ONNX Runtime alone does: feed, run, copy the output to the heap. */
    private static float[] runPlain(OrtEnvironment env, OrtSession s, String name, float[] x, long[] dims) throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
             OrtSession.Result r = s.run(Map.of(name, t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] a = new float[out.remaining()];
            out.get(a);
            return a;
        }
    }

}
