package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The layer graph of a Keras 3 Sequential or Functional model config: layers in config order (which
 * Keras writes inputs-first), each with the names of the layers feeding it, and the model's inputs and
 * outputs.
 */
record KerasModelSpec(List<KerasLayer> layers, List<String> inputs, List<String> outputs) {

    static KerasModelSpec parse(JsonNode model, Path file) {
        String kind = model.path("class_name").asText();
        JsonNode config = model.path("config");
        return switch (kind) {
            case "Sequential" -> sequential(config, file);
            case "Functional", "Model" -> functional(config, file);
            default -> throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": the model is a " + (kind.isEmpty() ? "model of unknown class" : kind)
                    + "; only Sequential and Functional Keras models can be read (subclassed models have no config to rebuild)");
        };
    }

    private static KerasModelSpec sequential(JsonNode config, Path file) {
        List<KerasLayer> layers = new ArrayList<>();
        String previous = null;
        for (JsonNode node : config.path("layers")) {
            String className = node.path("class_name").asText();
            JsonNode c = node.path("config");
            String name = c.path("name").asText();
            layers.add(new KerasLayer(className, name, c, previous == null ? List.of() : List.of(previous)));
            previous = name;
        }
        if (layers.isEmpty() || !layers.get(0).className().equals("InputLayer")) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": the Sequential model has no InputLayer (it was saved before it was built); "
                    + "start it with keras.Input(shape) and save it again");
        }
        return new KerasModelSpec(layers, List.of(layers.get(0).name()), List.of(previous));
    }

    private static KerasModelSpec functional(JsonNode config, Path file) {
        List<KerasLayer> layers = new ArrayList<>();
        for (JsonNode node : config.path("layers")) {
            String className = node.path("class_name").asText();
            JsonNode c = node.path("config");
            String name = node.path("name").asText(c.path("name").asText());
            JsonNode nodes = node.path("inbound_nodes");
            if (nodes.size() > 1) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer " + className + " '" + name + "' is called " + nodes.size()
                        + " times (a shared layer); shared layers are not supported, give each call its own layer");
            }
            List<String> inputs = new ArrayList<>();
            if (nodes.size() == 1) {
                // Tensors are positional in practice; keyword tensors (layer(inputs=…)) come after them.
                collectHistory(nodes.get(0).path("args"), inputs);
                collectHistory(nodes.get(0).path("kwargs"), inputs);
            }
            layers.add(new KerasLayer(className, name, c, List.copyOf(inputs)));
        }
        return new KerasModelSpec(layers, endpoints(config.path("input_layers")), endpoints(config.path("output_layers")));
    }

    /** Keras tensors anywhere in a call's args: {@code {"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, index]}}}. */
    private static void collectHistory(JsonNode node, List<String> into) {
        if (node.isArray()) {
            node.forEach(n -> collectHistory(n, into));
        } else if (node.isObject()) {
            JsonNode history = node.path("config").path("keras_history");
            if ("__keras_tensor__".equals(node.path("class_name").asText()) && history.isArray()) {
                into.add(history.get(0).asText());
            } else {
                node.forEach(n -> collectHistory(n, into));
            }
        }
    }

    /** {@code ["name", 0, 0]} for one endpoint, {@code [["a", 0, 0], ["b", 0, 0]]} for several. */
    private static List<String> endpoints(JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node.isArray() && node.size() > 0 && node.get(0).isTextual()) {
            names.add(node.get(0).asText());
        } else {
            Set<String> seen = new HashSet<>();
            for (JsonNode n : node) {
                if (seen.add(n.get(0).asText())) {
                    names.add(n.get(0).asText());
                }
            }
        }
        return names;
    }
}
