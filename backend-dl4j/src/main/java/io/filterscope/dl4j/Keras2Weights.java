package io.filterscope.dl4j;

import io.filterscope.dl4j.keras.Hdf5Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.layers.wrappers.KerasBidirectional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weights of a Keras 1/2 {@code .h5} file, read in Java ({@link Hdf5Reader}) into the layers of
 * DL4J's Keras import. This is DL4J 1.0.0-M2.1's {@code KerasModelUtils.importWeights} step for step
 * (which groups hold a layer's weights, how a dataset name becomes a parameter name, the
 * Bidirectional halves, the same refusals), with {@link Hdf5Reader} where DL4J used its native
 * {@code Hdf5Archive}: the same files load with the same weights, and none reaches libhdf5.
 */
final class Keras2Weights {
    /** Where Keras' {@code model.save} puts the weights (DL4J's {@code trainingWeightsRoot}). */
    static final String ROOT = "model_weights";
    private static final Pattern TF_SUFFIX = Pattern.compile(":\\d+");

    private final Hdf5Reader h5;
    private final int kerasVersion;
    private final String backend;

    /**
     * @param kerasVersion the major version (1 or 2) DL4J read from the config
     * @param backend      "tensorflow", "theano", …; null when the file does not say
     */
    Keras2Weights(Hdf5Reader h5, int kerasVersion, String backend) {
        this.h5 = h5;
        this.kerasVersion = kerasVersion;
        this.backend = backend;
    }

    /** Sets each layer's weights from the file; refuses a file whose weights do not match the layers. */
    void importInto(Map<String, KerasLayer> layers) throws InvalidKerasConfigurationException {
        boolean includesSlash = layers.keySet().stream().anyMatch(n -> n.contains("/"));
        // Layer names with a slash are groups below groups: HDF5 cannot list them as one name.
        List<String> layerGroups = includesSlash ? new ArrayList<>(layers.keySet()) : h5.getGroups(ROOT);
        for (String layerName : layerGroups) {
            String[] fragments = layerName.split("/");
            String weightNames = String.join("", h5.readAttributeAsStrings("weight_names", path(ROOT, layerName)));
            boolean tfGroups = TF_SUFFIX.matcher(weightNames).find();
            String scope = tfGroups ? scopeOf(weightNames) : fragments[0];
            String base = layerName + "/" + scope;
            List<String> paramNames;
            if (fragments.length > 1) {
                paramNames = h5.isGroup(path(ROOT, base)) ? h5.getDataSets(path(ROOT, base)) : h5.getDataSets(path(ROOT, layerName));
            } else if (tfGroups) {
                paramNames = h5.getDataSets(path(ROOT, base));
            } else if (kerasVersion == 2) {
                if ("theano".equals(backend) && layerName.contains("bidirectional")) {
                    for (String part : weightNames.split("/")) {
                        if (part.contains("forward")) {
                            base = base + "/" + part;
                        }
                    }
                }
                KerasLayer layer = layers.get(layerName);
                if (layer != null && layer.getNumParams() > 0) {
                    // DL4J goes on without weights for this layer here; copying them to the network then refuses it.
                    paramNames = h5.isGroup(path(ROOT, base)) ? h5.getDataSets(path(ROOT, base)) : List.of();
                } else {
                    paramNames = h5.getDataSets(path(ROOT, layerName));
                }
            } else {
                paramNames = h5.getDataSets(path(ROOT, layerName));
            }
            if (paramNames.isEmpty()) {
                continue;
            }
            KerasLayer layer = layers.get(layerName);
            if (layer == null) {
                throw new InvalidKerasConfigurationException("Found weights for layer not in model (named " + layerName + ")");
            }
            if (paramNames.size() != layer.getNumParams() && kerasVersion == 2 && layer instanceof KerasBidirectional
                    && 2 * paramNames.size() != layer.getNumParams()) {
                throw new InvalidKerasConfigurationException("Found " + paramNames.size() + " weights for layer with " + layer.getNumParams()
                        + " trainable params (named " + layerName + ")");
            }
            Map<String, INDArray> weights = new HashMap<>();
            for (String setName : paramNames) {
                String paramName = parameterName(setName, fragments);
                if (kerasVersion == 2 && layer instanceof KerasBidirectional) {
                    weights.put("forward_" + paramName, read(setName, ROOT + "/" + base));
                    weights.put("backward_" + paramName, read(setName, ROOT + "/" + base.replace("forward", "backward")));
                } else if (tfGroups || (fragments.length == 1 && kerasVersion == 2)) {
                    weights.put(paramName, read(setName, ROOT + "/" + base));
                } else if (fragments.length > 1) {
                    weights.put(paramName, read(fragments[0] + "/" + setName, ROOT + "/" + layerName));
                } else {
                    weights.put(paramName, read(setName, ROOT + "/" + layerName));
                }
            }
            layer.setWeights(weights);
        }
        Set<String> withoutGroup = new HashSet<>(layers.keySet());
        layerGroups.forEach(withoutGroup::remove);
        for (String layerName : withoutGroup) {
            if (layers.get(layerName).getNumParams() > 0) {
                throw new InvalidKerasConfigurationException("Could not find weights required for layer " + layerName);
            }
        }
    }

    /** TensorFlow writes {@code <scope>/.../kernel:0}: the scope is the path before the first part with a ":0" suffix. */
    private static String scopeOf(String weightNames) {
        List<String> parts = new ArrayList<>();
        for (String part : weightNames.split("/")) {
            part = part.trim();
            if (part.isEmpty() || TF_SUFFIX.matcher(part).find()) {
                break;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /**
     * The parameter a dataset holds: its name without the layer's name, a leading underscore, a
     * TensorFlow ":0" suffix or a trailing "_1" ("conv1_W" → "W", "kernel:0" → "kernel").
     */
    static String parameterName(String dataset, String[] layerFragments) {
        // DL4J read the layer name as a regular expression; quoted here, the same for every ordinary name.
        String name = dataset.replaceFirst(Pattern.quote(layerFragments[layerFragments.length - 1]), "");
        if (name.startsWith("_") && name.length() > 1) {
            name = name.substring(1);
        }
        name = name.replaceFirst(":\\d+?$", "");
        return name.replaceFirst("_\\d+$", "");
    }

    private INDArray read(String dataset, String groups) {
        String[] path = path(groups + "/" + dataset);
        Hdf5Reader.Floats floats = h5.readDataSet(path[path.length - 1], Arrays.copyOf(path, path.length - 1));
        return Nd4j.create(floats.values(), floats.shape(), 'c');
    }

    /** HDF5 path text ("a/b", "a//b/") as the group names {@link Hdf5Reader} takes. */
    private static String[] path(String... parts) {
        return Arrays.stream(String.join("/", parts).split("/")).filter(p -> !p.isEmpty()).toArray(String[]::new);
    }
}
