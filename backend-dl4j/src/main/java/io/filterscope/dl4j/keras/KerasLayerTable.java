package io.filterscope.dl4j.keras;

import java.util.Map;

/**
 * Renders docs/keras-layers.md, the table of Keras layers and activations the Keras 3 reader
 * supports, from the reader's own registries ({@link GraphAssembler#LAYERS},
 * {@link KerasActivations#ACTIVATIONS}), so the table cannot drift from the code; a test fails
 * when the committed file differs. Regenerate with
 * {@code ./mvnw -o -q -pl backend-dl4j -am test -Dtest=KerasLayerTableTest -Dfilterscope.writeDocs=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class KerasLayerTable {
    private KerasLayerTable() {
    }

    /** The whole Markdown file. */
    static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Keras 3 layers and activations supported by the DL4J backend\n\n")
                .append("<!-- Generated from the reader's registries (KerasLayerTable); do not edit by hand. -->\n\n")
                .append("`Keras3Reader` rebuilds a Keras 3 model (`.keras`, or Keras 3's `.h5`) as a Deeplearning4j graph in NHWC, ")
                .append("one vertex per Keras layer, named as the layer. A layer or activation missing here is refused with one line ")
                .append("naming it. A `Lambda` layer is always refused: it holds Python code, which FilterScope never runs. ")
                .append("Nested Sequential models are read as their layers. `ops.*` rows are operations Keras records when code ")
                .append("combines Keras tensors directly (`x + 3.0`, `a * b`), as keras.applications' MobileNetV3 and ConvNeXt do.\n\n")
                .append("## Layers\n\n| Keras layer | Deeplearning4j | supported |\n| --- | --- | --- |\n");
        for (Map.Entry<String, GraphAssembler.Support> e : GraphAssembler.LAYERS.entrySet()) {
            md.append("| `").append(e.getKey()).append("` | ").append(e.getValue().dl4j()).append(" | ")
                    .append(e.getValue().notes().isEmpty() ? "all options" : e.getValue().notes()).append(" |\n");
        }
        md.append("\n## Activations\n\nAs `activation=` of Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose and Dense, ")
                .append("or in an `Activation` layer.\n\n| Keras activation | Deeplearning4j |\n| --- | --- |\n");
        for (Map.Entry<String, KerasActivations.Support> e : KerasActivations.ACTIVATIONS.entrySet()) {
            md.append("| `").append(e.getKey()).append("` | ").append(e.getValue().dl4j()).append(" |\n");
        }
        return md.toString();
    }

    /** Prints the table (the content of docs/keras-layers.md). */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
