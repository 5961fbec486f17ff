package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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
        // A nested Sequential model is inlined: its name stands for its last layer's output.
        Map<String, String> alias = new HashMap<>();
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
            JsonNode call = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            if (nodes.size() == 1) {
                // Tensors are positional in practice; keyword tensors (layer(inputs=…)) come after them.
                collectHistory(nodes.get(0).path("args"), inputs);
                collectHistory(nodes.get(0).path("kwargs"), inputs);
                call = nodes.get(0).path("args");
            }
            inputs.replaceAll(i -> alias.getOrDefault(i, i));
            if (className.equals("Sequential") && c.has("layers")) {
                String last = inline(c, name, inputs, layers, file);
                alias.put(name, last);
                continue;
            }
            if (className.equals("Functional") || className.equals("Model")) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": layer '" + name + "' is a nested Functional model; "
                        + "only nested Sequential models are supported, build the model as one Functional graph");
            }
            if (isOperation(node, className, call)) {
                // An operation on Keras tensors (x + 3.0, a * b), not a layer: ops.<name>.
                className = KerasLayer.OP_PREFIX + KerasFile.snakeCase(className);
            }
            layers.add(new KerasLayer(className, name, c, List.copyOf(inputs), call));
        }
        List<String> outputs = endpoints(config.path("output_layers"));
        outputs.replaceAll(o -> alias.getOrDefault(o, o));
        return new KerasModelSpec(layers, endpoints(config.path("input_layers")), outputs);
    }

    /** Operations Keras records for arithmetic on Keras tensors, which share class names with layers. */
    private static final Set<String> OPERATIONS = Set.of("Add", "Subtract", "Multiply", "Divide", "TrueDivide");

    /**
     * Whether a node is an operation on tensors ({@code x + 3.0}) rather than a layer. The zip form
     * says so in {@code module}; the legacy HDF5 form drops it, so there an operation is known by
     * its call: tensors and numbers as separate arguments, where a merge layer takes one list.
     */
    private static boolean isOperation(JsonNode node, String className, JsonNode call) {
        String module = node.path("module").asText("");
        if (!module.isEmpty()) {
            return module.startsWith("keras.src.ops");
        }
        return OPERATIONS.contains(className) && call.size() > 0 && !call.get(0).isArray();
    }

    /** Adds a nested Sequential model's layers fed by {@code inputs}; returns the name of its last layer. */
    private static String inline(JsonNode config, String name, List<String> inputs, List<KerasLayer> into, Path file) {
        List<String> previous = List.copyOf(inputs);
        String last = null;
        for (JsonNode node : config.path("layers")) {
            String className = node.path("class_name").asText();
            if (className.equals("InputLayer")) {
                continue;
            }
            if (className.equals("Sequential") || className.equals("Functional")) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": the nested model '" + name + "' nests another model; flatten it in Keras and save again");
            }
            JsonNode c = node.path("config");
            last = c.path("name").asText();
            into.add(new KerasLayer(className, last, c, previous));
            previous = List.of(last);
        }
        if (last == null) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": the nested model '" + name + "' has no layers; save the model again with Keras 3");
        }
        return last;
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
