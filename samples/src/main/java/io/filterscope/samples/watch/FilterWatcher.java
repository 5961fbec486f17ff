package io.filterscope.samples.watch;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * A DL4J training listener that, every {@code every} iterations, snapshots one layer's filters and
 * a fixed image's feature maps in it through FilterScope's {@link Model} API, and hands them to a
 * {@link FrameSink}. Works for {@code MultiLayerNetwork} and {@code ComputationGraph} alike, because
 * it asks the FilterScope model, not the network class.
 *
 * <p>Only the snapshot (copying the layer's weights and one forward pass of one image) runs on the
 * training thread; drawing runs on a thread of its own. A live view keeps only the newest pending
 * snapshot, so a slow screen never holds training back; a recording keeps every one.
 */
final class FilterWatcher extends BaseTrainingListener implements AutoCloseable {
    private final Model model;
    private final String layer;
    private final Tensor image;
    private final int every;
    private final boolean keepAll;
    private final FrameSink sink;
    private final FrameRenderer renderer;
    private final ExecutorService drawing = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "filterscope-frames");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Snapshot> pending = new AtomicReference<>();
    private volatile Throwable failure;
    private int snapshots;

    /**
     * @param model   the FilterScope view of the network being trained (weights read live)
     * @param layer   the layer to watch, e.g. "conv1"
     * @param image   one input image in the model's layout, 1 × C × H × W
     * @param every   snapshot every this many iterations
     * @param keepAll whether every snapshot is drawn (recording) or only the newest (live view)
     */
    FilterWatcher(Model model, String layer, Tensor image, int every, boolean keepAll, FrameSink sink, FrameRenderer renderer) {
        if (every < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--every must be at least 1, got " + every);
        }
        this.model = model;
        this.layer = model.layer(layer).name();
        if (!model.layer(layer).kind().hasFilters()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "layer '" + layer + "' has no filters; watch a convolution layer such as conv1");
        }
        this.image = image;
        this.every = every;
        this.keepAll = keepAll;
        this.sink = sink;
        this.renderer = renderer;
    }

    /** Takes a snapshot now (also used for the state before the first iteration). */
    void snapshot(int iteration, int epoch, double loss) {
        FilterBank filters = model.filters(layer);
        Activations act = model.capture(image, CaptureRequest.layers(layer));
        Snapshot s = new Snapshot(iteration, epoch, loss, filters, act.layers().get(0).featureMaps(0));
        snapshots++;
        if (keepAll) {
            drawing.execute(() -> draw(s));
        } else if (pending.getAndSet(s) == null) {
            drawing.execute(() -> draw(pending.getAndSet(null)));
        }
    }

    int snapshots() {
        return snapshots;
    }

    @Override
    public void iterationDone(org.deeplearning4j.nn.api.Model network, int iteration, int epoch) {
        // DL4J counts from 0; people count the first finished iteration as 1.
        if ((iteration + 1) % every == 0) {
            snapshot(iteration + 1, epoch + 1, network.score());
        }
    }

    private void draw(Snapshot s) {
        if (s == null || failure != null) {
            return;
        }
        try {
            sink.accept(s, renderer.render(s));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    /** Waits for the frames still being drawn, then closes the sink. */
    @Override
    public void close() {
        drawing.shutdown();
        try {
            if (!drawing.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new FilterScopeException("drawing the training frames did not finish within 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new FilterScopeException(failure instanceof FilterScopeException f ? f.kind() : ErrorKind.OTHER,
                    "drawing a training frame failed: " + failure.getMessage(), failure);
        }
        sink.close();
    }
}
