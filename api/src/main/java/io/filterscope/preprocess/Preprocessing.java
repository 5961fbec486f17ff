package io.filterscope.preprocess;

import com.google.common.base.Preconditions;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Layout;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.tensor.Shape;
import java.util.Arrays;
import java.util.Optional;

/**
 * How an image becomes a model input, applied by {@link Preprocessor} in this order:
 * <ol>
 *   <li>convert to {@code channels} (RGB → gray with ITU-R 601 luma as PIL's {@code convert('L')};
 *       gray → RGB by replication; alpha is dropped);</li>
 *   <li>when {@code resizeShorterSide > 0}, resize so the shorter side has that length, keeping the
 *       aspect ratio (torchvision's {@code Resize(int)}); otherwise, unless {@code centerCrop},
 *       resize straight to {@code height × width};</li>
 *   <li>when {@code centerCrop}, cut {@code height × width} from the middle (torchvision's
 *       {@code CenterCrop}, padding with black when the image is smaller); a size still different
 *       from {@code height × width} after that is resized straight to it;</li>
 *   <li>per channel, {@code (x / (1 / scale) − mean) / std} where x is the pixel on a 0..255 scale;</li>
 *   <li>reorder channels to {@code order} and lay out as {@code layout} with a batch of one.</li>
 * </ol>
 * A {@code height} or {@code width} of 0 means "keep the image's own size" along that axis, resolved
 * when the preprocessing is applied (models with a free input size). Resizing is bilinear with
 * antialiasing when shrinking, reproducing PIL's {@code Image.resize(BILINEAR)}, which is what
 * torchvision uses for PIL images.
 *
 * @param height            rows of the model input; 0 keeps the image's
 * @param width             columns of the model input; 0 keeps the image's
 * @param resizeShorterSide length of the shorter side after the first resize; 0 resizes straight to
 *                          height × width
 * @param centerCrop        whether to center-crop to height × width
 * @param channels          1 or 3
 * @param order             channel order of a 3-channel input
 * @param scale             factor from 0..255 values to the range mean and std are given in
 *                          (1/255 for torchvision, 1 for Caffe)
 * @param mean              one value per channel, in the model's channel order
 * @param std               one value per channel, in the model's channel order
 * @param layout            {@link Layout#NCHW} or {@link Layout#NHWC}
 */
