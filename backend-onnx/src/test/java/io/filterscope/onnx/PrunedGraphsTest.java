package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import io.filterscope.tensor.Shape;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The graphs the backend rewrites keep only the weights their nodes read: ONNX Runtime loads every
 * initializer of a model it is given (and warns of each one nothing reads), so a graph carrying the
 * whole network's weights for part of it costs their memory for nothing.
 */
class PrunedGraphsTest {

    private static OnnxGraph bundled() throws Exception {
        return new OnnxGraph(io.filterscope.onnx.proto.OnnxModel.Model.parseFrom(Files.readAllBytes(OnnxModelTest.BUNDLED)));
    }

    /** Every initializer of {@code g} is read by one of its nodes. */
    private static void assertEveryWeightIsRead(Graph g, String what) {
        Set<String> read = new HashSet<>();
        g.getNodeList().forEach(n -> read.addAll(n.getInputList()));
        for (Tensor t : g.getInitializerList()) {
            assertTrue(read.contains(t.getName()), what + ": initializer '" + t.getName() + "' is read by no node");
        }
    }

    @Test
    void theTailFromTheLastConvCarriesOnlyTheClassifiersWeights() throws Exception {
        OnnxGraph graph = bundled();
        String cut = graph.policy.postActivation("/conv3/Conv_output_0");
        Graph tail = TailGraph.build(graph, cut, Shape.of(Shape.UNKNOWN, 64, 7, 7), List.of(), OnnxModelTest.BUNDLED, "/conv3/Conv").getGraph();
        assertEquals(Set.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                tail.getInitializerList().stream().map(Tensor::getName).collect(Collectors.toSet()));
        assertEveryWeightIsRead(tail, "tail");
    }

    /** Each request on the bundled CNN and on a small residual network, whose backward pass makes constants. */
    @Test
    void theGradientGraphCarriesOnlyConstantsItsNodesRead() throws Exception {
        for (java.nio.file.Path file : List.of(OnnxModelTest.BUNDLED, java.nio.file.Path.of("src/test/resources/gradients/resnetish/model.onnx"))) {
            try (Model m = FilterScope.open(file)) {
                List<String> spatial = m.layers().stream().filter(io.filterscope.model.LayerInfo::hasSpatialOutput)
                        .map(io.filterscope.model.LayerInfo::name).toList();
                long[] dims = m.metadata().input().shape().toArray();
                dims[0] = 2;
                for (GradientRequest r : List.of(GradientRequest.ofInput(1), GradientRequest.ofLayers(1, spatial.get(spatial.size() - 1)),
                        GradientRequest.ofLayers(1, spatial.get(0)), GradientRequest.ofChannel(spatial.get(1), 0))) {
                    GradientGraphs.Graph g = GradientGraphs.of(m, Shape.of(dims), r);
                    assertEveryWeightIsRead(io.filterscope.onnx.proto.OnnxModel.Model.parseFrom(g.model()).getGraph(), file.getFileName() + " " + r);
                }
            }
        }
    }

    /** The peak graph of the first conv keeps only what that layer needs: no later node, no later weight. */
    @Test
    void thePeakGraphRunsOnlyTheHeadOfTheNetwork() throws Exception {
        OnnxGraph graph = bundled();
        String first = graph.policy.postActivation("/conv1/Conv_output_0");
        var head = PeakGraph.build(graph, first, Layout.NCHW).getGraph();
        List<String> ops = head.getNodeList().stream().map(io.filterscope.onnx.proto.OnnxModel.Node::getOpType).toList();
        assertEquals(List.of("Conv", "Relu", "GlobalMaxPool", "GlobalAveragePool", "Shape", "Constant", "Reshape", "ArgMax"), ops);
        assertEquals(Set.of("conv1.weight", "conv1.bias"), head.getInitializerList().stream().map(Tensor::getName).collect(Collectors.toSet()));
        assertEveryWeightIsRead(head, "peak graph");
        assertEquals(List.of(PeakGraph.MAX, PeakGraph.MEAN, PeakGraph.ARGMAX, PeakGraph.SHAPE),
                head.getOutputList().stream().map(o -> o.getName()).toList());
    }
}
