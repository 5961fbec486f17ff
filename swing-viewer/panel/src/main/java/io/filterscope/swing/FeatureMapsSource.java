package io.filterscope.swing;

import io.filterscope.model.FeatureMaps;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Normalization;
import io.filterscope.render.Paper;
import io.filterscope.render.RenderedGrid;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The Feature maps tab: the selected layer's output for the current image, one tile per channel. */
final class FeatureMapsSource extends GridSource {

    /** What a feature-map grid depends on: the model run (image and preset), the layer and the settings. */
    private record Key(long captureSource, String layer, Colormap colormap, Normalization normalization, ChannelSelection channels,
                       Paper paper) {
    }

    FeatureMapsSource() {
        super(ViewTab.FEATURE_MAPS, "Feature maps", "feature-maps");
    }

    @Override
    public Content content(Scene s) {
        if (s.model() == null) {
            return new Content.Message("Open a model to see its feature maps.");
        }
        if (s.image() == null) {
            return new Content.Message("Open an image to see the feature maps it produces.");
        }
        LayerInfo selected = s.layer();
        if (selected == null) {
            return new Content.Message("Select a layer on the left.");
        }
        Capture c = s.capture();
        if (c == null) {
            return new Content.Message(s.captureProblem() != null ? s.captureProblem() : "Running the model…");
        }
        Optional<LayerOutput> out = s.outputOf(selected);
        if (out.isEmpty()) {
            String spatial = c.activations().layers().stream().map(l -> l.layer().name()).collect(Collectors.joining(", "));
            return new Content.Message(selected.name() + " (" + selected.op() + ") has no feature maps"
                    + selected.outputShape().map(sh -> ": its output " + sh + " is not an image-like C×H×W map").orElse("") + ".\n"
                    + (spatial.isEmpty() ? "This model has no layers with feature maps." : "Layers with feature maps: " + spatial + "."));
        }
        LayerOutput layerOut = out.get();
        String layer = selected.name();
        ChannelSelection channels = s.settings().channels();
        GridStyle style = GridStyle.featureMaps().withColormap(s.settings().colormap()).withNormalization(s.settings().normalization())
                .withPaper(s.paper());
        return new Content.Drawing(new Key(c.source(), layer, style.colormap(), style.normalization(), channels, style.paper()),
                "Drawing the feature maps of " + layer + "…", "Cannot draw the feature maps of " + layer, () -> {
                    FeatureMaps maps = c.maps().computeIfAbsent(layerOut.layer().name(), n -> layerOut.featureMaps(0));
                    List<Integer> chosen = switch (channels.mode()) {
                        case ALL -> IntStream.range(0, maps.channels()).boxed().toList();
                        case TOP_MEAN -> GridRenderer.topChannels(maps, channels.count(), false);
                        case TOP_MAX -> GridRenderer.topChannels(maps, channels.count(), true);
                    };
                    // A layer can show another's output (a conv is captured after its activation, so the
                    // ReLU shows the same tensor); the caption names the layer selected.
                    FeatureMaps named = maps.layer().equals(layer) ? maps : new FeatureMaps(layer, maps.tensor(), maps.maps(), maps.stats());
                    RenderedGrid grid = GridRenderer.renderFeatureMaps(named, style, chosen);
                    return new ShownGrid(layer, grid, new ShownGrid.MapValues(maps));
                }, now -> now.capture() == c);
    }

    @Override
    public void captureChanged(Scene s) {
        // Maps of another image or preset would mislead while the new ones are computed.
        lane().invalidate();
        if (content(s) instanceof Content.Message m) {
            say(m.text());
        }
    }
}
