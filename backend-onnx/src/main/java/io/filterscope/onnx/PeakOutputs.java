package io.filterscope.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Output buffers for runs of a {@link PeakGraph}, which ONNX Runtime writes in place (pinned
 * outputs): made once per peak graph and batch size and reused run after run. Copying the outputs
 * out instead made about 100 KB of garbage per batch on the bundled model, and with it collections
 * that fell on the examples loop (docs/benchmarks.md). Safe for several threads: each run takes a
 * set of its own.
 */
final class PeakOutputs implements AutoCloseable {
    /** Sets kept per key for reuse; more only while that many runs go on at once. */
    private static final int KEPT = 2;

    /** Which peak graph ({@code graph}, any value with equality) and batch size a set is for. */
    record Key(Object graph, long items, long channels) {
    }

    /** One run's output buffers and the tensors over them. */
    static final class Slot implements AutoCloseable {
        final Key key;
        final FloatBuffer max;
        final FloatBuffer mean;
        final LongBuffer argmax;
        final LongBuffer shape;
        final Map<String, OnnxTensor> pinned;

        private Slot(OrtEnvironment env, Key key) throws OrtException {
            this.key = key;
            int count = Math.toIntExact(Math.multiplyExact(key.items(), key.channels()));
            max = floats(count);
            mean = floats(count);
            argmax = longs(count);
            shape = longs(4);
            Map<String, OnnxTensor> t = new HashMap<>();
            try {
                t.put(PeakGraph.MAX, OnnxTensor.createTensor(env, max, new long[] {key.items(), key.channels(), 1, 1}));
                t.put(PeakGraph.MEAN, OnnxTensor.createTensor(env, mean, new long[] {key.items(), key.channels(), 1, 1}));
                t.put(PeakGraph.ARGMAX, OnnxTensor.createTensor(env, argmax, new long[] {key.items(), key.channels()}));
                t.put(PeakGraph.SHAPE, OnnxTensor.createTensor(env, shape, new long[] {4}));
            } catch (OrtException | RuntimeException e) {
                t.values().forEach(OnnxTensor::close);
                throw e;
            }
            pinned = Map.copyOf(t);
        }

        private static FloatBuffer floats(int n) {
            return ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        private static LongBuffer longs(int n) {
            return ByteBuffer.allocateDirect(Math.multiplyExact(n, Long.BYTES)).order(ByteOrder.nativeOrder()).asLongBuffer();
        }

        /** The floats of {@code b}, from its start. */
        static float[] read(FloatBuffer b) {
            float[] out = new float[b.capacity()];
            b.get(0, out);
            return out;
        }

        /** The longs of {@code b}, from its start. */
        static long[] read(LongBuffer b) {
            long[] out = new long[b.capacity()];
            b.get(0, out);
            return out;
        }

        @Override
        public void close() {
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    private final OrtEnvironment env;
    private final Map<Key, Deque<Slot>> free = new HashMap<>();
    private boolean closed;

    PeakOutputs(OrtEnvironment env) {
        this.env = env;
    }

    /** A set for {@code key}: a free one, or a new one. */
    Slot take(Key key) throws OrtException {
        synchronized (this) {
            Deque<Slot> q = free.get(key);
            if (q != null && !q.isEmpty()) {
                return q.pop();
            }
        }
        return new Slot(env, key);
    }

    /** Hands a set back after its run: kept for the next run, or closed when enough are kept. */
    void giveBack(Slot slot) {
        synchronized (this) {
            if (!closed) {
                Deque<Slot> q = free.computeIfAbsent(slot.key, k -> new ArrayDeque<>());
                if (q.size() < KEPT) {
                    q.push(slot);
                    return;
                }
            }
        }
        slot.close();
    }

    /** How many sets wait for reuse; for tests. */
    synchronized int freeSlots() {
        return free.values().stream().mapToInt(Deque::size).sum();
    }

    @Override
    public synchronized void close() {
        closed = true;
        free.values().forEach(q -> q.forEach(Slot::close));
        free.clear();
    }
}
