package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import org.junit.jupiter.api.Test;

/**
 * Feature visualisation through DL4J's own gradients, on the bundled Keras model (channels-last):
 * judged by what the images do to the model, as on ONNX.
 */
class FeatureVisualizationTest {
    private static final String CONV = "conv3";

    @Test
    void channelImagesExciteTheirOwnChannelMostAndTheSameSeedGivesTheSameImage() {
        try (Model model = FilterScope.open(ExplainReferenceTest.MODEL)) {
            FeatureVisualizer fv = new FeatureVisualizer(model);
            int[] channels = {0, 1};
            Visualization[] v = new Visualization[channels.length];
            for (int i = 0; i < channels.length; i++) {
                // Few steps with a larger rate than the default: DL4J's layer-by-layer backward pass is slow.
                v[i] = fv.visualize(VisualizeRequest.channel(CONV, channels[i]).withSteps(24).withLearningRate(0.2).withSeed(1));
            }
            for (int i = 0; i < channels.length; i++) {
                double mine = channelMean(model, v[i].input(), channels[i]);
                assertEquals(mine, v[i].objective(), 1e-4 * Math.abs(mine), "the reported objective is the channel's mean activation");
                assertTrue(mine > 2 * v[i].startObjective(), "channel " + channels[i] + ": " + v[i].startObjective() + " -> " + mine);
                for (int j = 0; j < channels.length; j++) {
                    double other = channelMean(model, v[j].input(), channels[i]);
                    assertTrue(i == j || mine > other, "channel " + channels[i] + ": own image " + mine + ", channel " + channels[j] + "'s " + other);
                }
            }
            VisualizeRequest again = VisualizeRequest.channel(CONV, channels[0]).withSteps(4).withSeed(9);
            assertEquals(fv.visualize(again).image(), fv.visualize(again).image());
        }
    }

    private static double channelMean(Model model, Tensor input, int channel) {
        try (Activations a = model.capture(input, CaptureRequest.layers(CONV))) {
            Tensor t = a.layer(CONV).orElseThrow().values();
            int per = (int) (t.shape().dim(2) * t.shape().dim(3));
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += t.get(channel * per + i);
            }
            return sum / per;
        }
    }
}
