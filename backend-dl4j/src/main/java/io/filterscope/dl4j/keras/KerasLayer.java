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
 */
record KerasLayer(String className, String name, JsonNode config, List<String> inputs) {
}
