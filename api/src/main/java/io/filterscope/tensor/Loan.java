package io.filterscope.tensor;

import java.util.concurrent.locks.StampedLock;

/**
 * Memory a backend lends to tensors until it is given back, so the next capture can write into it
 * instead of allocating tens of MB afresh. Tensors made with {@link Tensor#lent} over the memory
 * share one loan; {@link #release()} (through {@link Tensor#release()} or closing the
 * {@code Activations} that hold them) ends it, and a backend should also end it when the last such
 * tensor becomes unreachable.
 *
 * <p>After the release no read through those tensors can succeed: every read checks the loan
 * before and validates it after, so a read that overlaps a release throws instead of returning
 * values the next capture may be writing ({@link IllegalStateException}). The values never leave the tensors as views (a lent
 * tensor's {@link Tensor#buffer()} is a copy), so nothing else can see the memory change.
 */
public final class Loan {
    private final StampedLock lock = new StampedLock();
    private final Runnable giveBack;
    private volatile boolean released;

    /**
     * A loan that runs {@code giveBack} once, when it is released; {@code giveBack} must not refer to
     * the loan (a backend registers the same action with a {@link java.lang.ref.Cleaner} on it).
     */
    public Loan(Runnable giveBack) {
        this.giveBack = giveBack;
    }

    /** Whether the memory was given back; a released loan's tensors can no longer be read. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Gives the memory back. Waits for no reader: a read in progress fails when it validates. Runs
     * the give-back action the first time only.
     */
    public void release() {
        long stamp = lock.writeLock();
        boolean first;
        try {
            first = !released;
            released = true;
        } finally {
            lock.unlockWrite(stamp);
        }
        if (first) {
            giveBack.run();
        }
    }

    /** Starts a read; throws when the loan has ended. */
    long begin() {
        long stamp = lock.tryOptimisticRead();
        if (stamp == 0 || released) {
            throw ended();
        }
        return stamp;
    }

    /** Ends a read begun at {@code stamp}; throws when the loan ended meanwhile (what was read may be torn). */
    void end(long stamp) {
        if (!lock.validate(stamp)) {
            throw ended();
        }
    }

    private static IllegalStateException ended() {
        return new IllegalStateException(
                "these feature maps were released (Activations.close or Tensor.release) and their memory reused; copy them (toArray) before releasing");
    }
}
