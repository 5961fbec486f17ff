package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;

/** Keras 3 activation names to DL4J activations that compute the same function. */
final class KerasActivations {
    static final String SUPPORTED = "relu, relu6, sigmoid, tanh, softmax, linear, elu, selu, swish, silu, gelu, hard_sigmoid, leaky_relu";
    /** Keras 3's {@code leaky_relu} activation defaults to 0.2 (DL4J's LEAKYRELU to 0.01). */
    private static final double KERAS_LEAKY_SLOPE = 0.2;

    private KerasActivations() {
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
        IActivation a = switch (name) {
            case "relu" -> Activation.RELU.getActivationFunction();
            case "relu6" -> Activation.RELU6.getActivationFunction();
            case "sigmoid" -> Activation.SIGMOID.getActivationFunction();
            case "tanh" -> Activation.TANH.getActivationFunction();
            case "softmax" -> Activation.SOFTMAX.getActivationFunction();
            case "linear" -> Activation.IDENTITY.getActivationFunction();
            case "elu" -> Activation.ELU.getActivationFunction();
            case "selu" -> Activation.SELU.getActivationFunction();
            case "swish", "silu" -> Activation.SWISH.getActivationFunction();
            case "gelu" -> new GeluActivation();
            case "hard_sigmoid" -> new HardSigmoidActivation();
            case "leaky_relu" -> new ActivationLReLU(KERAS_LEAKY_SLOPE);
            default -> null;
        };
        return Optional.ofNullable(a);
    }
}
