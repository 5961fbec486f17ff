package io.filterscope.visualize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Fourier parameterisation's FFTs (JTransforms) against the direct DFT they replaced (kept here,
 * as it was, as the reference): the same image
 * from the same variables, the same adjoint, for even, odd and tiny sizes, and the same images
 * along a seeded gradient-ascent run.
 */
class FourierParameterisationTest {
    private static final double MAGIC = 4.0;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 16, 28, 31, 64, 224})
    void theFftImageAndItsAdjointEqualTheDirectDft(int size) {
        ImageParameters p = new ImageParameters(VisualizeRequest.Parameterization.FOURIER, 3, size, true, new Random(11));
        Random r = new Random(size);
        for (int i = 0; i < p.theta.length; i++) {
            p.theta[i] = r.nextGaussian() * 0.5;
        }
        double[] fft = p.linear();
        double[] direct = directInverse(p.theta, 3, size);
        assertClose(direct, fft, 1e-10, "image at " + size);

        double[] g = new double[3 * size * size];
        for (int i = 0; i < g.length; i++) {
            g[i] = r.nextGaussian();
        }
        assertClose(directAdjoint(g, 3, size), p.linearBackward(g), 1e-10, "adjoint at " + size);
    }

    @Test
    void aSeededRunGivesTheSameImagesAsWithTheDirectDft() {
        int size = 96;
        int steps = 25;
        // The FFT's parameters, seeded as the visualizer seeds them, and the reference's copy of the same start.
        ImageParameters fft = new ImageParameters(VisualizeRequest.Parameterization.FOURIER, 3, size, true, new Random(7));
        double[] theta = fft.theta.clone();
        // The reference: the direct DFT's output as the pixels of a pixel parameterisation, which adds the same colour mix and sigmoid.
        ImageParameters mixer = new ImageParameters(VisualizeRequest.Parameterization.PIXEL, 3, size, true, new Random(0));
        Random r = new Random(8);
        double[] w = new double[3 * size * size];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        double[] m1 = new double[theta.length];
        double[] v1 = new double[theta.length];
        double[] m2 = new double[theta.length];
        double[] v2 = new double[theta.length];
        for (int step = 1; step <= steps; step++) {
            double[] a = fft.image();
            System.arraycopy(directInverse(theta, 3, size), 0, mixer.theta, 0, mixer.theta.length);
            double[] b = mixer.image();
            assertClose(b, a, 1e-9, "image at step " + step);
            // Objective Σ w · image²: its gradient depends on the image, so differences would grow along the run.
            double[] ga = new double[a.length];
            double[] gb = new double[b.length];
            for (int i = 0; i < a.length; i++) {
                ga[i] = 2 * w[i] * a[i];
                gb[i] = 2 * w[i] * b[i];
            }
            adam(fft.theta, fft.backward(a, ga), m1, v1, step);
            adam(theta, directAdjoint(mixer.backward(b, gb), 3, size), m2, v2, step);
        }
        double[] last = fft.image();
        System.arraycopy(directInverse(theta, 3, size), 0, mixer.theta, 0, mixer.theta.length);
        double[] expected = mixer.image();
        assertClose(expected, last, 1e-6, "the final image");
        double moved = 0;
        for (int i = 0; i < last.length; i++) {
            moved = Math.max(moved, Math.abs(last[i] - 0.5));
        }
        assertTrue(moved > 0.05, "the run moved the image away from grey: " + moved);
    }

    private static void adam(double[] theta, double[] grad, double[] m, double[] v, int step) {
        double c1 = 1 - Math.pow(0.9, step);
        double c2 = 1 - Math.pow(0.999, step);
        for (int i = 0; i < grad.length; i++) {
            m[i] = 0.9 * m[i] + 0.1 * grad[i];
            v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
            theta[i] += 0.05 * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
        }
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * scale, what + ", value " + i);
        }
    }

    // ------------------------------------------------------------------ the direct DFT

    /**
     * The separable direct DFT that ImageParameters used before the FFT (O(size³) per channel), with
     * its own 1/f scale and cos/sin tables: image[c, y, x] = norm · Σ_ky Σ_kx w(kx) ·
     * Re(S[ky, kx] · e^{2πi(ky·y + kx·x)/size}), S the scaled half spectrum, and its transpose.
     */
    static final class DirectDft {
        private final int channels;
        private final int size;
        private final int half;
        private final double[] scale;
        private final double[] cosY;
        private final double[] sinY;
        private final double[] cosX;
        private final double[] sinX;
        private double[] theta;

        DirectDft(int channels, int size) {
            this.channels = channels;
            this.size = size;
            this.half = size / 2 + 1;
            scale = new double[size * half];
            for (int ky = 0; ky < size; ky++) {
                double fy = (ky < (size + 1) / 2 ? ky : ky - size) / (double) size;
                for (int kx = 0; kx < half; kx++) {
                    double fx = kx / (double) size;
                    scale[ky * half + kx] = 1.0 / Math.max(Math.sqrt(fx * fx + fy * fy), 1.0 / size);
                }
            }
            cosY = new double[size * size];
            sinY = new double[size * size];
            for (int k = 0; k < size; k++) {
                for (int y = 0; y < size; y++) {
                    double a = 2 * Math.PI * ((long) k * y % size) / size;
                    cosY[k * size + y] = Math.cos(a);
                    sinY[k * size + y] = Math.sin(a);
                }
            }
            cosX = new double[half * size];
            sinX = new double[half * size];
            for (int k = 0; k < half; k++) {
                for (int x = 0; x < size; x++) {
                    double a = 2 * Math.PI * ((long) k * x % size) / size;
                    cosX[k * size + x] = Math.cos(a);
                    sinX[k * size + x] = Math.sin(a);
                }
            }
        }

        double[] inverse(double[] variables) {
            theta = variables;
            return inverseDft();
        }

        double[] adjoint(double[] g) {
            theta = new double[channels * size * half * 2];
            return fourierAdjoint(g);
        }

        private double columnWeight(int kx) {
            return kx == 0 || (size % 2 == 0 && kx == size / 2) ? 1 : 2;
        }

        private double[] inverseDft() {
            int plane = size * size;
            double[] out = new double[channels * plane];
            double norm = 1 / (Math.sqrt((double) plane) * MAGIC);
            double[] pr = new double[size * half];
            double[] pi = new double[size * half];
            for (int c = 0; c < channels; c++) {
                int base = c * size * half * 2;
                // Along y: P[y, kx] = Σ_ky S[ky, kx] · e^{2πi·ky·y/size}; kx innermost, so rows are read and written in order.
                java.util.Arrays.fill(pr, 0);
                java.util.Arrays.fill(pi, 0);
                double[] a = new double[size * half];
                double[] b = new double[size * half];
                for (int k = 0; k < a.length; k++) {
                    a[k] = theta[base + 2 * k] * scale[k];
                    b[k] = theta[base + 2 * k + 1] * scale[k];
                }
                for (int ky = 0; ky < size; ky++) {
                    int rk = ky * half;
                    for (int y = 0; y < size; y++) {
                        double cs = cosY[ky * size + y];
                        double sn = sinY[ky * size + y];
                        int ry = y * half;
                        for (int kx = 0; kx < half; kx++) {
                            pr[ry + kx] += a[rk + kx] * cs - b[rk + kx] * sn;
                            pi[ry + kx] += a[rk + kx] * sn + b[rk + kx] * cs;
                        }
                    }
                }
                // Along x: image[y, x] = norm · Σ_kx w · Re(P[y, kx] · e^{2πi·kx·x/size}).
                for (int y = 0; y < size; y++) {
                    for (int kx = 0; kx < half; kx++) {
                        double w = columnWeight(kx) * norm;
                        double r = pr[y * half + kx] * w;
                        double i = pi[y * half + kx] * w;
                        int row = c * plane + y * size;
                        for (int x = 0; x < size; x++) {
                            out[row + x] += r * cosX[kx * size + x] - i * sinX[kx * size + x];
                        }
                    }
                }
            }
            return out;
        }

        private double[] fourierAdjoint(double[] g) {
            int plane = size * size;
            double[] out = new double[theta.length];
            double norm = 1 / (Math.sqrt((double) plane) * MAGIC);
            double[] dr = new double[size * half];
            double[] di = new double[size * half];
            for (int c = 0; c < channels; c++) {
                java.util.Arrays.fill(dr, 0);
                java.util.Arrays.fill(di, 0);
                for (int y = 0; y < size; y++) {
                    int row = c * plane + y * size;
                    for (int kx = 0; kx < half; kx++) {
                        double w = columnWeight(kx) * norm;
                        double sr = 0;
                        double si = 0;
                        for (int x = 0; x < size; x++) {
                            sr += g[row + x] * cosX[kx * size + x];
                            si -= g[row + x] * sinX[kx * size + x];
                        }
                        dr[y * half + kx] = sr * w;
                        di[y * half + kx] = si * w;
                    }
                }
                int base = c * size * half * 2;
                double[] da = new double[size * half];
                double[] db = new double[size * half];
                for (int ky = 0; ky < size; ky++) {
                    int rk = ky * half;
                    for (int y = 0; y < size; y++) {
                        double cs = cosY[ky * size + y];
                        double sn = sinY[ky * size + y];
                        int ry = y * half;
                        for (int kx = 0; kx < half; kx++) {
                            double r = dr[ry + kx];
                            double i = di[ry + kx];
                            da[rk + kx] += r * cs + i * sn;
                            db[rk + kx] += -r * sn + i * cs;
                        }
                    }
                }
                for (int k = 0; k < da.length; k++) {
                    out[base + 2 * k] = da[k] * scale[k];
                    out[base + 2 * k + 1] = db[k] * scale[k];
                }
            }
            return out;
        }
    }

    static double[] directInverse(double[] theta, int channels, int size) {
        return new DirectDft(channels, size).inverse(theta);
    }

    static double[] directAdjoint(double[] g, int channels, int size) {
        return new DirectDft(channels, size).adjoint(g);
    }
}
