package io.filterscope.preprocess;

/**
 * Bilinear resizing that reproduces Pillow's {@code Image.resize(size, BILINEAR)} (Resample.c):
 * a separable filter whose support widens by the shrink factor, so downscaling averages every source
 * pixel (antialiasing) instead of sampling a few; horizontal pass first, then vertical. For 8-bit
 * data it uses Pillow's 22-bit fixed-point weights and rounds to 8 bits after each pass, as Pillow
 * does, so the result matches Pillow (and torchvision on PIL images) exactly; other data is filtered
 * in floating point like Pillow's 'F' mode.
 */
final class Resampler {
    /** Pillow's PRECISION_BITS: 32 − 8 (pixel) − 2 (headroom for negative weights of other filters). */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {
    }

    static Planes resize(Planes in, int outW, int outH) {
        if (outW == in.width() && outH == in.height()) {
            return in;
        }
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("cannot resize to " + outW + "×" + outH);
        }
        float[][] out = new float[in.channels()][];
        Coefficients horizontal = Coefficients.of(in.width(), outW);
        Coefficients vertical = Coefficients.of(in.height(), outH);
        for (int c = 0; c < in.channels(); c++) {
            float[] plane = in.data()[c];
            int w = in.width();
            if (outW != w) {
                plane = in.eightBit() ? horizontal8(plane, w, in.height(), horizontal) : horizontalF(plane, w, in.height(), horizontal);
                w = outW;
            }
            if (outH != in.height()) {
                plane = in.eightBit() ? vertical8(plane, w, in.height(), vertical) : verticalF(plane, w, in.height(), vertical);
            }
            out[c] = plane;
        }
        return new Planes(outW, outH, out, in.eightBit());
    }

    /** Filter weights for one axis: for each output index, a first source index and its weights. */
    private record Coefficients(int[] start, int[] count, double[][] weights, int[][] fixed) {

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale; // the bilinear (triangle) filter has support 1
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            double[][] weights = new double[outSize][];
            int[][] fixed = new int[outSize][];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                // (int) truncates toward zero as C's cast does; Pillow rounds with +0.5 this way.
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double[] k = new double[xmax];
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                int[] kf = new int[xmax];
                for (int x = 0; x < xmax; x++) {
                    if (ww != 0.0) {
                        k[x] /= ww;
                    }
                    kf[x] = k[x] < 0 ? (int) (-0.5 + k[x] * (1 << PRECISION_BITS)) : (int) (0.5 + k[x] * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = xmax;
                weights[xx] = k;
                fixed[xx] = kf;
            }
            return new Coefficients(start, count, weights, fixed);
        }

        private static double triangle(double x) {
            double a = Math.abs(x);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }

    private static float clip8(int v) {
        int s = v >> PRECISION_BITS;
        return s < 0 ? 0 : Math.min(s, 255);
    }

    private static float[] horizontal8(float[] in, int w, int h, Coefficients k) {
        int outW = k.start.length;
        float[] out = new float[outW * h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int xx = 0; xx < outW; xx++) {
                int[] kf = k.fixed[xx];
                int xmin = k.start[xx];
                int ss = 1 << (PRECISION_BITS - 1);
                for (int x = 0; x < kf.length; x++) {
                    ss += (int) in[row + xmin + x] * kf[x];
                }
                out[y * outW + xx] = clip8(ss);
            }
        }
        return out;
    }

    private static float[] vertical8(float[] in, int w, int h, Coefficients k) {
        int outH = k.start.length;
        float[] out = new float[w * outH];
        for (int yy = 0; yy < outH; yy++) {
            int[] kf = k.fixed[yy];
            int ymin = k.start[yy];
            for (int x = 0; x < w; x++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < kf.length; y++) {
                    ss += (int) in[(ymin + y) * w + x] * kf[y];
                }
                out[yy * w + x] = clip8(ss);
            }
        }
        return out;
    }

    private static float[] horizontalF(float[] in, int w, int h, Coefficients k) {
        int outW = k.start.length;
        float[] out = new float[outW * h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int xx = 0; xx < outW; xx++) {
                double[] kd = k.weights[xx];
                int xmin = k.start[xx];
                double ss = 0;
                for (int x = 0; x < kd.length; x++) {
                    ss += in[row + xmin + x] * kd[x];
                }
                out[y * outW + xx] = (float) ss;
            }
        }
        return out;
    }

    private static float[] verticalF(float[] in, int w, int h, Coefficients k) {
        int outH = k.start.length;
        float[] out = new float[w * outH];
        for (int yy = 0; yy < outH; yy++) {
            double[] kd = k.weights[yy];
            int ymin = k.start[yy];
            for (int x = 0; x < w; x++) {
                double ss = 0;
                for (int y = 0; y < kd.length; y++) {
                    ss += in[(ymin + y) * w + x] * kd[y];
                }
                out[yy * w + x] = (float) ss;
            }
        }
        return out;
    }
}
