package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;

/** Keras 3 activation names to DL4J activations that compute the same function. */
final class KerasActivations {
    /** Keras 3's {@code leaky_relu} activation defaults to 0.2 (DL4J's LEAKYRELU to 0.01). */
    private static final double KERAS_LEAKY_SLOPE = 0.2;

    /** One supported activation: the DL4J function and what the docs table says about it. */
    record Support(String dl4j, Supplier<IActivation> create) {
    }

    /** Every supported Keras activation name, in table order. */
    static final Map<String, Support> ACTIVATIONS = registry();

    /** The names, for messages. */
    static final String SUPPORTED = String.join(", ", ACTIVATIONS.keySet());

    private KerasActivations() {
    }

    private static Map<String, Support> registry() {
        Map<String, Support> r = new LinkedHashMap<>();
        r.put("linear", dl4j(Activation.IDENTITY));
        r.put("relu", dl4j(Activation.RELU));
        r.put("relu6", dl4j(Activation.RELU6));
        r.put("sigmoid", dl4j(Activation.SIGMOID));
        r.put("tanh", dl4j(Activation.TANH));
        r.put("softmax", dl4j(Activation.SOFTMAX));
        r.put("elu", dl4j(Activation.ELU));
        r.put("celu", new Support("ELU (alpha 1, Keras' default)", Activation.ELU::getActivationFunction));
        r.put("selu", dl4j(Activation.SELU));
        r.put("swish", dl4j(Activation.SWISH));
        r.put("silu", dl4j(Activation.SWISH));
        r.put("gelu", new Support("GeluActivation (exact, erf)", GeluActivation::new));
        r.put("hard_sigmoid", new Support("HardSigmoidActivation (relu6(x + 3) / 6)", HardSigmoidActivation::new));
        r.put("hard_silu", new Support("HardSwishActivation (x · relu6(x + 3) / 6)", HardSwishActivation::new));
        r.put("hard_swish", new Support("HardSwishActivation (x · relu6(x + 3) / 6)", HardSwishActivation::new));
        r.put("hard_tanh", dl4j(Activation.HARDTANH));
        r.put("leaky_relu", new Support("LReLU (slope 0.2, Keras' default)", () -> new ActivationLReLU(KERAS_LEAKY_SLOPE)));
        r.put("softplus", dl4j(Activation.SOFTPLUS));
        r.put("softsign", dl4j(Activation.SOFTSIGN));
        r.put("mish", dl4j(Activation.MISH));
        r.put("exponential", new Support("ExponentialActivation", ExponentialActivation::new));
        for (String name : PointwiseActivation.NAMES) {
            r.put(name, new Support("PointwiseActivation (Keras' default parameters)", () -> new PointwiseActivation(name)));
        }
        return Collections.unmodifiableMap(r);
    }

    private static Support dl4j(Activation a) {
        return new Support(a.name(), a::getActivationFunction);
    }

    /** The activation's name: Keras writes a string, or {@code {"class_name": "function", "config": "relu"}}. */
    static String name(JsonNode activation) {
        if (activation == null || activation.isMissingNode() || activation.isNull()) {
            return "linear";
        }
        if (activation.isObject()) {
            JsonNode config = activation.path("config");
            return config.isTextual() ? config.asText() : activation.path("class_name").asText("?");
        }
        return activation.asText();
    }

    /** The DL4J activation for a Keras name, or empty when there is none. */
    static Optional<IActivation> of(String name) {
        Support s = ACTIVATIONS.get(name);
        return s == null ? Optional.empty() : Optional.of(s.create().get());
    }
}
