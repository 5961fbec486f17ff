package io.filterscope.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.filterscope.FilterScope;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.ScoreKind;
import io.filterscope.examples.TopExamples;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark harness: dataset examples (every channel of one layer, top 9 by max) against a plain
 * ONNX Runtime loop over the same decoded, preprocessed images in batches of 32, in the same JVM.
 * Both are measured interleaved, round by round; the figure is the median of the per-round ratios.
 * Then the whole {@code ExampleSearch} from the files once (decoding included), with the heap it
 * needed: run it with a small {@code -Xmx} to show the heap does not grow with the folder.
 *
 * <pre>java -Xmx64m -cp ... io.filterscope.samples.bench.ExamplesThroughput MODEL.onnx LAYER IMAGE_DIR [ROUNDS]</pre>
 */
public final class ExamplesThroughput {
    private ExamplesThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ExamplesThroughput MODEL.onnx LAYER IMAGE_DIR [ROUNDS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String layer = args[1];
        ImageFolder folder = ImageFolder.of(Path.of(args[2]));
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession plain = env.createSession(file.toString(), new OrtSession.SessionOptions());
             Model model = FilterScope.open(file)) {
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            String inputName = model.metadata().input().name();

            // A first, memory-bounded pass from the files: decoding included, heap as the JVM was given.
            long t0 = System.nanoTime();
            ExampleSearch.Result full = ExampleSearch.run(model, folder.files(), folder::name, prep,
                    ExampleSearch.Settings.of(layer, 9), ExampleSearch.Listener.none());
            double fullSeconds = (System.nanoTime() - t0) / 1e9;
            Runtime rt = Runtime.getRuntime();
            System.out.printf("ExampleSearch from files: %d images in %.2f s = %.0f images/s; -Xmx %d MiB; heap in use now %d MiB%n",
                    full.images(), fullSeconds, full.images() / fullSeconds, rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);

            // Decode once, so both loops below run the same batches.
            List<Tensor> batches = new ArrayList<>();
            List<List<String>> names = new ArrayList<>();
            ImageBatches.forEach(folder.files(), prep, FreeSize.DEFAULT, model.metadata(), 32, new ImageBatches.Listener() {
            }, b -> {
                batches.add(b.input());
                names.add(b.files().stream().map(folder::name).toList());
            });
            int images = names.stream().mapToInt(List::size).sum();
            CaptureRequest request = CaptureRequest.layers(layer);
            double[] ratios = new double[rounds];
            for (int r = -1; r < rounds; r++) {
                long a = System.nanoTime();
                for (Tensor t : batches) {
                    long[] dims = t.shape().toArray();
                    try (OnnxTensor in = OnnxTensor.createTensor(env, t.buffer(), dims);
                         OrtSession.Result out = plain.run(Map.of(inputName, in))) {
                        ((OnnxTensor) out.get(0)).getFloatBuffer();
                    }
                }
                long b = System.nanoTime();
                TopExamples.Collector c = null;
                for (int i = 0; i < batches.size(); i++) {
                    // Closed once scored, as ExampleSearch does: the next capture reuses the memory at
                    // once, where an unclosed one would wait for the garbage collector.
                    try (Activations acts = model.capture(batches.get(i), request)) {
                        Tensor maps = acts.layers().get(0).values();
                        if (c == null) {
                            c = new TopExamples.Collector(layer, ScoreKind.MAX, 9, (int) maps.shape().dim(1));
                        }
                        c.add(names.get(i), maps);
                    }
                }
                long e = System.nanoTime();
                if (r >= 0) {
                    double plainRate = images / ((b - a) / 1e9);
                    double examplesRate = images / ((e - b) / 1e9);
                    ratios[r] = examplesRate / plainRate;
                    System.out.printf("round %d: plain ORT %.0f images/s, examples %.0f images/s, ratio %.2f%n", r, plainRate, examplesRate,
                            ratios[r]);
                }
            }
            Arrays.sort(ratios);
            System.out.printf("median ratio examples / plain ORT over %d images: %.2f%n", images, ratios[rounds / 2]);
        }
    }
}
