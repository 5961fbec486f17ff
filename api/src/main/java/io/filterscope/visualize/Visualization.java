package io.filterscope.visualize;

import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * An optimised image and how far it got.
 *
 * @param request        the request as carried out: its size and transforms resolved for the model
 * @param image          the image, channels × size × size, values in (0, 1): RGB, or one gray channel
 * @param input          the image as the model's input (resized to the model's input size when that
 *                       is fixed, normalised by the preprocessing, in the model's layout), a batch
 *                       of one, or of the model's fixed batch size (the image repeated)
 * @param startObjective the target's value for the start image (seeded noise), placed without transforms
 * @param objective      the target's value for the final image, placed without transforms
 * @param history        the target's value at each step, as the transformed image of that step gave it
 */
public record Visualization(VisualizeRequest request, Tensor image, Tensor input, double startObjective, double objective,
                            List<Double> history) {
    public Visualization {
        history = List.copyOf(history);
    }

    /** The image's side in pixels. */
    public int size() {
        return (int) image.shape().dim(1);
    }

    /** The image as a picture: RGB, or gray for one channel. */
    public BufferedImage picture() {
        int c = (int) image.shape().dim(0);
        int s = size();
        int plane = s * s;
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int rgb = 0;
            for (int k = 0; k < 3; k++) {
                float v = image.get((c == 3 ? k : 0) * plane + p);
                rgb = rgb << 8 | Math.max(0, Math.min(255, Math.round(v * 255)));
            }
            img.setRGB(p % s, p / s, rgb);
        }
        return img;
    }
}
