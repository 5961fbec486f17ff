package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark harness: how much Java heap opening a large model keeps, against the size of its
 * weights. Target: at most one copy of the weights on the heap; weights are decoded per layer.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.OpenMemory LARGE.onnx</pre>
 */
public final class OpenMemory {
    private OpenMemory() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: OpenMemory MODEL.onnx");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long fileSize = Files.size(file);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = settledHeap(mem);
        try (Model model = FilterScope.open(file)) {
            long opened = settledHeap(mem);
            long peakLayer = 0;
            for (LayerInfo l : model.layers()) {
                if (l.kind().hasFilters()) {
                    FilterBank bank = model.filters(l.name());
                    long during = mem.getHeapMemoryUsage().getUsed() - before;
                    peakLayer = Math.max(peakLayer, (long) bank.weights().size() * Float.BYTES);
                    if (during < 0) {
                        throw new IllegalStateException("heap went down");
                    }
                }
            }
            long afterFilters = settledHeap(mem);
            System.out.printf("%s: file %.1f MB%n", file.getFileName(), fileSize / 1e6);
            System.out.printf("  heap kept after open             %.1f MB (%.2f copies of the file)%n", (opened - before) / 1e6, (opened - before) / (double) fileSize);
            System.out.printf("  heap kept after reading all filters %.1f MB%n", (afterFilters - before) / 1e6);
            System.out.printf("  largest single layer decoded     %.1f MB%n", peakLayer / 1e6);
        }
    }

    private static long settledHeap(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
