package io.filterscope.examples;

/**
 * A rectangle of the model's input, half-open: rows {@code y0 ≤ y < y1}, columns {@code x0 ≤ x < x1},
 * in the coordinates of the preprocessed input tensor (after resizing and cropping).
 */
public record Patch(int y0, int x0, int y1, int x1) {
    public Patch {
        if (y1 < y0 || x1 < x0) {
            throw new IllegalArgumentException("empty patch " + y0 + "," + x0 + "," + y1 + "," + x1);
        }
    }

    public int height() {
        return y1 - y0;
    }

    public int width() {
        return x1 - x0;
    }

    /** As {@code [y0, x0, y1, x1]}, the form index.json uses. */
    public int[] toArray() {
        return new int[] {y0, x0, y1, x1};
    }
}
