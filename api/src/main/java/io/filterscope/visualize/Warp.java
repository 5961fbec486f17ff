package io.filterscope.visualize;

import java.util.Random;

/**
 * One random similarity transform (shift, scale, rotation about the centre) that samples the image
 * (channels × size × size) onto the model's input grid (height × width), bilinearly, with
 * {@code pad} wherever the sample falls outside the image; and its adjoint. With no shift, scale 1
 * and no rotation, and a grid the image's size, it is the identity.
 *
 * <p>Drawing a new transform each step is what Lucid calls transformation robustness: an image
 * that excites the target only at one exact placement (high-frequency noise) does not survive, one
 * that excites it wherever it lands does.
 */
final class Warp {
    private final int channels;
    private final int size;
    private final int height;
    private final int width;
    private final double pad;
    /** Per output pixel: the top-left source pixel (x, y) and the fractions, or NaN when outside. */
    private final double[] sx;
    private final double[] sy;

    private Warp(int channels, int size, int height, int width, double pad, double shiftX, double shiftY, double scale, double radians) {
        this.channels = channels;
        this.size = size;
        this.height = height;
        this.width = width;
        this.pad = pad;
        this.sx = new double[height * width];
        this.sy = new double[height * width];
        double centre = (size - 1) / 2.0;
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        // The whole grid covers the whole image (pixel centres matched), then scaled and rotated about the centre.
        double rx = size / (double) width;
        double ry = size / (double) height;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                double x = ((u + 0.5) * rx - 0.5 - centre) / scale;
                double y = ((v + 0.5) * ry - 0.5 - centre) / scale;
                sx[v * width + u] = cos * x - sin * y + centre + shiftX;
                sy[v * width + u] = sin * x + cos * y + centre + shiftY;
            }
        }
    }

    /** The identity placement: the image resized onto the grid, nothing moved. */
    static Warp identity(int channels, int size, int height, int width, double pad) {
        return new Warp(channels, size, height, width, pad, 0, 0, 1, 0);
    }

    /** A placement drawn from {@code t}: whole-pixel shifts, a scale and a rotation, each uniform in its range. */
    static Warp random(VisualizeRequest.Transforms t, int channels, int size, int height, int width, Random random) {
        int jx = t.jitter() == 0 ? 0 : random.nextInt(2 * t.jitter() + 1) - t.jitter();
        int jy = t.jitter() == 0 ? 0 : random.nextInt(2 * t.jitter() + 1) - t.jitter();
        double scale = t.minScale() + (t.maxScale() - t.minScale()) * random.nextDouble();
        double degrees = t.rotation() * (2 * random.nextDouble() - 1);
        return new Warp(channels, size, height, width, t.pad(), jx, jy, scale, Math.toRadians(degrees));
    }

    /** The model's view of the image: channels × height × width. */
    double[] apply(double[] image) {
        int plane = size * size;
        int out = height * width;
        double[] dst = new double[channels * out];
        for (int p = 0; p < out; p++) {
            double x = sx[p];
            double y = sy[p];
            int x0 = (int) Math.floor(x);
            int y0 = (int) Math.floor(y);
            double fx = x - x0;
            double fy = y - y0;
            for (int c = 0; c < channels; c++) {
                int at = c * plane;
                dst[c * out + p] = (1 - fy) * ((1 - fx) * pixel(image, at, x0, y0) + fx * pixel(image, at, x0 + 1, y0))
                        + fy * ((1 - fx) * pixel(image, at, x0, y0 + 1) + fx * pixel(image, at, x0 + 1, y0 + 1));
            }
        }
        return dst;
    }

    /** The adjoint: d / d image from d / d the model's view (the pad takes the rest). */
    double[] backward(double[] grad) {
        int plane = size * size;
        int out = height * width;
        double[] dst = new double[channels * plane];
        for (int p = 0; p < out; p++) {
            double x = sx[p];
            double y = sy[p];
            int x0 = (int) Math.floor(x);
            int y0 = (int) Math.floor(y);
            double fx = x - x0;
            double fy = y - y0;
            for (int c = 0; c < channels; c++) {
                double g = grad[c * out + p];
                int at = c * plane;
                spread(dst, at, x0, y0, g * (1 - fy) * (1 - fx));
                spread(dst, at, x0 + 1, y0, g * (1 - fy) * fx);
                spread(dst, at, x0, y0 + 1, g * fy * (1 - fx));
                spread(dst, at, x0 + 1, y0 + 1, g * fy * fx);
            }
        }
        return dst;
    }

    private double pixel(double[] image, int at, int x, int y) {
        return x < 0 || y < 0 || x >= size || y >= size ? pad : image[at + y * size + x];
    }

    private void spread(double[] dst, int at, int x, int y, double g) {
        if (x >= 0 && y >= 0 && x < size && y < size) {
            dst[at + y * size + x] += g;
        }
    }
}
