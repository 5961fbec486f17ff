package io.filterscope.compare;

import io.filterscope.tensor.Shape;

/**
 * How far one layer's output in model A is from its match in model B, for the same input.
 *
 * @param a         the layer in A ("(output)" for the models' outputs)
 * @param b         the matched layer in B
 * @param matchedBy how they were matched: "map" (given), "name" or "order"
 * @param shape     the common shape (N × C × H × W for feature maps)
 * @param maxAbs    the largest absolute difference
 * @param meanAbs   the mean absolute difference
 * @param scale     the largest absolute value in A's output, against which {@link #parts} judges
 * @param parts     whether the difference is beyond the tolerance: maxAbs &gt; atol + rtol · scale
 */
public record LayerDiff(String a, String b, String matchedBy, Shape shape, double maxAbs, double meanAbs, double scale,
                        boolean parts) {
}
