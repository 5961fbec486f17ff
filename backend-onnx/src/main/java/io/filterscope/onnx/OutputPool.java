package io.filterscope.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.filterscope.tensor.Loan;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Output memory for captures, recycled: ONNX Runtime writes every captured map straight into direct
 * buffers given to the run as pinned outputs, and those buffers become the {@link Tensor}s handed
 * out, with no copy. Without this, each capture had ONNX Runtime allocate tens of MB of outputs and
 * FilterScope copy them to fresh heap arrays: two first-touches of the memory and a copy, which cost
 * more than the extra outputs themselves (docs/benchmarks.md).
 *
 * <p>A set of buffers (a {@link Slab}) serves one capture at a time. The tensors made from it share a
 * {@link Loan}; the slab comes back here when the loan is released ({@code Activations.close()}) or,
 * failing that, when the garbage collector finds the tensors unreachable. Tensors never expose
 * views of the buffers, so a slab in use again can only be seen through tensors whose reads now
 * fail. The buffers are ordinary direct buffers: memory is freed by the garbage collector once no
 * tensor refers to it, so closing the pool (with the model) can never free memory a tensor still
 * reads.
 */
final class OutputPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputPool.class);
    private static final Cleaner CLEANER = Cleaner.create();
    /** Free slabs kept per key: one in use by the caller, one being filled. */
    private static final int FREE_PER_KEY = 2;
    /** Keys (output sets × input shapes) remembered; the least recently used go first. */
    private static final int MAX_KEYS = 8;
    /**
     * Free memory kept for reuse, beyond the one slab last given back: a batch-32 capture of a large
     * model needs hundreds of MB, and an idle model should not hold several such.
     */
    private static final long MAX_FREE_BYTES = 256L << 20;

    /** Which outputs one capture writes, and the input shape they follow from. */
    record Key(Object outputs, List<Long> inputDims) {
    }

    /** One capture's worth of pinned outputs: a direct buffer per output, and ONNX Runtime's tensor over it. */
    static final class Slab {
        private final Map<String, ByteBuffer> buffers = new LinkedHashMap<>();
        private final Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
        private final Map<String, Shape> shapes = new LinkedHashMap<>();

        Map<String, OnnxTensor> pinned() {
            return pinned;
        }

        long bytes() {
            return buffers.values().stream().mapToLong(ByteBuffer::capacity).sum();
        }

        void close() {
            pinned.values().forEach(OnnxTensor::close);   // the OrtValues only: the buffers are Java's, freed by the GC
        }
    }

    private final OrtEnvironment env;
    private final Map<Key, Deque<Slab>> free = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    OutputPool(OrtEnvironment env) {
        this.env = env;
    }

    /** A slab for {@code key} with a buffer for each of {@code shapes}: a free one, or a new one. */
    Slab take(Key key, Map<String, Shape> shapes) throws OrtException {
        synchronized (this) {
            Deque<Slab> d = free.get(key);
            Slab s = d == null ? null : d.poll();
            if (s != null) {
                return s;
            }
        }
        Slab s = new Slab();
        try {
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(e.getValue().size(), Float.BYTES)).order(ByteOrder.nativeOrder());
                s.buffers.put(e.getKey(), b);
                s.shapes.put(e.getKey(), e.getValue());
                s.pinned.put(e.getKey(), OnnxTensor.createTensor(env, b.asFloatBuffer(), e.getValue().toArray()));
            }
        } catch (OrtException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * Tensors over the slab's buffers, for after the run that filled them, sharing one loan that
     * gives the slab back to {@code key} when released or unreachable.
     */
    Map<String, Tensor> lend(Key key, Slab slab) {
        GiveBack back = new GiveBack(this, key, slab);
        Loan loan = new Loan(back);
        CLEANER.register(loan, back);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, ByteBuffer> e : slab.buffers.entrySet()) {
            FloatBuffer values = e.getValue().duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
            out.put(e.getKey(), Tensor.lent(slab.shapes.get(e.getKey()), values, loan));
        }
        return out;
    }

    /**
     * Back into the pool, unless the pool is closed or already keeps enough for that key; then the
     * OrtValues close and the buffers are left to the garbage collector. The slab just given back
     * is always kept over the others: a loop of large captures reuses its memory; older free slabs
     * go when the pool holds more than {@link #MAX_FREE_BYTES}.
     */
    void giveBack(Key key, Slab slab) {
        List<Slab> dropped = new ArrayList<>();
        synchronized (this) {
            Deque<Slab> d = closed ? null : free.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (d == null || d.size() >= FREE_PER_KEY) {
                dropped.add(slab);
            } else {
                d.push(slab);
                if (freeBytes() > MAX_FREE_BYTES) {
                    for (Deque<Slab> q : free.values()) {
                        q.stream().filter(s -> s != slab).forEach(dropped::add);
                        q.removeIf(s -> s != slab);
                    }
                }
                while (free.size() > MAX_KEYS) {
                    var eldest = free.entrySet().iterator().next();
                    free.remove(eldest.getKey());
                    dropped.addAll(eldest.getValue());
                }
            }
        }
        dropped.forEach(Slab::close);
    }

    private long freeBytes() {
        return free.values().stream().flatMap(Deque::stream).mapToLong(Slab::bytes).sum();
    }

    /** How many slabs are free now; for tests. */
    synchronized int freeSlabs() {
        return free.values().stream().mapToInt(Deque::size).sum();
    }

    @Override
    public void close() {
        List<Slab> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            free.values().forEach(toClose::addAll);
            free.clear();
        }
        toClose.forEach(Slab::close);
    }

    /** Runs once, on release or when the loan is unreachable; holds no reference to the loan. */
    private static final class GiveBack implements Runnable {
        private final OutputPool pool;
        private final Key key;
        private final Slab slab;
        private final AtomicBoolean done = new AtomicBoolean();

        GiveBack(OutputPool pool, Key key, Slab slab) {
            this.pool = pool;
            this.key = key;
            this.slab = slab;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                try {
                    pool.giveBack(key, slab);
                } catch (RuntimeException e) {
                    LOG.debug("giving capture memory back failed", e);
                }
            }
        }
    }
}
