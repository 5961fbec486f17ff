package io.filterscope.samples;

import io.filterscope.FilterScope;
import io.filterscope.Names;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The README's embedding example as a program: the first layer's filters, every feature map of one
 * image, and the top three classes.
 *
 * <pre>java -cp ... io.filterscope.samples.QuickLook MODEL.onnx IMAGE.png LABELS.txt OUT_DIR</pre>
 */
public final class QuickLook {
    private QuickLook() {
    }

    public static void main(String[] args) {
        Path out = Path.of(args[3]);
        List<String> labels = Predictions.readLabels(Path.of(args[2]));
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            FilterBank first = model.allFilters().get(0);                     // out × in/groups × kH × kW
            Png.write(GridRenderer.filters(first, GridStyle.filters()), out.resolve("filters.png"));

            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            Activations act = model.capture(Preprocessor.load(Path.of(args[1]), prep), CaptureRequest.allSpatial());
            for (LayerOutput layer : act.layers()) {                          // one inference for all layers
                Png.write(GridRenderer.featureMaps(layer.featureMaps(0), GridStyle.featureMaps()),
                        out.resolve(Names.sanitize(layer.layer().name()) + ".png"));
            }
            Predictions.topK(act.output(), 0, labels, 3).forEach(System.out::println);
        }
    }
}
