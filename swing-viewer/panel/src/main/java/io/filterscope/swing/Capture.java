package io.filterscope.swing;

import io.filterscope.model.Activations;
import io.filterscope.model.FeatureMaps;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * The result of running the model once on the current image with the current preset.
 *
 * @param source        identifies this run, for cache keys (a new run gets a new number)
 * @param preprocessing what the image went through
 * @param activations   every spatial layer's output, and the model's output
 * @param input         the tensor the model ran on
 * @param seen          the input as the model saw it
 * @param maps          feature maps already extracted from {@code activations}, by layer; filled on demand
 */
record Capture(long source, Preprocessing preprocessing, Activations activations, Tensor input, BufferedImage seen,
               Map<String, FeatureMaps> maps) {
}
