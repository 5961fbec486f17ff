package io.filterscope.preprocess;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Layout;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;

/**
 * Turns images into model inputs as a {@link Preprocessing} describes, and model inputs back into
 * images. The arithmetic follows the reference pipelines step by step (PIL's resize and grayscale
 * conversion, torchvision's crop offsets, float32 division by 255 or 127.5 rather than
 * multiplication by a reciprocal), so an input built here equals, to float rounding, the one the
 * model saw in training code.
 */
public final class Preprocessor {
    private Preprocessor() {
    }

    /** Reads {@code imageFile} and preprocesses it; see {@link #apply}. */
    public static Tensor load(Path imageFile, Preprocessing p) {
        return apply(Images.read(imageFile), p);
    }

    /**
     * The model input for {@code image}: {@code 1 × C × H × W} for {@link Layout#NCHW},
     * {@code 1 × H × W × C} for {@link Layout#NHWC}, float32.
     */
    public static Tensor apply(BufferedImage image, Preprocessing p) {
        Planes img = toChannels(Images.planes(image), p.channels());
        if (p.resizeShorterSide() > 0) {
            int[] size = shorterSideSize(img.width(), img.height(), p.resizeShorterSide());
            img = Resampler.resize(img, size[0], size[1]);
        }
        int th = p.height() > 0 ? p.height() : img.height();
        int tw = p.width() > 0 ? p.width() : img.width();
        if (p.centerCrop()) {
            img = centerCrop(img, th, tw);
        }
        img = Resampler.resize(img, tw, th);
        return normalise(img, p);
    }

