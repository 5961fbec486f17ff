package io.filterscope.swing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.swing.SwingUtilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the panel's slow work (inference, big renders, hashing) off the event dispatch thread.
 * Work is grouped in {@link Lane}s; in a lane only the newest request counts: an older one that has
 * not started is skipped, one that is running finishes but its result is dropped. Every request
 * reports back on the EDT exactly once, so the count of pending requests is exact and
 * {@link #whenIdle()} can tell when the view shows the latest request.
 *
 * <p>Besides the lanes, {@link #prefetch} draws ahead what the person will probably ask for next, one
 * piece at a time on a low-priority thread. Prefetches only fill caches: they never delay
 * {@link #whenIdle()}, and {@link #whenPrefetched()} tells when the last ones asked for are done.
 * {@link #retirePrefetches} makes a lane request wait for a prefetch still running, so that
 * {@code whenIdle()} covers work on a model about to be closed.
 *
 * <p>All methods except {@link #whenIdle()}, {@link #whenPrefetched()} and {@link #close()} are for the EDT only.
 */
final class Background implements AutoCloseable {

    /** Told when work starts and stops, to drive the status line. */
    interface Listener {
        /** Work is running; {@code what} describes the newest request. */
        void busy(String what);

        /** Nothing is pending any more; {@code cancelled} when the last requests were cancelled. */
        void idle(boolean cancelled);

        /** The newest request of a lane reported how far it is, from 0 to 1. */
        default void progress(double fraction) {
        }
    }

    /** Work that may report progress and ask whether it is still wanted. */
    @FunctionalInterface
    interface Job<T> {
        T run(io.filterscope.swing.TabContent.Progress progress) throws Exception;
    }

    /** The progress of a piece of work that nobody watches and that is wanted while {@code wanted} says so. */
    static io.filterscope.swing.TabContent.Progress unwatched(BooleanSupplier wanted) {
        return new io.filterscope.swing.TabContent.Progress() {
            @Override
            public boolean cancelled() {
                return !wanted.getAsBoolean();
            }

            @Override
            public void report(double fraction) {
            }
        };
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

    private static final Logger LOG = LoggerFactory.getLogger(Background.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService pool;
    private final Consumer<Throwable> errors;
    private final Listener listener;
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private int pending;
    private boolean cancelled;

    /** One low-priority thread: drawing ahead must not compete with what the person asked for. */
    private final ThreadPoolExecutor prefetcher;
    // EDT only: the keys of prefetches asked for and not yet done.
    private final Set<Object> prefetching = new HashSet<>();
    private final List<CompletableFuture<Void>> prefetchWaiters = new ArrayList<>();
    /** Held while a prefetch runs, so that work on a replaced model can be waited for. */
    private final ReentrantLock prefetchRunning = new ReentrantLock();

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
        ThreadPoolExecutor ahead = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "filterscope-viewer-" + id + "-prefetch");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        ahead.allowCoreThreadTimeOut(true);
        this.prefetcher = ahead;
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
        submitJob(lane, what, progress -> work.call(), onResult, onFailure);
    }

    /**
     * As {@link #submit(Lane, String, Callable, Consumer, Consumer)}, for work that asks whether it is
     * still wanted (a newer request in its lane or {@link #cancelAll} make it stale) and reports its
     * progress to the listener while it is the newest request of its lane.
     */
    <T> void submitJob(Lane lane, String what, Job<T> work, Consumer<T> onResult, Consumer<Throwable> onFailure) {
        long gen = lane.generation.incrementAndGet();
        io.filterscope.swing.TabContent.Progress progress = new io.filterscope.swing.TabContent.Progress() {
            /** The last fraction passed to the EDT, so a tight loop does not flood it. */
            private volatile double told = -1;

            @Override
            public boolean cancelled() {
                return lane.generation.get() != gen;
            }

            @Override
            public void report(double fraction) {
                double f = Math.max(0, Math.min(1, fraction));
                if (cancelled() || Math.abs(f - told) < 0.005) {
                    return;
                }
                told = f;
                SwingUtilities.invokeLater(() -> {
                    if (lane.generation.get() == gen && lane.waiting) {
                        listener.progress(f);
                    }
                });
            }
        };
        lane.waiting = true;
        pending++;
        cancelled = false;
        listener.busy(what);
        pool.execute(() -> {
            T result = null;
            Throwable failure = null;
            if (lane.generation.get() == gen) {
                try {
                    result = work.run(progress);
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

    // ------------------------------------------------------------------ prefetching

    /**
     * Within {@link #replacePrefetches}: runs {@code work} at low priority, after the prefetches already queued, unless one with an
     * equal {@code key} is pending; {@code onResult} gets its result on the EDT. {@code stillWanted}
     * is asked on the prefetch thread just before the work starts: false skips it (its model may be
     * closed by then). A failure is only logged: what cannot be drawn ahead is reported when asked for.
     */
    <T> void prefetch(Object key, BooleanSupplier stillWanted, Callable<T> work, Consumer<T> onResult) {
        if (!prefetching.add(key)) {
            return;
        }
        prefetcher.execute(() -> {
            prefetchRunning.lock();
            try {
                if (!stillWanted.getAsBoolean()) {
                    SwingUtilities.invokeLater(() -> prefetched(key));
                    return;
                }
                T result = work.call();
                SwingUtilities.invokeLater(() -> {
                    try {
                        onResult.accept(result);
                    } finally {
                        prefetched(key);
                    }
                });
            } catch (Exception | OutOfMemoryError e) {
                SwingUtilities.invokeLater(() -> prefetched(key));
                LOG.debug("prefetching {} failed", key, e);
            } finally {
                prefetchRunning.unlock();
            }
        });
    }

    /** Whether a prefetch with this key is pending. */
    boolean prefetching(Object key) {
        return prefetching.contains(key);
    }

    /**
     * Drops the prefetches that have not started and asks for those that {@code asks} makes with
     * {@link #prefetch}: only the newest wishes matter. {@link #whenPrefetched()} then waits for these.
     */
    void replacePrefetches(Runnable asks) {
        prefetcher.getQueue().clear();
        prefetching.clear();
        try {
            asks.run();
        } finally {
            releasePrefetchWaiters();
        }
    }

    /**
     * Drops the queued prefetches and makes a request in {@code lane} that reports back once no
     * prefetch runs any more, so that {@link #whenIdle()} does not complete while one still reads a
     * model that is being replaced. A prefetch that starts later asks its {@code stillWanted} first.
     */
    void retirePrefetches(Lane lane, String what) {
        replacePrefetches(() -> { });
        submit(lane, what, () -> {
            prefetchRunning.lock();
            prefetchRunning.unlock();
            return null;
        }, r -> { });
    }

    private void prefetched(Object key) {
        prefetching.remove(key);
        releasePrefetchWaiters();
    }

    private void releasePrefetchWaiters() {
        if (prefetching.isEmpty()) {
            List<CompletableFuture<Void>> done = new ArrayList<>(prefetchWaiters);
            prefetchWaiters.clear();
            done.forEach(f -> f.complete(null));
        }
    }

    /** Completes when the prefetches asked for last are done (or could not be); any thread may call it. */
    CompletableFuture<Void> whenPrefetched() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SwingUtilities.invokeLater(() -> {
            if (prefetching.isEmpty()) {
                f.complete(null);
            } else {
                prefetchWaiters.add(f);
            }
        });
        return f;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        prefetcher.shutdownNow();
    }
}
