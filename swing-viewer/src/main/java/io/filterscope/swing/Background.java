package io.filterscope.swing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.swing.SwingUtilities;

/**
 * Runs the panel's slow work (inference, big renders, hashing) off the event dispatch thread.
 * Work is grouped in {@link Lane}s; in a lane only the newest request counts: an older one that has
 * not started is skipped, one that is running finishes but its result is dropped. Every request
 * reports back on the EDT exactly once, so the count of pending requests is exact and
 * {@link #whenIdle()} can tell when the view shows the latest request.
 *
 * <p>All methods except {@link #whenIdle()} and {@link #close()} are for the EDT only.
 */
final class Background implements AutoCloseable {

    /** Told when work starts and stops, to drive the status line. */
    interface Listener {
        /** Work is running; {@code what} describes the newest request. */
        void busy(String what);

        /** Nothing is pending any more; {@code cancelled} when the last requests were cancelled. */
        void idle(boolean cancelled);
    }

    /** A kind of work where a newer request supersedes an older one. */
    static final class Lane {
        private final String name;
        // Read by worker threads to skip stale requests before they start.
        private final AtomicLong generation = new AtomicLong();

        Lane(String name) {
            this.name = name;
        }

        // EDT only: whether the newest request has yet to report back.
        private boolean waiting;

        /** Makes every request made so far stale. */
        void invalidate() {
            generation.incrementAndGet();
            waiting = false;
        }

        /** Whether the newest request of this lane is still to report back (and was not made stale). */
        boolean waiting() {
            return waiting;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService pool;
    private final Consumer<Throwable> errors;
    private final Listener listener;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private int pending;
    private boolean cancelled;

    Background(int threads, Consumer<Throwable> errors, Listener listener) {
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "filterscope-viewer-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true); // never keeps a host application alive
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemons);
        executor.allowCoreThreadTimeOut(true); // an idle panel holds no threads
        this.pool = executor;
        this.errors = errors;
        this.listener = listener;
    }

    /**
     * Runs {@code work} in the background and hands its result to {@code onResult} on the EDT,
     * unless a newer request in the same lane (or {@link #cancelAll()}) came first. A failure goes to
     * the error handler instead, under the same condition.
     */
    <T> void submit(Lane lane, String what, Callable<T> work, Consumer<T> onResult) {
        submit(lane, what, work, onResult, t -> { });
    }

    /** As {@link #submit(Lane, String, Callable, Consumer)}; {@code onFailure} runs on the EDT before the error handler. */
    <T> void submit(Lane lane, String what, Callable<T> work, Consumer<T> onResult, Consumer<Throwable> onFailure) {
        long gen = lane.generation.incrementAndGet();
        lane.waiting = true;
        pending++;
        cancelled = false;
        listener.busy(what);
        pool.execute(() -> {
            T result = null;
            Throwable failure = null;
            if (lane.generation.get() == gen) {
                try {
                    result = work.call();
                } catch (Throwable t) {
                    failure = t;
                }
            }
            T r = result;
            Throwable f = failure;
            SwingUtilities.invokeLater(() -> finish(lane, gen, r, f, onResult, onFailure));
        });
    }

    private <T> void finish(Lane lane, long gen, T result, Throwable failure, Consumer<T> onResult, Consumer<Throwable> onFailure) {
        try {
            if (lane.generation.get() == gen) {
                lane.waiting = false;
                if (failure != null) {
                    onFailure.accept(failure);
                    errors.accept(failure);
                } else {
                    onResult.accept(result);
                }
            }
        } catch (RuntimeException e) {
            errors.accept(e);
        } finally {
            pending--;
            if (pending == 0) {
                listener.idle(cancelled);
                cancelled = false;
            }
            checkIdle();
        }
    }

    /** Drops the results of everything pending; what is running finishes but shows nothing. */
    void cancelAll(List<Lane> lanes) {
        lanes.forEach(Lane::invalidate);
        if (pending > 0) {
            cancelled = true;
        }
    }

    boolean busy() {
        return pending > 0;
    }

    /**
     * Completes when nothing is pending. Checked on the EDT after the events queued so far, so a
     * request made by an event already queued (a click, a selection) counts as pending.
     */
    CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SwingUtilities.invokeLater(() -> {
            waiters.add(f);
            checkIdle();
        });
        return f;
    }

    private void checkIdle() {
        if (pending > 0) {
            return;
        }
        List<CompletableFuture<Void>> done = new ArrayList<>(waiters);
        waiters.clear();
        done.forEach(w -> w.complete(null));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
