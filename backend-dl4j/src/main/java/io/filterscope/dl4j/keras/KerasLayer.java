package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One layer of a Keras 3 model config.
 *
 * @param className the Keras class ({@code Conv2D}, …)
 * @param name      the layer's name, which becomes the DL4J vertex name
 * @param config    the layer's {@code config} object
 * @param inputs    the names of the layers whose outputs feed it, in argument order (empty for inputs)
 * @param call      the call's positional arguments as Keras recorded them (tensors and constants, e.g.
 *                  {@code [tensor, 3.0]} for {@code x + 3.0}); empty when not recorded
 */
record KerasLayer(String className, String name, JsonNode config, List<String> inputs, JsonNode call) {
    /** Class-name prefix of an operation applied to Keras tensors ({@code x + 3.0} is {@code ops.add}). */
    static final String OP_PREFIX = "ops.";

    KerasLayer(String className, String name, JsonNode config, List<String> inputs) {
        this(className, name, config, inputs, com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    /** The numbers among the call's positional arguments, in order. */
    List<Double> constants() {
        List<Double> out = new java.util.ArrayList<>();
        for (JsonNode a : call) {
            if (a.isNumber()) {
                out.add(a.asDouble());
            }
        }
        return out;
    }
}
