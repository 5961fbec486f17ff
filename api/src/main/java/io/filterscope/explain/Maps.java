package io.filterscope.explain;

/** Array arithmetic on planes and C × H × W blocks, shared by the methods. */
final class Maps {
    private Maps() {
    }

    /**
     * Bilinear resize of an {@code h × w} plane to {@code oh × ow} with half-pixel centres, source
     * coordinates clamped at 0 and the last row/column, as PyTorch's {@code align_corners=False}.
     */
    static float[] resize(float[] in, int h, int w, int oh, int ow) {
        float[] out = new float[oh * ow];
        double sh = (double) h / oh;
        double sw = (double) w / ow;
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        double[] fx = new double[ow];
        for (int x = 0; x < ow; x++) {
            double sx = Math.max(0, (x + 0.5) * sw - 0.5);
            x0[x] = Math.min((int) sx, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = sx - x0[x];
        }
        for (int y = 0; y < oh; y++) {
            double sy = Math.max(0, (y + 0.5) * sh - 0.5);
            int y0 = Math.min((int) sy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double top = (1 - fx[x]) * in[y0 * w + x0[x]] + fx[x] * in[y0 * w + x1[x]];
                double bottom = (1 - fx[x]) * in[y1 * w + x0[x]] + fx[x] * in[y1 * w + x1[x]];
                out[y * ow + x] = (float) ((1 - fy) * top + fy * bottom);
            }
        }
        return out;
    }

    /** {@code Σ_c weights[c] × maps[c]} over a C × H × W block, then ReLU. */
    static float[] weightedSumRelu(float[] maps, float[] weights, int plane) {
        float[] out = new float[plane];
        for (int c = 0; c < weights.length; c++) {
            float wc = weights[c];
            if (wc == 0) {
                continue;
            }
            int base = c * plane;
            for (int i = 0; i < plane; i++) {
                out[i] += wc * maps[base + i];
            }
        }
        relu(out);
        return out;
    }

    static void relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] > 0)) {
                v[i] = 0;
            }
        }
    }

    /** Softmax of one row, in doubles, subtracting the maximum first. */
    static double[] softmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double[] p = new double[row.length];
        double sum = 0;
        for (int i = 0; i < row.length; i++) {
            p[i] = Math.exp(row[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < row.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
