package io.filterscope.render;

import com.google.common.base.Preconditions;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;

/** Heatmaps (saliency, class activation maps) laid over the image they explain. */
public final class Heatmaps {
    private Heatmaps() {
    }

    /**
     * {@code image} with {@code heatmap} coloured by {@code cmap} blended over it:
     * {@code (1 − alpha) × image + alpha × colour}. The heatmap, {@code H × W} values in [0, 1]
     * (leading dimensions of size 1 are accepted, values outside are clamped, NaN counts as 0), is
     * resized to the image bilinearly with pixel centres aligned (as {@code align_corners=False}
     * interpolation does), so a coarse 7×7 map lands where its cells belong rather than shifted by
     * half a cell.
     *
     * @param alpha weight of the heatmap, 0 (image only) to 1 (heatmap only)
     * @throws FilterScopeException when the heatmap is not two-dimensional
     */
    public static BufferedImage overlay(BufferedImage image, Tensor heatmap, Colormap cmap, float alpha) {
        Preconditions.checkArgument(alpha >= 0 && alpha <= 1, "alpha must be in [0, 1], got %s", alpha);
        Shape s = heatmap.shape();
        int rank = s.rank();
        for (int k = 0; k < rank - 2; k++) {
            if (s.dim(k) != 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "heatmap of shape " + s + " is not H×W; give one two-dimensional map");
            }
        }
        if (rank < 2) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "heatmap of shape " + s + " is not H×W; give one two-dimensional map");
        }
        int mh = (int) s.dim(rank - 2);
        int mw = (int) s.dim(rank - 1);
        if (mh == 0 || mw == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "heatmap of shape " + s + " is empty");
        }
        float[] m = heatmap.toArray();
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            double sy = clamp((y + 0.5) * mh / h - 0.5, 0, mh - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, mh - 1);
            double fy = sy - y0;
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                double sx = clamp((x + 0.5) * mw / w - 0.5, 0, mw - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, mw - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * value(m, y0 * mw + x0) + fx * value(m, y0 * mw + x1))
                        + fy * ((1 - fx) * value(m, y1 * mw + x0) + fx * value(m, y1 * mw + x1));
                int c = cmap.rgb(v);
                int p = row[x];
                row[x] = blend(p >> 16 & 0xff, c >> 16 & 0xff, alpha) << 16
                        | blend(p >> 8 & 0xff, c >> 8 & 0xff, alpha) << 8
                        | blend(p & 0xff, c & 0xff, alpha);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static double value(float[] m, int i) {
        float v = m[i];
        return Float.isNaN(v) ? 0 : v;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int blend(int under, int over, float alpha) {
        return Math.round((1 - alpha) * under + alpha * over);
    }
}
