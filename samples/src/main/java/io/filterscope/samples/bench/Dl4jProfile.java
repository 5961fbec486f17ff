package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * Benchmark harness: where the DL4J backend's capture time goes, against ONNX Runtime on the same
 * network, side by side in one JVM. Each round times, alternating the order:
 * <ul>
 * <li>{@code dl4j capture}: FilterScope's DL4J model, {@code capture(allSpatial)};</li>
 * <li>{@code dl4j output}: DL4J's own {@code output(x)} on the same network loaded by DL4J (no
 *     FilterScope code: the floor of the DL4J route);</li>
 * <li>{@code onnx capture} and {@code onnx output}: FilterScope's ONNX model, every spatial layer
 *     and the output only.</li>
 * </ul>
 * and prints medians with min–max and the per-round ratios to ONNX capture. With {@code --ops} it
 * then runs 20 DL4J captures under ND4J's op profiler and prints its dashboard (time per op class).
 *
 * <pre>java -cp ... io.filterscope.samples.bench.Dl4jProfile DL4J.zip MODEL.onnx [ROUNDS] [BATCH] [--ops]</pre>
 * Thread counts come from the environment ({@code OMP_NUM_THREADS} for ND4J) and are printed.
 */
public final class Dl4jProfile {
    private Dl4jProfile() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Dl4jProfile DL4J.zip MODEL.onnx [ROUNDS] [BATCH] [--ops]");
            System.exit(2);
        }
        Path dl4jFile = Path.of(args[0]);
        Path onnxFile = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        boolean ops = java.util.Arrays.asList(args).contains("--ops");

        try (Model dl4j = FilterScope.open(dl4jFile, OpenOptions.defaults().withBackend("dl4j"));
             Model onnx = FilterScope.open(onnxFile, OpenOptions.defaults().withBackend("onnx"))) {
            long[] dims = dl4j.metadata().input().shape().toArray();
            dims[0] = batch;
            float[] pixels = new float[Math.toIntExact(java.util.Arrays.stream(dims).reduce(1, Math::multiplyExact))];
            Random random = new Random(0);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = random.nextFloat();
            }
            Tensor input = Tensor.wrap(Shape.of(dims), pixels);
            long[] onnxDims = onnx.metadata().input().shape().toArray();
            onnxDims[0] = batch;
            // The bundled network has one channel: N×28×28×1 and N×1×28×28 hold the same values in the same order.
            Tensor onnxInput = Tensor.wrap(Shape.of(onnxDims), pixels);
            Raw raw = Raw.load(dl4jFile);
            INDArray rawInput = Nd4j.create(pixels, dims, 'c').castTo(raw.dataType());

            System.out.printf("ND4J %s, data type %s, OMP_NUM_THREADS=%s, %s; batch %d, %d rounds%n",
                    Nd4j.getExecutioner().getClass().getSimpleName(), raw.dataType(), System.getenv("OMP_NUM_THREADS"),
                    Nd4j.getEnvironment().isCPU() ? "CPU" : "GPU", batch, rounds);
            String[] names = {"dl4j capture", "dl4j output (DL4J alone)", "onnx capture", "onnx output"};
            Runnable[] runs = {
                () -> capture(dl4j, input, CaptureRequest.allSpatial()),
                () -> raw.output(rawInput),
                () -> capture(onnx, onnxInput, CaptureRequest.allSpatial()),
                () -> capture(onnx, onnxInput, CaptureRequest.outputOnly()),
            };
            for (int w = 0; w < 5; w++) {
                for (Runnable r : runs) {
                    r.run();
                }
            }
            double[][] ms = new double[runs.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < runs.length; k++) {
                    int i = r % 2 == 0 ? k : runs.length - 1 - k;
                    long t0 = System.nanoTime();
                    runs[i].run();
                    ms[i][r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            for (int i = 0; i < runs.length; i++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = ms[i][r] / ms[2][r];
                }
                System.out.printf("  %-26s median %8.2f ms (min %7.2f, max %7.2f)  / onnx capture %5.2f%n", names[i], Stats.median(ms[i]),
                        java.util.Arrays.stream(ms[i]).min().orElse(0), java.util.Arrays.stream(ms[i]).max().orElse(0), Stats.median(ratio));
            }
            if (ops) {
                profileOps(() -> capture(dl4j, input, CaptureRequest.allSpatial()), 20);
            }
            raw.close();
        }
    }

    /**
     * Runs {@code run} {@code times} under ND4J's op profiler and prints its dashboard. The profiling
     * mode is deprecated in ND4J 1.0.0-M2.1, but it is what fills {@link OpProfiler}'s per-op times.
     */
    @SuppressWarnings("deprecation")
    private static void profileOps(Runnable run, int times) {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().stackTrace(false).build());
        OpProfiler.getInstance().reset();
        Nd4j.getExecutioner().setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.OPERATIONS);
        for (int i = 0; i < times; i++) {
            run.run();
        }
        Nd4j.getExecutioner().setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.DISABLED);
        OpProfiler.getInstance().printOutDashboard();
    }

    private static void capture(Model model, Tensor input, CaptureRequest request) {
        try (Activations act = model.capture(input, request)) {
            if (act.output().size() == 0) {
                throw new IllegalStateException("no output");
            }
        }
    }

    /** The network as DL4J itself loads it, for DL4J's own forward pass. */
    private record Raw(MultiLayerNetwork mln, ComputationGraph graph) implements AutoCloseable {
        static Raw load(Path file) throws java.io.IOException {
            String config;
            try (var zip = new java.util.zip.ZipFile(file.toFile())) {
                config = new String(zip.getInputStream(zip.getEntry("configuration.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            if (config.contains("\"vertices\"")) {
                return new Raw(null, ModelSerializer.restoreComputationGraph(file.toFile(), false));
            }
            return new Raw(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false), null);
        }

        org.nd4j.linalg.api.buffer.DataType dataType() {
            return mln != null ? mln.params().dataType() : graph.params().dataType();
        }

        void output(INDArray x) {
            INDArray y = mln != null ? mln.output(x, false) : graph.outputSingle(false, x);
            y.close();
        }

        @Override
        public void close() {
            if (mln != null) {
                mln.close();
            } else {
                graph.close();
            }
        }
    }
}
