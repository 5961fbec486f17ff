package io.filterscope.visualize;

import java.util.Random;

/**
 * The optimised variables and the image they make: {@code image = sigmoid(decorrelate(linear(θ)))},
 * channels × size × size, values in (0, 1), with the adjoint that takes d objective / d image back to
 * d objective / d θ.
 *
 * <p>{@link VisualizeRequest.Parameterization#FOURIER}: θ is a half spectrum (real and imaginary
 * parts) per channel; {@code linear} scales each frequency f by {@code 1 / max(f, 1/size)} (a 1/f
 * spectrum, the statistics of natural images, so gradient steps do not favour high frequencies) and
 * applies an orthonormal real inverse DFT, divided by 4, as Lucid's {@code fft_image} does.
 * {@link VisualizeRequest.Parameterization#PIXEL}: θ is the pixels themselves.
 *
 * <p>With decorrelation (3 channels), each pixel's three values are multiplied by the square root of
 * ImageNet's colour correlation matrix (the constants Lucid publishes, normalised so the largest
 * column has norm 1): the variables are decorrelated colours, so a step changes natural colours
 * rather than single RGB channels.
 *
 * <p>The inverse DFT is separable and direct (O(size³) per channel), which at 224 × 224 costs less
 * than a backward pass through a CNN of that size and needs no FFT library.
 */
final class ImageParameters {
    /** Square root of ImageNet's RGB colour correlation, from Lucid (optvis/param/color.py). */
    private static final double[][] COLOR_CORRELATION_SVD_SQRT = {
        {0.26, 0.09, 0.02},
        {0.27, 0.00, -0.05},
        {0.27, -0.09, 0.03}};
    /** Lucid divides the inverse DFT by this so the initial image sits near grey after the sigmoid. */
    private static final double MAGIC = 4.0;

    private final VisualizeRequest.Parameterization kind;
    private final int channels;
    private final int size;
    private final boolean decorrelate;
    private final double[][] color;
    /** The variables: channels × size × size pixels, or channels × size × half × 2 spectrum values. */
    final double[] theta;
    // Fourier tables.
    private final int half;
    private final double[] scale;
    private final double[] cosY;
    private final double[] sinY;
    private final double[] cosX;
    private final double[] sinX;

    ImageParameters(VisualizeRequest.Parameterization kind, int channels, int size, boolean decorrelate, Random random) {
        this.kind = kind;
        this.channels = channels;
        this.size = size;
        this.decorrelate = decorrelate && channels == 3;
        this.color = normalisedColor();
        this.half = size / 2 + 1;
        if (kind == VisualizeRequest.Parameterization.FOURIER) {
            theta = new double[channels * size * half * 2];
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
        } else {
            theta = new double[channels * size * size];
            scale = cosY = sinY = cosX = sinX = null;
        }
        // Small random values, as Lucid starts (sd 0.01): the first image is grey noise.
        for (int i = 0; i < theta.length; i++) {
            theta[i] = 0.01 * random.nextGaussian();
        }
    }

    private static double[][] normalisedColor() {
        double maxNorm = 0;
        for (int col = 0; col < 3; col++) {
            double n = 0;
            for (int row = 0; row < 3; row++) {
                n += COLOR_CORRELATION_SVD_SQRT[row][col] * COLOR_CORRELATION_SVD_SQRT[row][col];
            }
            maxNorm = Math.max(maxNorm, Math.sqrt(n));
        }
        double[][] m = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                m[r][c] = COLOR_CORRELATION_SVD_SQRT[r][c] / maxNorm;
            }
        }
        return m;
    }

    int channels() {
        return channels;
    }

    int size() {
        return size;
    }

    /** The image, channels × size × size in (0, 1). */
    double[] image() {
        double[] lin = linear();
        double[] mixed = decorrelate ? mix(lin, false) : lin;
        for (int i = 0; i < mixed.length; i++) {
            mixed[i] = 1 / (1 + Math.exp(-mixed[i]));
        }
        return mixed;
    }

    /**
     * d objective / d θ from d objective / d image, for the image {@link #image()} gave (its values
     * give the sigmoid's derivative).
     */
    double[] backward(double[] image, double[] gradImage) {
        double[] g = new double[gradImage.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = gradImage[i] * image[i] * (1 - image[i]);
        }
        if (decorrelate) {
            g = mix(g, true);
        }
        return kind == VisualizeRequest.Parameterization.FOURIER ? fourierAdjoint(g) : g;
    }

    /** Each pixel's colour times the correlation matrix (or its transpose, for the adjoint). */
    private double[] mix(double[] v, boolean transpose) {
        int plane = size * size;
        double[] out = new double[v.length];
        for (int p = 0; p < plane; p++) {
            for (int r = 0; r < 3; r++) {
                double s = 0;
                for (int c = 0; c < 3; c++) {
                    s += (transpose ? color[c][r] : color[r][c]) * v[c * plane + p];
                }
                out[r * plane + p] = s;
            }
        }
        return out;
    }

    private double[] linear() {
        return kind == VisualizeRequest.Parameterization.FOURIER ? inverseDft() : theta.clone();
    }

    /** Weight of column kx in the real inverse DFT: its conjugate twin is counted too, except for 0 and Nyquist. */
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
