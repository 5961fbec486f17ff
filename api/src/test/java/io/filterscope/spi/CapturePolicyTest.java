package io.filterscope.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.spi.CapturePolicy.Node;
import io.filterscope.spi.CapturePolicy.Role;
import io.filterscope.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one capture policy, on small graphs written out by hand in the two styles backends produce. */
class CapturePolicyTest {

    /** A ResNet basic block as PyTorch exports it (batch norm folded): conv1 → relu1 → conv2 → add(relu1-branch) → relu2 → pool. */
    private static final List<Node> RESNET = List.of(
            node("stem", Role.OTHER),
            node("stem_relu", Role.ACTIVATION, "stem"),
            node("conv1", Role.OTHER, "stem_relu"),
            node("relu1", Role.ACTIVATION, "conv1"),
            node("conv2", Role.OTHER, "relu1"),
            node("add", Role.SUM, "conv2", "stem_relu"),
            node("relu2", Role.ACTIVATION, "add"),
            node("pool", Role.OTHER, "relu2"),
            new Node("fc", Role.OTHER, false, true, List.of("pool")));

    @Test
    void aLayerIsShownByTheActivationAfterItThroughPassThroughNodes() {
        CapturePolicy p = CapturePolicy.of(List.of(
                node("conv", Role.OTHER),
                node("bias", Role.PASS_THROUGH, "conv"),
                node("bn", Role.PASS_THROUGH, "bias"),
                node("to_nhwc", Role.PASS_THROUGH, "bn"),
                node("relu", Role.ACTIVATION, "to_nhwc"),
                node("pool", Role.OTHER, "relu"),
                node("tanh", Role.ACTIVATION, "pool")));
        assertEquals("relu", p.postActivation("conv"));
        assertEquals("relu", p.postActivation("bn"));
        assertEquals("relu", p.postActivation("relu"));
        assertEquals("tanh", p.postActivation("pool"));
        assertEquals("conv", p.representative("conv", CaptureMode.PRE_ACTIVATION));
    }

    @Test
    void theWalkStopsAtAForkAModelOutputAnOtherNodeAndALayerWithItsOwnActivation() {
        CapturePolicy p = CapturePolicy.of(List.of(
                node("forked", Role.OTHER),
                node("a", Role.ACTIVATION, "forked"),
                node("b", Role.OTHER, "forked"),
                new Node("out", Role.OTHER, false, true, List.of("b")),
                node("after_out", Role.ACTIVATION, "out"),
                node("pad", Role.OTHER, "a"),
                node("relu_after_pad", Role.ACTIVATION, "pad"),
                new Node("conv_relu", Role.OTHER, true, false, List.of("relu_after_pad")),
                node("sigmoid", Role.ACTIVATION, "conv_relu")));
        assertEquals("forked", p.postActivation("forked"));
        assertEquals("out", p.postActivation("out"));
        assertEquals("relu_after_pad", p.postActivation("pad"));
        assertEquals("conv_relu", p.postActivation("conv_relu"), "DL4J conv with its own activation");
        assertThrows(IllegalArgumentException.class, () -> p.postActivation("nope"));
    }

    @Test
    void theWalkIsBounded() {
        List<Node> chain = new ArrayList<>(List.of(node("conv", Role.OTHER)));
        for (int i = 0; i < CapturePolicy.MAX_CHAIN; i++) {
            chain.add(node("id" + i, Role.PASS_THROUGH, i == 0 ? "conv" : "id" + (i - 1)));
        }
        chain.add(node("relu", Role.ACTIVATION, "id" + (CapturePolicy.MAX_CHAIN - 1)));
        assertEquals("conv", CapturePolicy.of(chain).postActivation("conv"));
        assertEquals("relu", CapturePolicy.of(chain).postActivation("id0"));
    }

    @Test
    void aConvThatOnlyFeedsAResidualSumIsLeftOutOfEverySpatialLayer() {
        CapturePolicy p = CapturePolicy.of(RESNET);
        assertTrue(p.feedsResidualSum("conv2"));
        assertFalse(p.feedsResidualSum("stem_relu"), "two consumers");
        List<LayerInfo> layers = layers("stem", "stem_relu", "conv1", "relu1", "conv2", "add", "relu2", "pool");
        Map<String, String> shown = names(p.select(CaptureRequest.allSpatial(), layers, byName(layers)));
        assertEquals(Map.of("stem", "stem_relu", "conv1", "relu1", "add", "relu2", "pool", "pool"), shown);
        assertEquals(List.of("stem", "conv1", "add", "pool"), List.copyOf(shown.keySet()));

        Map<String, String> pre = names(p.select(CaptureRequest.allSpatial().withMode(CaptureMode.PRE_ACTIVATION), layers, byName(layers)));
        assertEquals(List.of("stem", "stem_relu", "conv1", "relu1", "conv2", "add", "relu2", "pool"), List.copyOf(pre.keySet()));

        // Named, it is shown: by itself, since a sum is not an activation.
        assertEquals(Map.of("conv2", "conv2", "conv1", "relu1"),
                names(p.select(CaptureRequest.layers("conv2", "conv1", "conv2"), layers, byName(layers))));
        assertEquals(Map.of(), p.select(CaptureRequest.outputOnly(), layers, byName(layers)));
    }

    @Test
    void aResidualBranchWithItsOwnBatchNormIsLeftOutToo() {
        CapturePolicy p = CapturePolicy.of(List.of(
                node("x", Role.OTHER),
                node("conv", Role.OTHER, "x"),
                node("bn", Role.PASS_THROUGH, "conv"),
                node("sum", Role.SUM, "bn", "x"),
                node("relu", Role.ACTIVATION, "sum")));
        assertTrue(p.feedsResidualSum("conv"));
        assertTrue(p.feedsResidualSum("bn"));
        assertFalse(p.feedsResidualSum("x"));
        assertFalse(p.feedsResidualSum("sum"));
    }

    @Test
    void idsAreUnique() {
        assertThrows(IllegalArgumentException.class, () -> CapturePolicy.of(List.of(node("a", Role.OTHER), node("a", Role.OTHER))));
    }

    private static Node node(String id, Role role, String... inputs) {
        return new Node(id, role, role == Role.ACTIVATION, false, List.of(inputs));
    }

    private static List<LayerInfo> layers(String... names) {
        List<LayerInfo> out = new ArrayList<>();
        for (String n : names) {
            out.add(new LayerInfo(n, n, "Op", LayerKind.OTHER, out.size(), n, Optional.of(Shape.of(1, 2, 3, 3)), Optional.empty()));
        }
        return out;
    }

    private static java.util.function.Function<String, LayerInfo> byName(List<LayerInfo> layers) {
        return name -> layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> names(Map<LayerInfo, String> selected) {
        Map<String, String> out = new LinkedHashMap<>();
        selected.forEach((l, t) -> out.put(l.name(), t));
        return out;
    }
}
