package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Soak harness: one {@link Model} used from several threads for many feature-map captures. Checks
 * every result against a single-threaded reference (bit for bit) and prints the resident set size
 * (RSS, from {@code /proc/self/status}) as it goes, without ever calling the garbage collector: memory
 * that only comes back when the collector happens to run shows as growth here.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.NativeMemorySoak MODEL IMAGE [THREADS] [CAPTURES] [--open-close N]</pre>
 * e.g. {@code fashion_cnn_keras.keras images/9-ankle-boot.png 8 24000}. With {@code --open-close N} it
 * also runs N open/capture/close cycles on one thread and prints RSS before and after.
 */
public final class NativeMemorySoak {
    private NativeMemorySoak() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: NativeMemorySoak MODEL IMAGE [THREADS] [CAPTURES] [--open-close N]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Path image = Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int captures = args.length > 3 ? Integer.parseInt(args[3]) : 24_000;
        int cycles = args.length > 5 && args[4].equals("--open-close") ? Integer.parseInt(args[5]) : 0;

        say("%s, %d threads, %d captures; heap max %d MB; RSS at start %d MB%n", file.getFileName(), threads, captures,
                Runtime.getRuntime().maxMemory() >> 20, rssMb());
        try (Model model = FilterScope.open(file)) {
            Tensor input = Preprocessor.load(image, Preprocessing.forModel(model.metadata(), Optional.empty()));
            List<float[]> reference = values(model.capture(input, CaptureRequest.allSpatial()));
            say("opened, one capture: RSS %d MB%n", rssMb());
            nmt("baseline");
            AtomicInteger done = new AtomicInteger();
            AtomicInteger mismatches = new AtomicInteger();
            int step = Math.max(1, captures / 10);
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                jobs.add(pool.submit(() -> {
                    while (true) {
                        int n = done.incrementAndGet();
                        if (n > captures) {
                            return;
                        }
                        if (!same(reference, values(model.capture(input, CaptureRequest.allSpatial())))) {
                            mismatches.incrementAndGet();
                        }
                        if (n % step == 0) {
                            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                            say("  %6d captures: RSS %5d MB, heap used %4d MB of %4d MB committed, JavaCPP native %s%s%n", n,
                                    rssMb(), heap.getUsed() >> 20, heap.getCommitted() >> 20, javacppMb(), jvmNative());
                        }
                    }
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
            pool.shutdown();
            say("%d captures in %.1f s, %d results differing from the single-threaded one; RSS %d MB%n", captures,
                    (System.nanoTime() - start) / 1e9, mismatches.get(), rssMb());
            // What the JVM's own memory did since the first capture, by category (with tracking on).
            nmt("summary.diff").lines().filter(l -> l.matches("^-\\s+.*committed=\\d+MB [+-]\\d+MB.*") || l.startsWith("Total"))
                    .forEach(l -> say("  NMT %s%n", l.trim()));
        }
        if (cycles > 0) {
            long before = rssMb();
            for (int i = 1; i <= cycles; i++) {
                try (Model model = FilterScope.open(file)) {
                    Tensor input = Preprocessor.load(image, Preprocessing.forModel(model.metadata(), Optional.empty()));
                    model.capture(input, CaptureRequest.allSpatial()).close();
                }
                if (i % Math.max(1, cycles / 5) == 0) {
                    say("  %5d open/capture/close cycles: RSS %d MB%n", i, rssMb());
                }
            }
            say("%d open/capture/close cycles: RSS %d → %d MB%n", cycles, before, rssMb());
        }
    }

    /** Printed and flushed at once: a run killed for memory still leaves its figures. */
    private static void say(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }

    /**
     * The values copied out, the activations closed: closing gives their memory back now (the ONNX
     * backend's output buffers return to its pool), as an application that captures in a loop
     * should; left to the garbage collector it comes back only when a collection finds them.
     */
    private static List<float[]> values(Activations captured) {
        try (Activations a = captured) {
            return copy(a);
        }
    }

    private static List<float[]> copy(Activations a) {
        List<float[]> out = new ArrayList<>();
        for (LayerOutput l : a.layers()) {
            out.add(l.values().toArray());
        }
        out.add(a.output().toArray());
        return out;
    }

    private static boolean same(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Native memory JavaCPP (under ND4J) has allocated and not yet freed, when it is on the class path. */
    static String javacppMb() {
        try {
            long bytes = (long) Class.forName("org.bytedeco.javacpp.Pointer").getMethod("totalBytes").invoke(null);
            return (bytes >> 20) + " MB";
        } catch (ReflectiveOperationException | LinkageError e) {
            return "n/a";
        }
    }

    /**
     * With {@code -XX:NativeMemoryTracking=summary}: the memory the JVM itself has committed (heap,
     * metaspace, code cache, threads, GC, direct buffers), so that RSS less this is what native
     * libraries (ND4J, oneDNN, ONNX Runtime, JavaCPP) hold. Empty without tracking.
     */
    static String jvmNative() {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
            String out = (String) server.invoke(name, "vmNativeMemory", new Object[] {new String[] {"summary", "scale=MB"}},
                    new String[] {String[].class.getName()});
            var total = java.util.regex.Pattern.compile("Total: reserved=\\d+MB, committed=(\\d+)MB").matcher(out);
            var heap = java.util.regex.Pattern.compile("Java Heap \\(reserved=\\d+MB, committed=(\\d+)MB").matcher(out);
            if (!total.find() || !heap.find()) {
                return "";
            }
            long jvm = Long.parseLong(total.group(1));
            long rest = rssMb() - jvm;
            return String.format(", JVM (NMT) %d MB of which heap %s MB; RSS less JVM %d MB", jvm, heap.group(1), rest);
        } catch (Exception | LinkageError e) {
            return "";
        }
    }

    /** Runs a native-memory-tracking command ("baseline", "summary.diff"); empty without tracking. */
    static String nmt(String command) {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
            return (String) server.invoke(name, "vmNativeMemory", new Object[] {new String[] {command, "scale=MB"}},
                    new String[] {String[].class.getName()});
        } catch (Exception | LinkageError e) {
            return "";
        }
    }

    /** Resident set size of this process, from Linux's /proc. */
    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
