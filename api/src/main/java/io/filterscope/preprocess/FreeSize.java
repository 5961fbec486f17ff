package io.filterscope.preprocess;

import com.google.common.base.Preconditions;

/**
 * The input size chosen for a model whose height and width are free (a text detector such as
 * PaddleOCR's PP-OCRv4 det, DBNet, most segmentation and detection networks): the image at its own
 * size, shrunk (never enlarged) so its longest side is at most {@code maxSide}, and each side then
 * rounded to the nearest multiple of {@code multiple}, at least one multiple. This is PaddleOCR's
 * {@code DetResizeForTest} with {@code limit_type: max}.
 *
 * <p>Why a multiple: such networks go down by a total stride (32 for the ResNet and MobileNet
 * backbones these detectors use: five halvings) and back up, adding each level to the one above;
 * those additions only line up when both sides divide by the total stride. A model that needs
 * another multiple takes it from {@code --size-multiple}; 1 keeps the exact size.
 *
 * @param maxSide  the longest side after shrinking, in pixels (≥ 1)
 * @param multiple each side is rounded to a multiple of this (≥ 1)
 */
public record FreeSize(int maxSide, int multiple) {
    /** Longest side at most 1024, sides multiples of 32. */
    public static final FreeSize DEFAULT = new FreeSize(1024, 32);

    public FreeSize {
        Preconditions.checkArgument(maxSide >= 1, "the longest side must be 1 or more, got %s", maxSide);
        Preconditions.checkArgument(multiple >= 1, "the size multiple must be 1 or more, got %s", multiple);
    }

    /** A height and width in pixels. */
    public record Size(int height, int width) {
    }

    /** The size to feed an image of {@code height × width}. */
    public Size resolve(int height, int width) {
        Preconditions.checkArgument(height >= 1 && width >= 1, "image size must be positive, got %s×%s", height, width);
        double ratio = Math.max(height, width) > maxSide ? (double) maxSide / Math.max(height, width) : 1;
        return new Size(round((int) (height * ratio)), round((int) (width * ratio)));
    }

    private int round(int side) {
        int r = Math.max(multiple, (int) Math.round((double) side / multiple) * multiple);
        // Rounding up must not pass the bound the user set, where a smaller multiple fits under it.
        return r > maxSide && r - multiple >= multiple ? r - multiple : r;
    }

    /** How the size is chosen, for index.json and messages. */
    public String describe() {
        return "free height and width: the image's own size, shrunk to a longest side of at most " + maxSide
                + (multiple > 1 ? ", each side rounded to a multiple of " + multiple : "");
    }
}
