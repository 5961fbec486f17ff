package io.filterscope.dl4j;

import io.filterscope.model.FilterBank;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;

/**
 * Textbook convolution and transposed convolution straight from a {@link FilterBank}, in double
 * loops: if the bank's order (out × in/groups × kH × kW), padding, stride, dilation or groups were
 * wrong, its result would not match the layer's own output.
 */
final class DirectConv {
    private DirectConv() {
    }

    /** {@code x} is N × C × H × W; the result N × out × H' × W' (before any activation). */
    static Tensor apply(FilterBank fb, Tensor x, long outH, long outW) {
        return fb.transposed() ? transposed(fb, x, outH, outW) : forward(fb, x, outH, outW);
    }

    private static double bias(FilterBank fb, int o) {
        return fb.bias().map(t -> (double) t.get(o)).orElse(0.0);
    }

    private static Tensor forward(FilterBank fb, Tensor x, long outH, long outW) {
        int n = (int) x.shape().dim(0);
        int cin = (int) x.shape().dim(1);
        int h = (int) x.shape().dim(2);
        int w = (int) x.shape().dim(3);
        int out = fb.outChannels();
        int perGroup = fb.inChannelsPerGroup();
        int outPerGroup = out / fb.groups();
        int[] s = fb.stride();
        int[] p = fb.padding();
        int[] d = fb.dilation();
        float[] y = new float[(int) (n * out * outH * outW)];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                int g = o / outPerGroup;
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        double acc = bias(fb, o);
                        for (int c = 0; c < perGroup; c++) {
                            int ci = g * perGroup + c;
                            for (int kh = 0; kh < fb.kernelHeight(); kh++) {
                                int yi = i * s[0] - p[0] + kh * d[0];
                                if (yi < 0 || yi >= h) {
                                    continue;
                                }
                                for (int kw = 0; kw < fb.kernelWidth(); kw++) {
                                    int xj = j * s[1] - p[1] + kw * d[1];
                                    if (xj < 0 || xj >= w) {
                                        continue;
                                    }
                                    acc += (double) fb.weights().get(o, c, kh, kw) * x.get(b, ci, yi, xj);
                                }
                            }
                        }
                        y[(int) (((b * out + o) * outH + i) * outW + j)] = (float) acc;
                    }
                }
            }
        }
        assert cin == perGroup * fb.groups();
        return Tensor.wrap(Shape.of(n, out, outH, outW), y);
    }

    private static Tensor transposed(FilterBank fb, Tensor x, long outH, long outW) {
        int n = (int) x.shape().dim(0);
        int cin = (int) x.shape().dim(1);
        int h = (int) x.shape().dim(2);
        int w = (int) x.shape().dim(3);
        int out = fb.outChannels();
        int[] s = fb.stride();
        int[] p = fb.padding();
        int[] d = fb.dilation();
        double[] y = new double[(int) (n * out * outH * outW)];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                double bias = bias(fb, o);
                for (int k = 0; k < outH * outW; k++) {
                    y[(int) ((b * out + o) * outH * outW + k)] = bias;
                }
                for (int c = 0; c < cin; c++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            double v = x.get(b, c, i, j);
                            for (int kh = 0; kh < fb.kernelHeight(); kh++) {
                                int yi = i * s[0] - p[0] + kh * d[0];
                                if (yi < 0 || yi >= outH) {
                                    continue;
                                }
                                for (int kw = 0; kw < fb.kernelWidth(); kw++) {
                                    int xj = j * s[1] - p[1] + kw * d[1];
                                    if (xj < 0 || xj >= outW) {
                                        continue;
                                    }
                                    y[(int) (((b * out + o) * outH + yi) * outW + xj)] += v * fb.weights().get(o, c, kh, kw);
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = (float) y[i];
        }
        return Tensor.wrap(Shape.of(n, out, outH, outW), f);
    }
}
