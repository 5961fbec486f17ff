package io.filterscope.dl4j;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one thread that runs a model's forward passes, whichever threads ask for them.
 *
 * <p>Why: ND4J keeps workspaces per thread, and a pass made its native arrays through malloc on the
 * calling thread. A model used from 8 threads then held 8 sets of workspaces, and glibc gave each
 * thread its own malloc arena, whose freed blocks it keeps: resident memory grew for thousands of
 * captures, and what a finished thread held came back only when the garbage collector found its
 * workspaces. Passes are serialised on the network anyway (its layers keep per-call state), so
 * running them all on one thread costs no parallelism; its workspaces are reused capture after
 * capture, and are destroyed on this thread when it ends: when the model is closed, or after
 * {@link #IDLE_SECONDS} without work (the next call starts a new thread).
 */
final class CaptureThread {
    /** How long the thread, and the capture's worth of native memory its workspaces hold, outlives its last call. */
    static final long IDLE_SECONDS = 30;

    private final ThreadPoolExecutor pool;

    CaptureThread(String name) {
        pool = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), work -> {
            Thread t = new Thread(() -> {
                try {
                    work.run();
                } finally {
                    // The pool's worker is done (idle, or the model closed): free its workspaces now,
                    // not when the collector finds the thread's ThreadLocal map.
                    Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
                }
            }, "filterscope-dl4j " + name);
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code work} on this thread and returns its result; what it throws is thrown here. The
     * caller waits without being interruptible, as a pass in DL4J is not; its interrupt status is
     * kept.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close()}
     */
    <T> T call(Supplier<T> work) {
        Future<T> result = pool.submit(work::get);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Native memory the thread's workspaces hold, and the bytes allocated outside them in their
     * last cycle (spilled or pinned: what a pass made that did not fit), for tests.
     */
    record Usage(long workspaceBytes, long outsideBytes, List<String> workspaces) {
    }

    /** What the thread holds now; starts it when idle (then it holds nothing). */
    Usage usage() {
        return call(() -> {
            long size = 0;
            long outside = 0;
            List<MemoryWorkspace> all = Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread();
            for (MemoryWorkspace w : all) {
                size += w.getCurrentSize();
                if (w instanceof Nd4jWorkspace n) {
                    outside += n.getSpilledSize() + n.getPinnedSize();
                }
            }
            return new Usage(size, outside, all.stream().map(MemoryWorkspace::getId).sorted().toList());
        });
    }

    /**
     * Lets calls already asked for finish, then waits for the thread to end, which frees its
     * workspaces. The network must not be closed before: a pass still running would use it.
     */
    void close() {
        pool.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the thread has ended after {@link #close()}. */
    boolean isTerminated() {
        return pool.isTerminated();
    }
}
