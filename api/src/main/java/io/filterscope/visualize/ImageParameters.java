package io.filterscope.visualize;

import java.util.Random;
import org.jtransforms.fft.DoubleFFT_1D;

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
 * <p>The inverse DFT and its adjoint are separable: FFTs along the columns then the rows
 * (JTransforms), O(size² log size) per channel. (A direct DFT, O(size³), took most of a step at 224.)
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
    /** FFTs of length size (JTransforms; one plan serves rows and columns, both are size long). */
    private final DoubleFFT_1D fft;

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
            fft = new DoubleFFT_1D(size);
        } else {
            theta = new double[channels * size * size];
            scale = null;
            fft = null;
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
        return linearBackward(sigmoidMixBackward(image, gradImage));
    }

    /** d objective / d linear() from d objective / d image. */
    double[] sigmoidMixBackward(double[] image, double[] gradImage) {
        double[] g = new double[gradImage.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = gradImage[i] * image[i] * (1 - image[i]);
        }
        return decorrelate ? mix(g, true) : g;
    }

    /** d objective / d θ from d objective / d linear(): the adjoint of {@link #linear()}. */
    double[] linearBackward(double[] g) {
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

    /** The image before colour mixing and the sigmoid: the inverse DFT of the scaled spectrum, or the pixels. */
    double[] linear() {
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
        double[] column = new double[2 * size];
        double[] spectrum = new double[size * half * 2];
        double[] row = new double[size];
        for (int c = 0; c < channels; c++) {
            int base = c * size * half * 2;
            // Along y, column by column: P[y, kx] = Σ_ky S[ky, kx] · e^{2πi·ky·y/size}, an unscaled complex inverse FFT.
            for (int kx = 0; kx < half; kx++) {
                for (int ky = 0; ky < size; ky++) {
                    int k = ky * half + kx;
                    column[2 * ky] = theta[base + 2 * k] * scale[k];
                    column[2 * ky + 1] = theta[base + 2 * k + 1] * scale[k];
                }
                fft.complexInverse(column, false);
                for (int y = 0; y < size; y++) {
                    spectrum[2 * (y * half + kx)] = column[2 * y];
                    spectrum[2 * (y * half + kx) + 1] = column[2 * y + 1];
                }
            }
            // Along x, row by row: image[y, x] = norm · Σ_kx w · Re(P[y, kx] · e^{2πi·kx·x/size}), a real inverse FFT of the
            // half spectrum (the imaginary parts of column 0 and of the Nyquist column drop out, as w = 1 there says). Scaled,
            // then times size: JTransforms' unscaled real inverse is half as large for powers of two as for other sizes.
            for (int y = 0; y < size; y++) {
                pack(spectrum, y * half, row);
                fft.realInverse(row, true);
                int at = c * plane + y * size;
                for (int x = 0; x < size; x++) {
                    out[at + x] = row[x] * size * norm;
                }
            }
        }
        return out;
    }

    /**
     * The half spectrum {@code P[from .. from + half)} (interleaved real and imaginary parts) in
     * JTransforms' packed layout for a real transform of {@code size} values: {@code a[0] = Re P0},
     * {@code a[2k] = Re Pk}, {@code a[2k+1] = Im Pk}; for an even size {@code a[1] = Re P(size/2)}, for
     * an odd one {@code a[1] = Im P((size-1)/2)} and {@code a[size-1] = Re P((size-1)/2)}.
     */
    private void pack(double[] p, int from, double[] a) {
        a[0] = p[2 * from];
        if (size == 1) {
            return;
        }
        int last = (size - 1) / 2;
        for (int k = 1; k < half; k++) {
            double re = p[2 * (from + k)];
            double im = p[2 * (from + k) + 1];
            if (size % 2 == 0 && k == size / 2) {
                a[1] = re;
            } else if (size % 2 == 1 && k == last) {
                a[size - 1] = re;
                a[1] = im;
            } else {
                a[2 * k] = re;
                a[2 * k + 1] = im;
            }
        }
    }

    /** The inverse of {@link #pack}: Re and Im of each kx in [0, half), zero where the layout has none (column 0, Nyquist). */
    private void unpack(double[] a, double[] p, int from) {
        for (int k = 0; k < half; k++) {
            double re;
            double im;
            if (k == 0) {
                re = a[0];
                im = 0;
            } else if (size % 2 == 0 && k == size / 2) {
                re = a[1];
                im = 0;
            } else if (size % 2 == 1 && k == (size - 1) / 2) {
                re = a[size - 1];
                im = a[1];
            } else {
                re = a[2 * k];
                im = a[2 * k + 1];
            }
            p[2 * (from + k)] = re;
            p[2 * (from + k) + 1] = im;
        }
    }

    /**
     * The adjoint of {@link #inverseDft}: along x each row's forward real FFT (Σ_x g · e^{−2πi·kx·x/size},
     * times w and the norm), then along y each column's forward complex FFT, then the 1/f scale.
     */
    private double[] fourierAdjoint(double[] g) {
        int plane = size * size;
        double[] out = new double[theta.length];
        double norm = 1 / (Math.sqrt((double) plane) * MAGIC);
        double[] row = new double[size];
        double[] spectrum = new double[size * half * 2];
        double[] column = new double[2 * size];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(g, c * plane + y * size, row, 0, size);
                fft.realForward(row);
                unpack(row, spectrum, y * half);
                for (int kx = 0; kx < half; kx++) {
                    double w = columnWeight(kx) * norm;
                    spectrum[2 * (y * half + kx)] *= w;
                    spectrum[2 * (y * half + kx) + 1] *= w;
                }
            }
            int base = c * size * half * 2;
            for (int kx = 0; kx < half; kx++) {
                for (int y = 0; y < size; y++) {
                    column[2 * y] = spectrum[2 * (y * half + kx)];
                    column[2 * y + 1] = spectrum[2 * (y * half + kx) + 1];
                }
                fft.complexForward(column);
                for (int ky = 0; ky < size; ky++) {
                    int k = ky * half + kx;
                    out[base + 2 * k] = column[2 * ky] * scale[k];
                    out[base + 2 * k + 1] = column[2 * ky + 1] * scale[k];
                }
            }
        }
        return out;
    }
}