public record Preprocessing(
        int height,
        int width,
        int resizeShorterSide,
        boolean centerCrop,
        int channels,
        ChannelOrder order,
        float scale,
        float[] mean,
        float[] std,
        Layout layout) {

    /** torchvision's evaluation crop ratio: Resize(256) before CenterCrop(224). */
    private static final double IMAGENET_CROP_RATIO = 0.875;
    private static final int IMAGENET_SIZE = 224;
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Keras 'caffe' means, in BGR order. */
    private static final float[] CAFFE_MEAN_BGR = {103.939f, 116.779f, 123.68f};

    public Preprocessing {
        Preconditions.checkArgument(height >= 0 && width >= 0, "height and width must be >= 0, got %s×%s", height, width);
        Preconditions.checkArgument(resizeShorterSide >= 0, "resizeShorterSide must be >= 0, got %s", resizeShorterSide);
        Preconditions.checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
        Preconditions.checkNotNull(order, "order");
        Preconditions.checkArgument(scale > 0 && Float.isFinite(scale), "scale must be positive, got %s", scale);
        Preconditions.checkArgument(mean.length == channels && std.length == channels,
                "mean and std need %s values each, got %s and %s", channels, mean.length, std.length);
        for (float s : std) {
            Preconditions.checkArgument(s != 0 && Float.isFinite(s), "std values must be non-zero, got %s", Arrays.toString(std));
        }
        Preconditions.checkArgument(layout == Layout.NCHW || layout == Layout.NHWC, "layout must be NCHW or NHWC, got %s", layout);
        Preconditions.checkArgument(!centerCrop || (height > 0 && width > 0), "a center crop needs a height and width");
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The preset's preprocessing for an input of {@code channels × height × width}.
     * {@link Preset#IMAGENET} resizes the shorter side to size / 0.875 (256 for 224) and center-crops;
     * a 0 height or width there means 224. The other presets resize straight to height × width, or
     * keep the image's size where those are 0.
     *
     * <p>With one channel the single mean and std are the averages of the preset's three (0.449 and
     * 0.226 for ImageNet, 114.799 for Caffe), the usual choice for gray models trained from those
     * conventions.
     */
    public static Preprocessing of(Preset preset, int channels, int height, int width, Layout layout) {
        Preconditions.checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
        return switch (preset) {
            case IMAGENET -> {
                int h = height > 0 ? height : IMAGENET_SIZE;
                int w = width > 0 ? width : IMAGENET_SIZE;
                int resize = (int) Math.floor(Math.min(h, w) / IMAGENET_CROP_RATIO);
                yield new Preprocessing(h, w, resize, true, channels, ChannelOrder.RGB, 1f / 255f,
                        perChannel(IMAGENET_MEAN, channels), perChannel(IMAGENET_STD, channels), layout);
            }
            case CAFFE -> new Preprocessing(height, width, 0, false, channels, ChannelOrder.BGR, 1f,
                    perChannel(CAFFE_MEAN_BGR, channels), filled(channels, 1f), layout);
            case TF -> new Preprocessing(height, width, 0, false, channels, ChannelOrder.RGB, 1f / 127.5f,
                    filled(channels, 1f), filled(channels, 1f), layout);
            case UNIT -> new Preprocessing(height, width, 0, false, channels, ChannelOrder.RGB, 1f / 255f,
                    filled(channels, 0f), filled(channels, 1f), layout);
            case RAW -> new Preprocessing(height, width, 0, false, channels, ChannelOrder.RGB, 1f,
                    filled(channels, 0f), filled(channels, 1f), layout);
        };
    }

    /**
     * The preprocessing a model's first input asks for. Channels, height, width and layout come from
     * its shape (N×C×H×W or N×H×W×C as {@link ModelMetadata#inputLayout()} says; when the layout is
     * unknown a dimension of 1 or 3 in position 1 means NCHW, in position 3 NHWC). When both height
     * and width are free every preset keeps the image's own size, without a crop ({@link #forImage}
     * bounds and rounds it); when only one is, {@link Preset#IMAGENET} takes 224 for it.
     *
     * <p>Without a preset, the default follows the usual training convention for such inputs:
     * {@link Preset#UNIT} for 1 channel (MNIST-style), {@link Preset#IMAGENET} for 3 channels in
     * NCHW (PyTorch models exported to ONNX), {@link Preset#TF} for 3 channels in NHWC (Keras and
     * TensorFlow models). Models trained otherwise need the preset named explicitly.
     *
     * @throws FilterScopeException naming the model file when its input is not a 1- or 3-channel
     *         image batch
     */
    public static Preprocessing forModel(ModelMetadata meta, Optional<Preset> preset) {
        TensorSpec in = meta.input();
        Shape s = in.shape();
        if (s.rank() != 4) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, meta.file() + ": input '" + in.name() + "' has shape " + in.describeShape()
                    + ", not an image batch (N×C×H×W or N×H×W×C); this model does not take images");
        }
        Layout layout = meta.inputLayout();
        if (layout == Layout.UNKNOWN) {
            if (isChannelCount(s.dim(1))) {
                layout = Layout.NCHW;
            } else if (isChannelCount(s.dim(3))) {
                layout = Layout.NHWC;
            } else {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, meta.file() + ": cannot tell where the channels are in input '" + in.name()
                        + "' of shape " + in.describeShape() + "; FilterScope reads 1- or 3-channel images");
            }
        }
        int cAxis = layout == Layout.NHWC ? 3 : 1;
        int hAxis = layout == Layout.NHWC ? 1 : 2;
        long c = s.dim(cAxis);
        if (!isChannelCount(c)) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, meta.file() + ": input '" + in.name() + "' of shape " + in.describeShape() + " has "
                    + (c == Shape.UNKNOWN ? "an unknown number of" : Long.toString(c))
                    + " channels; FilterScope feeds 1- or 3-channel images");
        }
        int channels = (int) c;
        Preset chosen = preset.orElse(channels == 1 ? Preset.UNIT : layout == Layout.NHWC ? Preset.TF : Preset.IMAGENET);
        int height = knownOrZero(s.dim(hAxis));
        int width = knownOrZero(s.dim(hAxis + 1));
        Preprocessing p = of(chosen, channels, height, width, layout);
        if (height == 0 && width == 0 && p.centerCrop()) {
            // A free height and width is a model made for whole images (a detector): no 224 crop; the
            // size is chosen per image by forImage.
            p = new Preprocessing(0, 0, 0, false, channels, p.order(), p.scale(), p.mean(), p.std(), layout);
        }
        return p;
    }

    private static boolean isChannelCount(long c) {
        return c == 1 || c == 3;
    }

    private static int knownOrZero(long d) {
        if (d == Shape.UNKNOWN) {
            return 0;
        }
        return Math.toIntExact(d);
    }

    private static float[] perChannel(float[] three, int channels) {
        if (channels == 3) {
            return three.clone();
        }
        // One channel: the average of the three, with the same float rounding everywhere.
        return new float[] {(float) (((double) three[0] + three[1] + three[2]) / 3)};
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** A copy of the per-channel means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** The same preprocessing with another input size (0 keeps the image's size along that axis). */
    public Preprocessing withSize(int newHeight, int newWidth) {
        return new Preprocessing(newHeight, newWidth, resizeShorterSide, centerCrop, channels, order, scale, mean, std, layout);
    }

    /**
     * This preprocessing for an image of {@code imageHeight × imageWidth}: a free height and width
     * (0) become the size {@code rule} chooses for the image; a fixed size stays. One free axis alone
     * takes the rule's size along it.
     */
    public Preprocessing forImage(int imageHeight, int imageWidth, FreeSize rule) {
        if (height > 0 && width > 0) {
            return this;
        }
        FreeSize.Size size = rule.resolve(imageHeight, imageWidth);
        return withSize(height > 0 ? height : size.height(), width > 0 ? width : size.width());
    }

    /** Whether the model leaves height or width free, so the size is chosen per image. */
    public boolean hasFreeSize() {
        return height == 0 || width == 0;
    }

    /** The same preprocessing with another layout. */
    public Preprocessing withLayout(Layout newLayout) {
        return new Preprocessing(height, width, resizeShorterSide, centerCrop, channels, order, scale, mean, std, newLayout);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.height == height && p.width == width && p.resizeShorterSide == resizeShorterSide
                && p.centerCrop == centerCrop && p.channels == channels && p.order == order
                && Float.compare(p.scale, scale) == 0 && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std) && p.layout == layout;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(height, width, resizeShorterSide, centerCrop, channels, order, scale, layout)
                * 31 + Arrays.hashCode(mean) * 17 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Preprocessing[" + (height == 0 ? "?" : height) + "×" + (width == 0 ? "?" : width)
                + (resizeShorterSide > 0 ? " resize " + resizeShorterSide : "") + (centerCrop ? " crop" : "")
                + " " + channels + "ch " + order + " scale=" + scale + " mean=" + Arrays.toString(mean)
                + " std=" + Arrays.toString(std) + " " + layout + "]";
    }
}
