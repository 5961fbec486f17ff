package io.filterscope.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.Activations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Tensors over lent memory: readable and immutable while the loan lasts, unreadable after it. */
class LentTensorTest {
    private static FloatBuffer direct(float... values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(values).rewind();
        return b;
    }

    @Test
    void whileLentItReadsAndComparesLikeAnOwnedTensor() {
        float[] v = {1, 2, 3, 4, 5, 6};
        Tensor lent = Tensor.lent(Shape.of(2, 3), direct(v), new Loan(() -> { }));
        Tensor owned = Tensor.of(Shape.of(2, 3), v);
        assertEquals(owned, lent);
        assertEquals(lent, owned);
        assertEquals(owned.hashCode(), lent.hashCode());
        assertEquals(6f, lent.get(1, 2));
        assertArrayEquals(v, lent.toArray());
        assertEquals(Tensor.of(Shape.of(3), new float[] {4, 5, 6}), lent.slice(1));
        assertEquals(owned.transpose(1, 0), lent.transpose(1, 0));
    }

    @Test
    void itsBufferIsACopyThatNoLaterWriteReaches() {
        FloatBuffer memory = direct(1, 2, 3);
        Tensor lent = Tensor.lent(Shape.of(3), memory, new Loan(() -> { }));
        FloatBuffer seen = lent.buffer();
        memory.put(0, 9f);   // what a backend does after the loan ended
        assertEquals(1f, seen.get(0));
        assertTrue(seen.isReadOnly());
    }

    @Test
    void releasingEndsEveryReadOfEveryTensorOnTheLoanAndGivesBackOnce() {
        AtomicInteger givenBack = new AtomicInteger();
        Loan loan = new Loan(givenBack::incrementAndGet);
        Tensor a = Tensor.lent(Shape.of(2, 2), direct(1, 2, 3, 4), loan);
        Tensor b = Tensor.lent(Shape.of(1), direct(7), loan);
        Tensor slice = a.slice(0);
        Tensor reshaped = a.reshape(Shape.of(4));
        Tensor copy = Tensor.of(a.shape(), a.toArray());
        Tensor transposed = a.transpose(1, 0);
        new Activations(List.of(), b).close();
        new Activations(List.of(), a).close();
        assertEquals(1, givenBack.get(), "given back once");
        for (Tensor t : List.of(a, b, slice, reshaped)) {
            assertFalse(t.isReadable());
            assertThrows(IllegalStateException.class, () -> t.get(0));
            assertThrows(IllegalStateException.class, t::toArray);
            assertThrows(IllegalStateException.class, t::buffer);
            assertThrows(IllegalStateException.class, () -> t.copyTo(0, new float[1], 0, 1));
            assertThrows(IllegalStateException.class, t::hashCode);
            assertThrows(IllegalStateException.class, () -> t.equals(Tensor.zeros(t.shape())));
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, copy.toArray(), "copies owe nothing to the loan");
        assertArrayEquals(new float[] {1, 3, 2, 4}, transposed.toArray());
        assertTrue(copy.isReadable());
    }

    @Test
    void aReadThatOverlapsTheReleaseNeverReturnsTheNextWritersValues() throws Exception {
        int n = 1 << 16;
        FloatBuffer memory = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            memory.put(i, 1f);
        }
        Loan loan = new Loan(() -> { });
        Tensor t = Tensor.lent(Shape.of(n), memory, loan);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    float[] a = t.toArray();
                    reads.incrementAndGet();
                    for (float f : a) {
                        if (f != 1f) {
                            wrong.set("a read returned " + f + " after the memory was reused");
                            return;
                        }
                    }
                } catch (IllegalStateException expected) {
                    return;
                }
            }
        });
        reader.start();
        while (reads.get() < 3) {
            Thread.onSpinWait();
        }
        loan.release();
        // The backend's next capture writes into the memory now.
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < n; i++) {
                memory.put(i, 2f);
            }
        }
        stop.set(true);
        reader.join(10_000);
        assertEquals(null, wrong.get());
        assertThrows(IllegalStateException.class, t::toArray);
    }
}
