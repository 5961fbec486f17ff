package io.filterscope.tensor;

import com.google.common.base.Preconditions;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * An immutable dense float32 tensor in C (row-major) order. The values are owned by the tensor:
 * factories copy what they are given unless the name says otherwise, and readers get copies or
 * read-only views, so a tensor handed out by a model can be shared freely. Values live in a
 * {@link FloatBuffer} so a backend can hand over the buffer its runtime filled without another copy.
 *
 * <p>Tensors are values: two are {@link #equals equal} when their shapes are equal and their values
 * are equal element by element, compared as {@link Float#equals} does (NaN equals NaN, and 0.0 and
 * -0.0 differ). Comparing or hashing reads every value.
 *
 * <p>A backend may {@link #lent lend} a tensor memory it recycles (ONNX Runtime writes the next
 * capture's maps into it). Such a tensor is immutable for as long as it can be read at all: once
 * its {@link Loan} is released ({@link #release()}, or closing the {@code Activations} holding it)
 * every read throws {@link IllegalStateException} instead. Copies ({@link #toArray()},
 * {@link #transpose}, {@link #of}) are independent of any loan; {@link #reshape} and {@link #slice}
 * share it.
 */
public final class Tensor {
    private final Shape shape;
    private final FloatBuffer data;
    /** The loan {@code data} lives under, or null when the tensor owns its values outright. */
    private final Loan loan;

    private Tensor(Shape shape, FloatBuffer data, Loan loan) {
        Preconditions.checkArgument(shape.isStatic(), "tensor shape must be fully known, got %s", shape);
        Preconditions.checkArgument(shape.size() == data.capacity(),
                "shape %s needs %s values, got %s", shape, shape.size(), data.capacity());
        this.shape = shape;
        this.data = data.isReadOnly() ? data : data.asReadOnlyBuffer();
        this.loan = loan;
    }

    private Tensor(Shape shape, FloatBuffer data) {
        this(shape, data, null);
    }

    private Tensor(Shape shape, float[] data) {
        this(shape, FloatBuffer.wrap(data));
    }

    /** A tensor holding a copy of {@code data}. */
    public static Tensor of(Shape shape, float[] data) {
        return new Tensor(shape, data.clone());
    }

    /**
     * A tensor that takes ownership of {@code data} without copying; the caller must not touch the
     * array afterwards. For backends and decoders that just allocated it.
     */
    public static Tensor wrap(Shape shape, float[] data) {
        return new Tensor(shape, data);
    }

    /**
     * A tensor that takes ownership of {@code values} (position 0, capacity = element count)
     * without copying; the caller must not write to the buffer afterwards.
     */
    public static Tensor wrap(Shape shape, FloatBuffer values) {
        Preconditions.checkArgument(values.position() == 0 && values.limit() == values.capacity(),
                "buffer must span its whole capacity");
        return new Tensor(shape, values);
    }

    /**
     * A tensor over memory lent under {@code loan} (position 0, capacity = element count), without
     * copying: readable until the loan is released, then every read throws. The caller must not write
     * to the buffer while the loan lasts, nor hand out other views of it. For backends that recycle
     * output memory.
     */
    public static Tensor lent(Shape shape, FloatBuffer values, Loan loan) {
        Preconditions.checkArgument(values.position() == 0 && values.limit() == values.capacity(),
                "buffer must span its whole capacity");
        return new Tensor(shape, values, java.util.Objects.requireNonNull(loan, "loan"));
    }

    /**
     * Gives lent memory back to the model that lent it, for its next capture: this tensor and every
     * tensor sharing its loan (the rest of the capture, their slices and reshapes) can no longer be
     * read. Does nothing for a tensor that owns its values. Never needed: unreachable lent tensors
     * are given back by the garbage collector; releasing early lets the next capture reuse the
     * memory at once.
     */
    public void release() {
        if (loan != null) {
            loan.release();
        }
    }

    /** Whether the values can be read: always, unless the tensor was {@link #lent} and its loan released. */
    public boolean isReadable() {
        return loan == null || !loan.isReleased();
    }

    /** A tensor of zeros. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.size()]);
    }

    public Shape shape() {
        return shape;
    }

    public int size() {
        return data.capacity();
    }

    /** The element at flat (C-order) index {@code i}. */
    public float get(int i) {
        if (loan == null) {
            return data.get(i);
        }
        long stamp = loan.begin();
        float v = data.get(i);
        loan.end(stamp);
        return v;
    }

    /** The element at the given coordinates. */
    public float get(int... index) {
        return get(flatIndex(index));
    }

    /** A copy of the values in C order. */
    public float[] toArray() {
        float[] out = new float[data.capacity()];
        copyTo(0, out, 0, out.length);
        return out;
    }

    /**
     * The values in C order, read-only: a view, or for a {@link #lent} tensor a copy (a view would
     * outlive the loan).
     */
    public FloatBuffer buffer() {
        return loan == null ? data.duplicate() : FloatBuffer.wrap(toArray()).asReadOnlyBuffer();
    }

    /** Copies {@code length} values starting at flat index {@code from} into {@code dst} at {@code at}. */
    public void copyTo(int from, float[] dst, int at, int length) {
        if (loan == null) {
            data.get(from, dst, at, length);
            return;
        }
        long stamp = loan.begin();
        data.get(from, dst, at, length);
        loan.end(stamp);
    }

    /** The same values under another shape with the same element count (sharing a loan, if any). */
    public Tensor reshape(Shape newShape) {
        return new Tensor(newShape, data, loan);
    }

    /**
     * The {@code i}-th slice along the first axis, e.g. one image of a batch: shape without the
     * first dimension.
     */
    public Tensor slice(int i) {
        Preconditions.checkArgument(shape.rank() >= 1, "cannot slice a scalar");
        Preconditions.checkElementIndex(i, (int) shape.dim(0), "index along the first axis");
        int n = data.capacity() / (int) shape.dim(0);
        long[] rest = Arrays.copyOfRange(shape.toArray(), 1, shape.rank());
        return new Tensor(Shape.of(rest), data.slice(i * n, n), loan);
    }

    /** Reorders the axes: output axis {@code k} is input axis {@code perm[k]}. */
    public Tensor transpose(int... perm) {
        int rank = shape.rank();
        Preconditions.checkArgument(perm.length == rank, "permutation %s does not fit rank %s", Arrays.toString(perm), rank);
        long[] inDims = shape.toArray();
        long[] outDims = new long[rank];
        for (int k = 0; k < rank; k++) {
            outDims[k] = inDims[perm[k]];
        }
        int[] inStrides = strides(inDims);
        float[] out = new float[data.capacity()];
        float[] in = toArray();
        int[] idx = new int[rank];
        for (int o = 0; o < out.length; o++) {
            int src = 0;
            for (int k = 0; k < rank; k++) {
                src += idx[k] * inStrides[perm[k]];
            }
            out[o] = in[src];
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < outDims[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return new Tensor(Shape.of(outDims), out);
    }

    private int flatIndex(int[] index) {
        Preconditions.checkArgument(index.length == shape.rank(), "index rank %s != tensor rank %s", index.length, shape.rank());
        int flat = 0;
        for (int k = 0; k < index.length; k++) {
            Preconditions.checkElementIndex(index[k], (int) shape.dim(k));
            flat = flat * (int) shape.dim(k) + index[k];
        }
        return flat;
    }

    private static int[] strides(long[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int k = dims.length - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= (int) dims[k];
        }
        return s;
    }

    /** Equal shapes and bit-for-bit equal values (as {@link Float#equals}); see the class comment. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Tensor t) || !shape.equals(t.shape)) {
            return false;
        }
        if (loan != null || t.loan != null) {
            return Arrays.equals(toArray(), t.toArray());   // Arrays.equals compares as Float.equals does
        }
        int n = data.capacity();
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(data.get(i)) != Float.floatToIntBits(t.data.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Consistent with {@link #equals}: the shape and every value. */
    @Override
    public int hashCode() {
        int h = shape.hashCode();
        FloatBuffer values = loan == null ? data : FloatBuffer.wrap(toArray());
        int n = values.capacity();
        for (int i = 0; i < n; i++) {
            h = 31 * h + Float.floatToIntBits(values.get(i));
        }
        return h;
    }

    @Override
    public String toString() {
        return "Tensor[" + shape + "]";
    }
}
