package io.filterscope.swing;

import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.render.Paper;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * What the panel shows, as a {@link ContentSource} sees it: taken on the event dispatch thread, and
 * never changed, so a source may capture it in background work.
 *
 * @param model          the model shown, or null
 * @param modelSource    identifies {@code model} for cache keys (models are not compared by value)
 * @param image          the input image, or null
 * @param layer          the layer to show, or null when none is selected
 * @param capture        the model's run on the image, or null while it runs or when it could not
 * @param captureProblem why there is no capture when the run failed or was cancelled, else null
 * @param settings       the toolbar's settings
 * @param labels         the class names given to the panel (empty when none were)
 * @param paper          what grids are drawn on: white, or the dark theme's colours
 */
record Scene(Model model, long modelSource, BufferedImage image, LayerInfo layer, Capture capture,
             String captureProblem, ViewSettings settings, List<String> labels, Paper paper) {

    /** The same scene for another layer: what a prefetch of a neighbouring layer looks at. */
    Scene withLayer(LayerInfo other) {
        return new Scene(model, modelSource, image, other, capture, captureProblem, settings, labels, paper);
    }

    /** Which colour a depth-3 filter's channels are: BGR for models fed BGR (the caffe preset). */
    ChannelOrder channelOrder() {
        if (capture != null) {
            return capture.preprocessing().order();
        }
        try {
            return Preprocessing.forModel(model.metadata(), Optional.ofNullable(settings.preset())).order();
        } catch (FilterScopeException e) {
            return ChannelOrder.RGB; // not an image model; its filters are drawn as stored
        }
    }

    /**
     * The captured output that shows {@code l}: its own, or that of the layer whose picture is the
     * same tensor (a Relu fused into the conv before it is shown with the conv's post-activation maps).
     * Empty when there is no capture.
     */
    Optional<LayerOutput> outputOf(LayerInfo l) {
        if (capture == null) {
            return Optional.empty();
        }
        Activations act = capture.activations();
        return act.layer(l.name()).filter(LayerOutput::isSpatial)
                .or(() -> act.layers().stream().filter(o -> o.isSpatial() && o.tensor().equals(l.outputTensor())).findFirst());
    }
}
