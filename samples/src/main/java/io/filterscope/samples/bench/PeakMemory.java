package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness: the peak memory of opening a large model the way the viewer does first, and of
 * capturing every spatial layer of a batch. Run each in a fresh JVM:
 *
 * <pre>
 * java -Xmx830m -cp ... io.filterscope.samples.bench.PeakMemory open VGG16.onnx
 * java -cp ... io.filterscope.samples.bench.PeakMemory capture RESNET18.onnx 32 [ROUNDS]
 * </pre>
 *
 * <p>{@code open}: {@code FilterScope.open}, then what the viewer shows first: the model's metadata
 * and layer table ({@code info}) and the first convolution's filters. {@code capture}: open, then
 * {@code capture(allSpatial)} of a seeded random batch, closed after each round.
 *
 * <p>Reported, for the measured part only (after a forced collection):
 * <ul>
 * <li>heap peak: the sum of the heap pools' peak usage (each pool's peak, so an upper bound of the
 *     heap in use at any one time, garbage included), and the heap in use sampled every millisecond;</li>
 * <li>heap allocated: bytes this thread allocated (garbage included): a whole-file copy shows here
 *     even when a collection hides it from the peak;</li>
 * <li>direct buffers: the most in use at a sample (JDK direct buffers are native memory, but the JVM
 *     bounds them by {@code -XX:MaxDirectMemorySize}, which defaults to {@code -Xmx});</li>
 * <li>RSS: the process's resident peak ({@code VmHWM}), everything native included.</li>
 * </ul>
 * It prints {@code ok} and exits 0 when everything ran; an {@link OutOfMemoryError} exits 1, so a
 * run under a given {@code -Xmx} says whether that heap suffices.
 */
public final class PeakMemory {
    private PeakMemory() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("open") || args[0].equals("capture"))) {
            System.err.println("usage: PeakMemory open MODEL.onnx | PeakMemory capture MODEL.onnx BATCH [ROUNDS]");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        long fileSize = Files.size(file);
        Sampler sampler = new Sampler();
        settle();
        long baseline = heapUsed();
        resetPeaks();
        long allocatedBefore = allocated();
        sampler.start();
        try {
            String what = args[0].equals("open") ? open(file) : capture(file, Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 3);
            sampler.stop();
            long allocatedBytes = allocated() - allocatedBefore;
            long poolPeaks = heapPoolPeaks();
            System.out.printf("%s: file %.1f MB; %s%n", file.getFileName(), fileSize / 1e6, what);
            System.out.printf("  max heap (-Xmx)               %8.1f MB%n", Runtime.getRuntime().maxMemory() / 1e6);
            System.out.printf("  heap in use before            %8.1f MB%n", baseline / 1e6);
            System.out.printf("  heap peak, sum of pool peaks  %8.1f MB (%.2f x file)%n", poolPeaks / 1e6, poolPeaks / (double) fileSize);
            System.out.printf("  heap peak, sampled            %8.1f MB (%.2f x file)%n", sampler.heap.get() / 1e6, sampler.heap.get() / (double) fileSize);
            System.out.printf("  heap allocated (this thread)  %8.1f MB (%.2f x file)%n", allocatedBytes / 1e6, allocatedBytes / (double) fileSize);
            System.out.printf("  direct buffers peak, sampled  %8.1f MB%n", sampler.direct.get() / 1e6);
            System.out.printf("  RSS peak (VmHWM)              %8.1f MB%n", status("VmHWM:") / 1e6);
            System.out.println("ok");
        } catch (OutOfMemoryError e) {
            sampler.stop();
            System.out.println("out of memory under -Xmx " + Runtime.getRuntime().maxMemory() / 1_000_000 + " MB: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Open, then what the viewer shows first: info and the first convolution's filters. */
    private static String open(Path file) {
        try (Model model = FilterScope.open(file)) {
            long chars = model.metadata().toString().length();
            LayerInfo firstConv = null;
            for (LayerInfo l : model.layers()) {
                chars += l.toString().length();
                if (firstConv == null && l.kind().hasFilters()) {
                    firstConv = l;
                }
            }
            if (firstConv == null) {
                throw new IllegalStateException(file + " has no layer with filters");
            }
            FilterBank bank = model.filters(firstConv.name());
            return String.format("open + info (%d layers, %d chars) + filters of %s %s", model.layers().size(), chars,
                    firstConv.name(), bank.weights().shape());
        }
    }

    /** Open, then {@code rounds} captures of every spatial layer of one seeded random batch. */
    private static String capture(Path file, int batch, int rounds) {
        try (Model model = FilterScope.open(file)) {
            long[] dims = model.metadata().input().shape().toArray();
            dims[0] = batch;
            Shape shape = Shape.of(dims);
            float[] values = new float[shape.size()];
            Random random = new Random(0);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            Tensor input = Tensor.wrap(shape, values);
            long mapBytes = 0;
            int maps = 0;
            for (int r = 0; r < rounds; r++) {
                try (Activations act = model.capture(input, CaptureRequest.allSpatial())) {
                    List<LayerOutput> layers = act.layers();
                    maps = layers.size();
                    mapBytes = 0;
                    for (LayerOutput l : layers) {
                        mapBytes += (long) l.values().size() * Float.BYTES;
                    }
                }
            }
            return String.format("%d captures of %d layers, batch %d: %.1f MB of feature maps each", rounds, maps, batch, mapBytes / 1e6);
        }
    }

    /** Samples heap in use and direct buffers in use every millisecond, keeping the maxima. */
    private static final class Sampler {
        final AtomicLong heap = new AtomicLong();
        final AtomicLong direct = new AtomicLong();
        private volatile boolean running;
        private Thread thread;

        void start() {
            running = true;
            BufferPoolMXBean directPool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            thread = new Thread(() -> {
                while (running) {
                    heap.accumulateAndGet(heapUsed(), Math::max);
                    direct.accumulateAndGet(directPool.getMemoryUsed(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "peak-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long heapPoolPeaks() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long allocated() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** A {@code /proc/self/status} field in bytes (0 where there is none, as off Linux). */
    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }
}
