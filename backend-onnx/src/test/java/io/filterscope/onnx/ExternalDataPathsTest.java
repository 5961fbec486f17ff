package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.StringStringEntry;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External data never comes from outside the model's folder, wherever in the model the tensor that
 * names it sits, and is refused before ONNX Runtime (which reads it itself) sees the model. The
 * models are the bundled test model with external weights, with its locations rewritten as a
 * hostile file would.
 */
class ExternalDataPathsTest {
    private static final Path SOURCE = OnnxModelTest.MODELS.resolve("external");

    @TempDir
    Path tmp;
    private Path folder;

    @BeforeEach
    void copyTheModelWithASecretBesideItsFolder() throws IOException {
        folder = Files.createDirectories(tmp.resolve("models/m"));
        Files.copy(SOURCE.resolve("weights.bin"), folder.resolve("weights.bin"));
        Files.copy(SOURCE.resolve("weights.bin"), tmp.resolve("models/secret.bin"));
    }

    @Test
    void theUnchangedCopyOpens() throws IOException {
        Path model = write(g -> g);
        try (Model m = FilterScope.open(model)) {
            assertEquals(1, m.allFilters().size());
        }
    }

    @Test
    void aRelativeLocationThatClimbsOutIsRefused() throws IOException {
        for (String location : new String[] {"../secret.bin", "../../etc/passwd", "sub/../../secret.bin", "./../m/../secret.bin"}) {
            assertRefused(write(initializerLocation(location)), location);
        }
    }

    @Test
    void anAbsoluteLocationIsRefusedEvenInsideTheFolder() throws IOException {
        assertRefused(write(initializerLocation("/etc/passwd")), "/etc/passwd");
        String inside = folder.resolve("weights.bin").toAbsolutePath().toString();
        assertRefused(write(initializerLocation(inside)), inside);
    }

    @Test
    void aLinkInsideTheFolderThatPointsOutIsRefused() throws IOException {
        Files.createSymbolicLink(folder.resolve("link.bin"), tmp.resolve("models/secret.bin"));
        assertRefused(write(initializerLocation("link.bin")), "link.bin");
    }

    /** A Constant node's value, a tensor in an attribute, may be external too: ONNX Runtime would read it. */
    @Test
    void anExternalTensorInANodeAttributeIsCheckedToo() throws IOException {
        Tensor secret = external("leak", "../secret.bin");
        Path model = write(g -> g.toBuilder().addNode(Node.newBuilder().setOpType("Constant").setName("c").addOutput("c_out")
                .addAttribute(Attribute.newBuilder().setName("value").setType(Attribute.Type.TENSOR).setT(secret))).build());
        assertRefused(model, "../secret.bin");
    }

    /** And inside a subgraph (the body of an If or a Loop). */
    @Test
    void anExternalTensorInASubgraphIsCheckedToo() throws IOException {
        Graph body = Graph.newBuilder().setName("body").addInitializer(external("deep", "../../etc/shadow")).build();
        Path model = write(g -> g.toBuilder().addNode(Node.newBuilder().setOpType("If").setName("if").addInput("cond").addOutput("if_out")
                .addAttribute(Attribute.newBuilder().setName("then_branch").setType(Attribute.Type.GRAPH).setG(body))).build());
        assertRefused(model, "../../etc/shadow");
    }

    @Test
    void aLocationWithControlCharactersStaysOnOneLine() throws IOException {
        String m = message(write(initializerLocation("../x\n/evil\u0000.bin")));
        assertTrue(m.contains("'../x\\u000a/evil\\u0000.bin'"), m);
    }

    /** Offsets and lengths come from the file too: one line naming it, whichever reader notices first. */
    @Test
    void offsetsAndLengthsFromTheFileCannotOverflowOrBeGarbage() throws IOException {
        for (String[] edit : new String[][] {{"offset", "9223372036854775800"}, {"length", "9223372036854775800"}, {"length", "lots"},
                {"offset", "-4"}}) {
            Path model = write(external(e -> e.getKey().equals(edit[0]) ? e.toBuilder().setValue(edit[1]).build() : e));
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> {
                try (Model m = FilterScope.open(model)) {
                    m.allFilters();
                }
            });
            assertTrue(e.getMessage().startsWith(model + ": ") && !e.getMessage().contains("\n"), String.join("=", edit) + ": " + e.getMessage());
            // FilterScope's own words, at open: ONNX Runtime's refusal of an overflowing offset is its internal error text.
            assertTrue(e.getMessage().contains("runs past the end of weights.bin; copy the complete file next to the model")
                    || e.getMessage().contains("', not a number; export the model again"), String.join("=", edit) + ": " + e.getMessage());
            assertThrows(FilterScopeException.class, () -> FilterScope.open(model).close(), "refused when the model is opened");
        }
    }

    private void assertRefused(Path model, String location) {
        String m = message(model);
        assertTrue(m.startsWith(model + ": external data location '" + location + "' of '")
                && m.endsWith("lies outside the model's folder; refused (keep the data files in the model's folder)"), m);
    }

    private static String message(Path model) {
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> FilterScope.open(model).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static Tensor external(String name, String location) {
        return Tensor.newBuilder().setName(name).setDataType(1).addDims(4).setDataLocation(Tensor.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntry.newBuilder().setKey("location").setValue(location)).build();
    }

    /** Rewrites the location of the weight initializer W. */
    private static UnaryOperator<Graph> initializerLocation(String location) {
        return external(e -> e.getKey().equals("location") ? e.toBuilder().setValue(location).build() : e);
    }

    private static UnaryOperator<Graph> external(UnaryOperator<StringStringEntry> edit) {
        return g -> {
            Graph.Builder b = g.toBuilder();
            for (Tensor.Builder t : b.getInitializerBuilderList()) {
                if (t.getName().equals("W")) {
                    var entries = t.getExternalDataList().stream().map(edit).toList();
                    t.clearExternalData().addAllExternalData(entries);
                }
            }
            return b.build();
        };
    }

    private Path write(UnaryOperator<Graph> edit) throws IOException {
        var model = io.filterscope.onnx.proto.OnnxModel.Model.parseFrom(Files.readAllBytes(SOURCE.resolve("model.onnx")));
        Path file = folder.resolve("model.onnx");
        Files.write(file, model.toBuilder().setGraph(edit.apply(model.getGraph())).build().toByteArray());
        return file;
    }
}
