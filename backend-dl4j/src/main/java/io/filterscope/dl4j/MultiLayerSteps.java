package io.filterscope.dl4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/** A {@code MultiLayerNetwork}: a chain, each layer fed by the one before through its preprocessor. */
final class MultiLayerSteps implements Network {
    private final MultiLayerNetwork network;
    private final List<Step> steps;

    MultiLayerSteps(MultiLayerNetwork network) {
        this.network = network;
        Layer[] layers = network.getLayers();
        List<Step> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < layers.length; i++) {
            String name = layers[i].conf().getLayer().getLayerName();
            if (name == null || name.isBlank() || !used.add(name)) {
                name = "layer" + i;
                used.add(name);
            }
            // A flat-to-image preprocessor on layer 0 only reshapes: FilterScope feeds the image
            // itself (see flatImageInput()), so the step leaves it out.
            InputPreProcessor own = network.getLayerWiseConfigurations().getInputPreProcess(i);
            Optional<InputPreProcessor> pp = i == 0 && own instanceof FeedForwardToCnnPreProcessor
                    ? Optional.empty() : Optional.ofNullable(own);
            out.add(new Step(name, i, List.of(i == 0 ? Step.NETWORK_INPUT : i - 1), Optional.of(layers[i]), pp, Optional.empty()));
        }
        this.steps = List.copyOf(out);
    }

    @Override
    public NeuralNetwork raw() {
        return network;
    }

    @Override
    public List<Step> steps() {
        return steps;
    }

    @Override
    public int outputStep() {
        return steps.size() - 1;
    }

    @Override
    public DataType dataType() {
        return network.params().dataType();
    }

    @Override
    public Map<String, InputType> activationTypes(InputType input) {
        List<InputType> types = network.getLayerWiseConfigurations().getLayerActivationTypes(input);
        Map<String, InputType> out = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            out.put(steps.get(i).name(), types.get(i));
        }
        return out;
    }

    @Override
    public Optional<FeedForwardToCnnPreProcessor> flatImageInput() {
        return network.getLayerWiseConfigurations().getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor p
                ? Optional.of(p) : Optional.empty();
    }

    @Override
    public void ensureGradientViews() {
        if (network.getFlattenedGradients() == null) {
            network.initGradientsView();
        }
    }
}
