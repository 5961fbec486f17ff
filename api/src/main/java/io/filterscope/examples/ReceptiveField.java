package io.filterscope.examples;

import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which rectangle of the input one position of a layer's feature map sees. Position {@code (y, x)}
 * sees rows {@code y·jumpY + offsetY} to {@code y·jumpY + offsetY + sizeY} (exclusive), columns
 * likewise, before clipping to the input.
 *
 * <h2>How it is derived ({@link #of})</h2>
 * The model's layers are walked in execution order up to the layer, following the spatial size of
 * the input. Each layer composes with the field so far, per axis, as {@code size += (k_eff − 1)·jump},
 * {@code offset −= pad_begin·jump}, {@code jump *= stride}, with {@code k_eff = dilation·(k − 1) + 1}:
 * <ul>
 *   <li>a convolution ({@link LayerKind#hasFilters()}, not transposed) takes its kernel, stride,
 *       padding and dilation from {@link Model#filters}: exact;</li>
 *   <li>a layer whose output has the running height and width (activation, normalisation, a residual
 *       sum, a concatenation) changes nothing;</li>
 *   <li>a pooling layer that shrinks the map is taken as kernel = stride = the ratio of the sizes,
 *       no padding (the 2×2/2 max pool of most classifiers). {@link LayerInfo} does not carry pooling
 *       geometry, so the field is marked not {@link #exact()};</li>
 *   <li>a convolution whose geometry does not turn the running size into its output size reads
 *       another branch (ResNet's 1×1 downsample beside the block's main path); its output has the
 *       running size, so it is skipped and the field is that of the path walked (the longest one, a
 *       superset of the short-cut's), marked not exact.</li>
 * </ul>
 * Anything else (a transposed convolution, an upsampling, a global pool before the layer, unknown
 * output sizes, a layer without a spatial output) stops the walk: the field is then the whole input
 * ({@link #wholeInput}), with {@link #derivation()} saying why.
 *
 * @param sizeY      rows seen by one position
 * @param sizeX      columns seen by one position
 * @param jumpY      rows between neighbouring positions (the product of the strides)
 * @param jumpX      columns between neighbouring positions
 * @param offsetY    first row seen by position 0 (negative where padding reaches outside the input)
 * @param offsetX    first column seen by position 0
 * @param exact      whether every step came from the model's own geometry
 * @param wholeInput whether the field could not be derived and every patch is the whole input
 * @param derivation one line saying how the field was found (or why not), for index.json
 */
public record ReceptiveField(int sizeY, int sizeX, int jumpY, int jumpX, int offsetY, int offsetX, boolean exact,
                             boolean wholeInput, String derivation) {

    /** The field of one input pixel (the input itself). */
    public static ReceptiveField identity() {
        return new ReceptiveField(1, 1, 1, 1, 0, 0, true, false, "the input itself");
    }

    /** The field used when none can be derived: every patch is the whole input. */
    public static ReceptiveField wholeInput(String why) {
        return new ReceptiveField(Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0, 0, 0, false, true, why);
    }

    /**
     * Composes a layer with kernel {@code k}, stride {@code s}, padding at the start {@code pad}
     * and dilation {@code d} per axis (y, x) after this field.
     */
    public ReceptiveField then(int[] k, int[] s, int[] pad, int[] d, boolean stepExact, String how) {
        if (wholeInput) {
            return this;
        }
        int ky = d[0] * (k[0] - 1) + 1;
        int kx = d[1] * (k[1] - 1) + 1;
        return new ReceptiveField(sizeY + (ky - 1) * jumpY, sizeX + (kx - 1) * jumpX, jumpY * s[0], jumpX * s[1],
                offsetY - pad[0] * jumpY, offsetX - pad[1] * jumpX, exact && stepExact, false, how);
    }

    /**
     * The input rectangle seen by feature-map position {@code (y, x)}, clipped to an input of
     * {@code height × width}.
     */
    public Patch patch(int y, int x, int height, int width) {
        if (wholeInput) {
            return new Patch(0, 0, height, width);
        }
        long y0 = (long) y * jumpY + offsetY;
        long x0 = (long) x * jumpX + offsetX;
        return new Patch(clip(y0, height), clip(x0, width), clip(y0 + sizeY, height), clip(x0 + sizeX, width));
    }

    private static int clip(long v, int size) {
        return (int) Math.max(0, Math.min(size, v));
    }

    /**
     * The receptive field of {@code layer}'s positions in an input of {@code inputHeight × inputWidth}
     * (the preprocessed input), derived as the class comment says. Never fails: where it cannot be
     * derived the answer is {@link #wholeInput}.
     */
    public static ReceptiveField of(Model model, String layer, int inputHeight, int inputWidth) {
        LayerInfo target = model.layer(layer);
        ReceptiveField rf = identity();
        int h = inputHeight;
        int w = inputWidth;
        List<String> approximations = new ArrayList<>();
        for (LayerInfo l : model.layers()) {
            if (l.index() > target.index()) {
                break;
            }
            Optional<int[]> hw = spatialSize(l);
            if (l.kind() == LayerKind.TRANSPOSED_CONV) {
                return wholeInput("layer '" + l.name() + "' is a transposed convolution; patches are the whole input");
            }
            if (l.kind().hasFilters()) {
                FilterBank bank = model.filters(l.name());
                int[] k = {bank.kernelHeight(), bank.kernelWidth()};
                int[] s = bank.stride();
                int[] p = bank.padding();
                int[] d = bank.dilation();
                int outH = convOut(h, k[0], s[0], p[0] + p[2], d[0]);
                int outW = convOut(w, k[1], s[1], p[1] + p[3], d[1]);
                if (hw.isPresent() && (hw.get()[0] != outH || hw.get()[1] != outW)) {
                    if (hw.get()[0] == h && hw.get()[1] == w) {
                        // It reads an earlier tensor than the one walked (a short-cut beside the main path).
                        approximations.add("'" + l.name() + "' taken as a parallel branch");
                        continue;
                    }
                    return wholeInput("layer '" + l.name() + "' outputs " + hw.get()[0] + "×" + hw.get()[1]
                            + ", which its geometry does not give from " + h + "×" + w + "; patches are the whole input");
                }
                rf = rf.then(k, s, new int[] {p[0], p[1]}, d, true, "");
                h = outH;
                w = outW;
                continue;
            }
            if (hw.isEmpty()) {
                if (l.kind() == LayerKind.ACTIVATION || l.kind() == LayerKind.NORMALIZATION) {
                    continue;
                }
                if (l == target || !l.outputShape().isPresent()) {
                    return wholeInput("the output size of layer '" + l.name() + "' is not known; patches are the whole input");
                }
                if (l.outputShape().get().rank() != 4) {
                    return wholeInput("layer '" + l.name() + "' has no spatial output; patches are the whole input");
                }
                return wholeInput("the output size of layer '" + l.name() + "' is not known; patches are the whole input");
            }
            int oh = hw.get()[0];
            int ow = hw.get()[1];
            if (oh == h && ow == w) {
                continue;
            }
            if (l.kind() == LayerKind.POOLING && oh > 0 && ow > 0 && oh < h && ow < w) {
                int sy = h / oh;
                int sx = w / ow;
                if (sy >= 1 && sx >= 1 && convOut(h, sy, sy, 0, 1) == oh && convOut(w, sx, sx, 0, 1) == ow && !(oh == 1 && ow == 1)) {
                    rf = rf.then(new int[] {sy, sx}, new int[] {sy, sx}, new int[] {0, 0}, new int[] {1, 1}, false, "");
                    approximations.add("pooling '" + l.name() + "' taken as " + sy + "×" + sx + " kernel, stride " + sy + "×" + sx);
                    h = oh;
                    w = ow;
                    continue;
                }
            }
            return wholeInput("layer '" + l.name() + "' (" + l.op() + ") turns " + h + "×" + w + " into " + oh + "×" + ow
                    + " in a way FilterScope cannot follow; patches are the whole input");
        }
        String how = "from the kernels, strides, paddings and dilations of the convolutions up to '" + target.name() + "'"
                + (approximations.isEmpty() ? "" : "; " + String.join("; ", approximations));
        return new ReceptiveField(rf.sizeY, rf.sizeX, rf.jumpY, rf.jumpX, rf.offsetY, rf.offsetX, rf.exact && approximations.isEmpty(),
                false, how);
    }

    /** Height and width of a layer's N × C × H × W output when both are known. */
    private static Optional<int[]> spatialSize(LayerInfo l) {
        if (l.outputShape().isEmpty() || l.outputShape().get().rank() != 4) {
            return Optional.empty();
        }
        Shape s = l.outputShape().get();
        if (s.dim(2) == Shape.UNKNOWN || s.dim(3) == Shape.UNKNOWN) {
            return Optional.empty();
        }
        return Optional.of(new int[] {(int) s.dim(2), (int) s.dim(3)});
    }

    private static int convOut(int in, int k, int s, int padTotal, int d) {
        return Math.floorDiv(in + padTotal - d * (k - 1) - 1, s) + 1;
    }
}
