package io.filterscope.visualize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The visualizer's own backward steps against finite differences of their forward steps: the image
 * parameterisation (inverse DFT, colour decorrelation, sigmoid) and the random placement. A wrong
 * adjoint would still move the image, just not uphill; these catch that without a model.
 */
class ChainRuleTest {

    @ParameterizedTest
    @CsvSource({"FOURIER, 3, 8, true", "FOURIER, 3, 9, true", "FOURIER, 1, 7, false", "PIXEL, 3, 6, true", "PIXEL, 1, 5, false"})
    void theParameterisationsBackwardIsTheDerivativeOfItsImage(VisualizeRequest.Parameterization kind, int channels, int size, boolean decorrelate) {
        ImageParameters p = new ImageParameters(kind, channels, size, decorrelate, new Random(3));
        Random r = new Random(4);
        // Larger variables than the start's, so the sigmoid is not near-linear.
        for (int i = 0; i < p.theta.length; i++) {
            p.theta[i] = r.nextGaussian() * 0.5;
        }
        double[] w = new double[channels * size * size];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        double[] image = p.image();
        double[] grad = p.backward(image, w);
        for (int k = 0; k < 12; k++) {
            int i = r.nextInt(p.theta.length);
            double keep = p.theta[i];
            double h = 1e-5;
            p.theta[i] = keep + h;
            double up = dot(w, p.image());
            p.theta[i] = keep - h;
            double down = dot(w, p.image());
            p.theta[i] = keep;
            double fd = (up - down) / (2 * h);
            assertEquals(fd, grad[i], 1e-6 + 1e-5 * Math.abs(fd), kind + " variable " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 10, 10, 10", "1, 12, 7, 9", "3, 9, 16, 16"})
    void thePlacementsBackwardIsItsAdjoint(int channels, int size, int height, int width) {
        Random r = new Random(5);
        VisualizeRequest.Transforms t = new VisualizeRequest.Transforms(2, 0.8, 1.2, 30, 0.5);
        for (int trial = 0; trial < 5; trial++) {
            Warp warp = Warp.random(t, channels, size, height, width, r);
            double[] x = random(r, channels * size * size);
            double[] y = random(r, channels * height * width);
            // apply(x) = A·x + pad·b; the adjoint satisfies <A·x, y> = <x, Aᵀ·y>.
            double[] ax = warp.apply(x);
            double[] pad = warp.apply(new double[x.length]);
            double left = 0;
            for (int i = 0; i < y.length; i++) {
                left += (ax[i] - pad[i]) * y[i];
            }
            double right = dot(x, warp.backward(y));
            assertEquals(left, right, 1e-9 * Math.max(1, Math.abs(left)));
        }
        double[] x = random(r, channels * size * size);
        double[] same = Warp.identity(channels, size, size, size, 0.5).apply(x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], same[i], 1e-12, "the identity placement at the image's own size");
        }
    }

    private static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