    /**
     * The image a model input shows, for display ("what the model sees"): the inverse of the
     * normalisation, values clamped to 0..255, channels back in RGB order. Takes the first item of
     * a batch ({@code N × …}) or a single {@code C × H × W} / {@code H × W × C} item in the
     * preprocessing's layout. One channel gives a gray image.
     *
     * @throws FilterScopeException when the tensor's shape does not fit the preprocessing
     */
    public static BufferedImage toImage(Tensor input, Preprocessing p) {
        Shape s = input.shape();
        if (s.rank() != 3 && s.rank() != 4) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, "input of shape " + s + " is not an image tensor; expected "
                    + (p.layout() == Layout.NHWC ? "N×H×W×C" : "N×C×H×W"));
        }
        Tensor item = s.rank() == 4 ? input.slice(0) : input;
        if (p.layout() == Layout.NHWC) {
            item = item.transpose(2, 0, 1);
        }
        int c = (int) item.shape().dim(0);
        int h = (int) item.shape().dim(1);
        int w = (int) item.shape().dim(2);
        if (c != p.channels()) {
            throw new FilterScopeException(ErrorKind.INPUT_SHAPE, "input of shape " + s + " has " + c + " channels where the preprocessing has "
                    + p.channels() + "; use the preprocessing the input was made with");
        }
        float[] v = item.toArray();
        float[] mean = p.mean();
        float[] std = p.std();
        double divisor = divisor(p.scale());
        int[][] rgb = new int[c][h * w];
        for (int k = 0; k < c; k++) {
            int dst = p.order() == ChannelOrder.BGR && c == 3 ? 2 - k : k;
            for (int i = 0; i < h * w; i++) {
                double x = ((double) v[k * h * w + i] * std[k] + mean[k]) * divisor;
                rgb[dst][i] = (int) Math.round(Math.max(0, Math.min(255, Double.isNaN(x) ? 0 : x)));
            }
        }
        if (c == 1) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            // Through the raster: setRGB would convert sRGB to linear gray and darken the image.
            WritableRaster r = out.getRaster();
            r.setSamples(0, 0, w, h, 0, rgb[0]);
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w * h];
        for (int i = 0; i < w * h; i++) {
            row[i] = rgb[0][i] << 16 | rgb[1][i] << 8 | rgb[2][i];
        }
        out.setRGB(0, 0, w, h, row, 0, w);
        return out;
    }

    /**
     * The divisor equivalent to {@code scale}. The reference pipelines divide by 255 or 127.5 in
     * float32, and dividing reproduces their results bit for bit where multiplying by the float
     * scale differs in the last bit. The float scale 1/255 is not exactly 1/255, so its reciprocal is
     * rounded to 6 significant digits (float32 holds about 7), which recovers 255 and 127.5, and any
     * divisor of up to 6 digits, exactly.
     */
    static float divisor(float scale) {
        return new BigDecimal(1.0 / scale).round(new MathContext(6)).floatValue();
    }

    /** torchvision's Resize(int): the shorter side becomes {@code size}, the longer one is truncated. */
    static int[] shorterSideSize(int w, int h, int size) {
        if (w <= h) {
            return new int[] {size, (int) ((double) size * h / w)};
        }
        return new int[] {(int) ((double) size * w / h), size};
    }

    private static Planes toChannels(Planes in, int channels) {
        if (in.channels() == channels) {
            return in;
        }
        int n = in.width() * in.height();
        if (channels == 3) {
            float[] g = in.data()[0];
            return new Planes(in.width(), in.height(), new float[][] {g, g.clone(), g.clone()}, in.eightBit());
        }
        float[] r = in.data()[0];
        float[] g = in.data()[1];
        float[] b = in.data()[2];
        float[] out = new float[n];
        if (in.eightBit()) {
            // PIL's convert('L'): ITU-R 601 weights in 16-bit fixed point, rounded.
            for (int i = 0; i < n; i++) {
                out[i] = ((int) r[i] * 19595 + (int) g[i] * 38470 + (int) b[i] * 7471 + 0x8000) >> 16;
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
            }
        }
        return new Planes(in.width(), in.height(), new float[][] {out}, in.eightBit());
    }

    /** torchvision's center_crop: pads with black when the image is smaller, then cuts the middle. */
    static Planes centerCrop(Planes in, int th, int tw) {
        int w = in.width();
        int h = in.height();
        if (tw > w || th > h) {
            int left = tw > w ? (tw - w) / 2 : 0;
            int top = th > h ? (th - h) / 2 : 0;
            int right = tw > w ? (tw - w + 1) / 2 : 0;
            int bottom = th > h ? (th - h + 1) / 2 : 0;
            int pw = w + left + right;
            int ph = h + top + bottom;
            float[][] padded = new float[in.channels()][pw * ph];
            for (int c = 0; c < in.channels(); c++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(in.data()[c], y * w, padded[c], (y + top) * pw + left, w);
                }
            }
            in = new Planes(pw, ph, padded, in.eightBit());
            w = pw;
            h = ph;
        }
        // Python's round() rounds halves to even; Math.rint does the same.
        int top = (int) Math.rint((h - th) / 2.0);
        int left = (int) Math.rint((w - tw) / 2.0);
        if (top == 0 && left == 0 && th == h && tw == w) {
            return in;
        }
        float[][] out = new float[in.channels()][th * tw];
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < th; y++) {
                System.arraycopy(in.data()[c], (y + top) * w + left, out[c], y * tw, tw);
            }
        }
        return new Planes(tw, th, out, in.eightBit());
    }

    private static Tensor normalise(Planes img, Preprocessing p) {
        int c = img.channels();
        int h = img.height();
        int w = img.width();
        int hw = h * w;
        float[] mean = p.mean();
        float[] std = p.std();
        boolean scaled = p.scale() != 1f;
        float divisor = divisor(p.scale());
        float[] out = new float[c * hw];
        boolean nhwc = p.layout() == Layout.NHWC;
        for (int k = 0; k < c; k++) {
            // Model channel k holds image channel k, or its mirror for BGR.
            float[] src = img.data()[p.order() == ChannelOrder.BGR && c == 3 ? 2 - k : k];
            float m = mean[k];
            float sd = std[k];
            for (int i = 0; i < hw; i++) {
                float x = scaled ? src[i] / divisor : src[i];
                float v = (x - m) / sd;
                out[nhwc ? i * c + k : k * hw + i] = v;
            }
        }
        Shape shape = nhwc ? Shape.of(1, h, w, c) : Shape.of(1, c, h, w);
        return Tensor.wrap(shape, out);
    }
}
