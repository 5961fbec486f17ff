package io.filterscope.explain;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Hears how far a long explanation (Score-CAM, occlusion, SmoothGrad, faithfulness curves) has come,
 * and may stop it. The work calls {@link #update} after each batch and asks {@link #cancelled()}
 * before the next; when that says yes (or the thread is interrupted) the work stops and throws
 * {@link CancellationException}.
 */
@FunctionalInterface
public interface Progress {

    /** Hears nothing, never cancels. */
    Progress NONE = (done, total) -> {
    };

    /**
     * {@code done} of {@code total} model runs (batch items) are finished. Called on the thread doing
     * the work; keep it short.
     */
    void update(int done, int total);

    /** Whether the work should stop; asked between batches. */
    default boolean cancelled() {
        return false;
    }

    /** A progress that reports to {@code listener} and stops when {@code cancel} says so. */
    static Progress of(Progress listener, BooleanSupplier cancel) {
        return new Progress() {
            @Override
            public void update(int done, int total) {
                listener.update(done, total);
            }

            @Override
            public boolean cancelled() {
                return cancel.getAsBoolean();
            }
        };
    }

    /** Throws {@link CancellationException} when cancelled or interrupted. */
    static void check(Progress p) {
        if (p.cancelled() || Thread.currentThread().isInterrupted()) {
            throw new CancellationException("explanation cancelled");
        }
    }
}
