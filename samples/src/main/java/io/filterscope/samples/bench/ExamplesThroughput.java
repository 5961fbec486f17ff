package io.filterscope.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.filterscope.FilterScope;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.ScoreKind;
import io.filterscope.examples.TopExamples;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark harness: dataset examples (every channel of one layer, top 9 by max, batches of 32)
 * against a plain ONNX Runtime loop over the same decoded, preprocessed images in the same batches,
 * in the same JVM. Both are measured interleaved, round by round, the order alternating; the figure is
 * the median of the per-round ratios of images per second.
 *
 * <p>First, the whole {@code ExampleSearch} from the files once (decoding included), with the heap
 * it needed: the peak of the heap pools during the pass (an upper bound: the pools' peaks summed) and
 * what is still in use after a collection. Run it with a small {@code -Xmx} and two folder sizes to
 * show the heap does not grow with the folder.
 *
 * <pre>java -Xmx128m -cp ... io.filterscope.samples.bench.ExamplesThroughput MODEL.onnx LAYER IMAGE_DIR [ROUNDS [FILES [RATIO_IMAGES]]]</pre>
 *
 * FILES: the first FILES images of the folder for the pass from files (0 or none: all); RATIO_IMAGES:
 * how many of them are decoded and kept for the comparison (0 or none: all FILES; a 224 × 224 image is
 * 0.6 MB decoded, so keep it to a few hundred there); ROUNDS 0 skips the comparison.
 */
public final class ExamplesThroughput {
    static final int BATCH = 32;
    static final int TOP = 9;

    private ExamplesThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ExamplesThroughput MODEL.onnx LAYER IMAGE_DIR [ROUNDS [FILES [RATIO_IMAGES]]]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String layer = args[1];
        ImageFolder folder = ImageFolder.of(Path.of(args[2]));
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int limit = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        List<Path> files = limit > 0 ? folder.files().subList(0, Math.min(limit, folder.files().size())) : folder.files();
        int ratioImages = args.length > 5 && Integer.parseInt(args[5]) > 0 ? Math.min(Integer.parseInt(args[5]), files.size()) : files.size();
        System.out.printf("load average %.1f; %d cores; -Xmx %d MiB%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        // The model first: FilterScope loads ONNX Runtime's native library on a thread with a large stack
        // (loading it on the main thread crashes here), and getEnvironment() then returns that environment.
        try (Model model = FilterScope.open(file);
             OrtSession plain = OrtEnvironment.getEnvironment().createSession(file.toString(), new OrtSession.SessionOptions())) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            String inputName = model.metadata().input().name();

            // A first, memory-bounded pass from the files: decoding included, heap as the JVM was given.
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long[] live = {0};
            long t0 = System.nanoTime();
            ExampleSearch.Result full = ExampleSearch.run(model, files, folder::name, prep,
                    new ExampleSearch.Settings(layer, ScoreKind.MAX, TOP, BATCH, FreeSize.DEFAULT), new ExampleSearch.Listener() {
                        @Override
                        public void progress(int done, int total) {
                            // What the last collection left (the live heap), after each batch: this is what would grow
                            // with the folder if anything per image were kept.
                            live[0] = Math.max(live[0], heap.stream().mapToLong(p -> p.getCollectionUsage() == null ? 0
                                    : p.getCollectionUsage().getUsed()).sum());
                        }
                    });
            double fullSeconds = (System.nanoTime() - t0) / 1e9;
            long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("ExampleSearch from files: %d images, %d channels, in %.2f s = %.1f images/s; heap peak during the pass"
                            + " <= %d MiB; largest live heap after a collection during the pass %.1f MiB; in use after it and a GC %d MiB%n",
                    full.images(), full.top().channelCount(), fullSeconds, full.images() / fullSeconds, peak >> 20, live[0] / 1048576.0,
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
            if (rounds <= 0) {
                return;
            }

            // Decode once, so both loops below run the same batches.
            List<Tensor> batches = new ArrayList<>();
            List<List<String>> names = new ArrayList<>();
            ImageBatches.forEach(files.subList(0, ratioImages), prep, FreeSize.DEFAULT, model.metadata(), BATCH, new ImageBatches.Listener() {
            }, b -> {
                batches.add(b.input());
                names.add(b.files().stream().map(folder::name).toList());
            });
            int images = names.stream().mapToInt(List::size).sum();
            double[] ratios = new double[rounds];
            for (int r = -1; r < rounds; r++) {
                // Whole loops, taking turns: each session has its own ONNX Runtime threads, which spin a
                // while after a run, so interleaving finer (16 batches each) made both loops three times
                // slower and measured the switching, not the loops.
                boolean plainFirst = (r & 1) == 0;
                long plainNanos = 0;
                long examplesNanos = 0;
                for (int turn = 0; turn < 2; turn++) {
                    long a = System.nanoTime();
                    if ((turn == 0) == plainFirst) {
                        for (Tensor batch : batches) {
                            plainBatch(env, plain, inputName, batch);
                        }
                        plainNanos = System.nanoTime() - a;
                    } else {
                        TopExamples.Collector[] collector = {null};
                        for (int i = 0; i < batches.size(); i++) {
                            examplesBatch(model, layer, batches.get(i), names.get(i), collector);
                        }
                        examplesNanos = System.nanoTime() - a;
                    }
                }
                if (r >= 0) {
                    double plainRate = images / (plainNanos / 1e9);
                    double examplesRate = images / (examplesNanos / 1e9);
                    ratios[r] = examplesRate / plainRate;
                    System.out.printf("round %d (%s first): plain ORT %.1f images/s, examples %.1f images/s, ratio %.2f%n", r,
                            plainFirst ? "plain" : "examples", plainRate, examplesRate, ratios[r]);
                }
            }
            // The loop that runs second in a round, right after the other one, is the slower one (docs/benchmarks.md):
            // a pair of rounds, one of each order, cancels that, so pairs are what the balanced figure is made of.
            int pairs = rounds / 2;
            double[] pairRatios = new double[pairs];
            for (int p = 0; p < pairs; p++) {
                pairRatios[p] = Math.sqrt(ratios[2 * p] * ratios[2 * p + 1]);
            }
            System.out.printf("median ratio examples / plain ORT over %d images, %d rounds: %.2f; order-balanced (median over %d pairs of"
                            + " rounds, one of each order, of the pair's geometric mean): %s; load average now %.1f%n", images, rounds,
                    Stats.median(ratios), pairs, pairs == 0 ? "-" : String.format("%.2f", Stats.median(pairRatios)),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The model's output only, copied out as a caller would. */
    private static void plainBatch(OrtEnvironment env, OrtSession plain, String inputName, Tensor batch) throws Exception {
        try (OnnxTensor in = OnnxTensor.createTensor(env, batch.buffer(), batch.shape().toArray());
             OrtSession.Result out = plain.run(Map.of(inputName, in))) {
            ((OnnxTensor) out.get(0)).getFloatBuffer();
        }
    }

    /** One batch's best examples per channel kept, as {@code ExampleSearch} does (through {@link Model#peaks}). */
    private static void examplesBatch(Model model, String layer, Tensor batch, List<String> names, TopExamples.Collector[] collector) {
        ChannelPeaks peaks = model.peaks(batch, layer);
        if (collector[0] == null) {
            collector[0] = new TopExamples.Collector(layer, ScoreKind.MAX, TOP, peaks.channels());
        }
        collector[0].add(names, peaks);
    }
}
