package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.nd4j.linalg.api.buffer.DataType;

/** A {@code ComputationGraph} with one input: its vertices in DL4J's topological order. */
final class GraphSteps implements Network {
    private final ComputationGraph graph;
    private final List<Step> steps;
    private final int outputStep;

    GraphSteps(ComputationGraph graph, String name) {
        this.graph = graph;
        var conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": the graph has " + conf.getNetworkInputs().size()
                    + " inputs " + conf.getNetworkInputs() + "; FilterScope shows graphs with one image input");
        }
        GraphVertex[] vertices = graph.getVertices();
        Map<Integer, Integer> stepOfVertex = new HashMap<>();
        List<Step> out = new ArrayList<>();
        for (int v : graph.topologicalSortOrder()) {
            GraphVertex vertex = vertices[v];
            if (vertex.isInputVertex()) {
                stepOfVertex.put(v, Step.NETWORK_INPUT);
                continue;
            }
            List<Integer> inputs = new ArrayList<>();
            for (VertexIndices in : vertex.getInputVertices()) {
                inputs.add(stepOfVertex.get(in.getVertexIndex()));
            }
            int index = out.size();
            stepOfVertex.put(v, index);
            if (vertex.hasLayer()) {
                Optional<InputPreProcessor> pp = vertex instanceof LayerVertex lv ? Optional.ofNullable(lv.getLayerPreProcessor()) : Optional.empty();
                out.add(new Step(vertex.getVertexName(), index, inputs, Optional.of(vertex.getLayer()), pp, Optional.empty()));
            } else {
                out.add(new Step(vertex.getVertexName(), index, inputs, Optional.empty(), Optional.empty(), Optional.of(vertex)));
            }
        }
        this.steps = List.copyOf(out);
        String outputName = conf.getNetworkOutputs().get(0);
        this.outputStep = out.stream().filter(s -> s.name().equals(outputName)).findFirst().orElseThrow().index();
    }

    @Override
    public NeuralNetwork raw() {
        return graph;
    }

    @Override
    public List<Step> steps() {
        return steps;
    }

    @Override
    public int outputStep() {
        return outputStep;
    }

    @Override
    public DataType dataType() {
        return graph.params().dataType();
    }

    @Override
    public Map<String, InputType> activationTypes(InputType input) {
        return graph.getConfiguration().getLayerActivationTypes(input);
    }

    @Override
    public Optional<FeedForwardToCnnPreProcessor> flatImageInput() {
        return Optional.empty();
    }

    @Override
    public void ensureGradientViews() {
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView();
        }
    }
}
