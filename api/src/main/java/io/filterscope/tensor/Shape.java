package io.filterscope.tensor;

import com.google.common.base.Preconditions;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The dimensions of a tensor, outermost first. A dimension the model leaves open (a dynamic batch,
 * a free image size) is {@link #UNKNOWN}.
 */
public final class Shape {
    /** Marks a dimension whose size is decided only when an input is given. */
    public static final long UNKNOWN = -1;

    private final long[] dims;

    private Shape(long[] dims) {
        for (long d : dims) {
            Preconditions.checkArgument(d >= 0 || d == UNKNOWN, "bad dimension %s in %s", d, Arrays.toString(dims));
        }
        this.dims = dims;
    }

    /** A shape with the given dimensions; {@link #UNKNOWN} (-1) marks a dynamic one. */
    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    /** A shape from int dimensions. */
    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }

    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code axis}; negative axes count from the end. */
    public long dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    public long[] toArray() {
        return dims.clone();
    }

    /** Whether every dimension is known. */
    public boolean isStatic() {
        return Arrays.stream(dims).noneMatch(d -> d == UNKNOWN);
    }

    /** The number of elements; fails when a dimension is unknown or the count does not fit an int. */
    public int size() {
        Preconditions.checkState(isStatic(), "shape %s has unknown dimensions", this);
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    /** Whether {@code concrete} fits this shape: same rank, equal where this one is known. */
    public boolean accepts(Shape concrete) {
        if (concrete.rank() != rank()) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != UNKNOWN && dims[i] != concrete.dims[i]) {
                return false;
            }
        }
        return true;
    }

    /** This shape with dimension {@code axis} replaced. */
    public Shape with(int axis, long size) {
        long[] copy = dims.clone();
        copy[axis < 0 ? dims.length + axis : axis] = size;
        return new Shape(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Dimensions joined by '×', unknown ones as '?', e.g. {@code 1×3×?×?}. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(d -> d == UNKNOWN ? "?" : Long.toString(d)).collect(Collectors.joining("×"));
    }
}
