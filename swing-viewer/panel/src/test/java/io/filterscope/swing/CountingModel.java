package io.filterscope.swing;

import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.tensor.Tensor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real model that counts its inferences, and can be told to fail its next ones: the seam through
 * which tests see that switching layers does not run the model again and that failures are reported.
 */
final class CountingModel implements Model {
    final Model real;
    final AtomicInteger captures = new AtomicInteger();
    volatile RuntimeException failWith;
    /** When set, captures wait until it opens: lets a test catch the panel while it is busy. */
    volatile CountDownLatch gate;
    final CountDownLatch entered = new CountDownLatch(1);

    CountingModel(Model real) {
        this.real = real;
    }

    @Override
    public ModelMetadata metadata() {
        return real.metadata();
    }

    @Override
    public List<LayerInfo> layers() {
        return real.layers();
    }

    @Override
    public Set<Capability> capabilities() {
        return real.capabilities();
    }

    /** When set, reading the filters of {@link #filtersGateLayer} waits until it opens. */
    volatile CountDownLatch filtersGate;
    volatile String filtersGateLayer;
    final CountDownLatch filtersEntered = new CountDownLatch(1);

    @Override
    public FilterBank filters(String layer) {
        CountDownLatch g = filtersGate;
        if (g != null && layer.equals(filtersGateLayer)) {
            filtersEntered.countDown();
            try {
                g.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return real.filters(layer);
    }

    @Override
    public Activations capture(Tensor input, CaptureRequest request) {
        captures.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            entered.countDown();
            try {
                g.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException e = failWith;
        if (e != null) {
            throw e;
        }
        return real.capture(input, request);
    }

    @Override
    public void close() {
        // The real model is closed by the test that opened it.
    }
}
