package io.filterscope.explain;

import io.filterscope.tensor.Tensor;
import java.util.Optional;

/**
 * What made the model give one output: the heatmap of one method for one class.
 *
 * @param method        the method that made it
 * @param layer         the layer a class activation map was computed at; empty for input-level methods
 * @param outputIndex   the explained output unit (class index)
 * @param score         the model's output for that unit on the unchanged input
 * @param heatmap       the map as the method gives it (not normalised), at the layer's {@code H × W}
 *                      for a CAM and at the input's for occlusion and saliency
 * @param inputGradient for saliency and SmoothGrad, d score / d input (SmoothGrad: averaged over the
 *                      noisy copies), unnormalised, in the input's own shape and layout
 * @param inputHeight   rows of the input image plane
 * @param inputWidth    columns of the input image plane
 */
public record Explanation(Method method, Optional<String> layer, int outputIndex, float score, Heatmap heatmap,
                          Optional<Tensor> inputGradient, int inputHeight, int inputWidth) {

    /** The heatmap resized to the input's height and width (bilinear, see {@link Heatmap#upsampled}). */
    public Heatmap upsampled() {
        return heatmap.height() == inputHeight && heatmap.width() == inputWidth ? heatmap : heatmap.upsampled(inputHeight, inputWidth);
    }
}
