package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.StringStringEntry;
import io.filterscope.onnx.proto.OnnxModel.Tensor.DataLocation;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rewritten models refer to the weights where they lie in the model file instead of carrying a copy
 * ({@link FileWeights}): the references point at exactly the initializers' bytes, the rewritten model
 * is small, and a file the scan cannot vouch for is rewritten whole as before.
 */
class FileWeightsTest {

    @Test
    void everyLargeRawInitializerIsReferencedAtItsOwnBytesInTheFile() throws Exception {
        Path file = OnnxModelTest.BUNDLED;
        OnnxFile.Parsed parsed = OnnxFile.parse(file);
        Graph g = parsed.model().getGraph();
        long large = g.getInitializerList().stream().filter(t -> t.getRawData().size() >= 1024).count();
        assertTrue(large >= 2, "the bundled model has large weights");
        assertEquals(large, parsed.weights().placed());

        var rewritten = parsed.weights().referencing(Sessions.withOutputs(parsed.model(), List.of(g.getNode(0).getOutput(0))));
        byte[] bytes = Files.readAllBytes(file);
        int referenced = 0;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            var original = g.getInitializer(i);
            var now = rewritten.getGraph().getInitializer(i);
            assertEquals(original.getName(), now.getName());
            if (now.getDataLocation() != DataLocation.EXTERNAL) {
                assertEquals(original, now, "an initializer left in place is unchanged");
                continue;
            }
            referenced++;
            Map<String, String> ext = now.getExternalDataList().stream().collect(Collectors.toMap(StringStringEntry::getKey, StringStringEntry::getValue));
            assertEquals(file.getFileName().toString(), ext.get("location"));
            int offset = Integer.parseInt(ext.get("offset"));
            int length = Integer.parseInt(ext.get("length"));
            assertArrayEquals(original.getRawData().toByteArray(), Arrays.copyOfRange(bytes, offset, offset + length), original.getName());
            assertTrue(now.getRawData().isEmpty());
            assertEquals(original.getDimsList(), now.getDimsList());
        }
        assertEquals(large, referenced);
        assertTrue(rewritten.getSerializedSize() < bytes.length / 20, "rewritten model of " + rewritten.getSerializedSize()
                + " bytes for a " + bytes.length + "-byte file");
        assertEquals(parsed.model().getGraph().getOutputCount() + 1, rewritten.getGraph().getOutputCount());
    }

    @Test
    void anInitializerARewriteReplacedIsSerialisedWithItsOwnBytes() {
        OnnxFile.Parsed parsed = OnnxFile.parse(OnnxModelTest.BUNDLED);
        Graph g = parsed.model().getGraph();
        int i = 0;
        while (g.getInitializer(i).getRawData().size() < 1024) {
            i++;
        }
        // Same name, dims and bytes, but a new object, as a rewrite that changes a weight makes.
        var copy = g.getInitializer(i).toBuilder().build();
        var changed = parsed.model().toBuilder().setGraph(g.toBuilder().setInitializer(i, copy)).build();
        var out = parsed.weights().referencing(changed).getGraph().getInitializer(i);
        assertEquals(DataLocation.DEFAULT, out.getDataLocation());
        assertEquals(copy.getRawData(), out.getRawData());
    }

    /** Protobuf merges a repeated message field: a file with two graph fields parses as one graph. */
    @Test
    void aFileWithTheGraphGivenTwiceIsRewrittenWholeAndCapturesAsBefore(@TempDir Path dir) throws Exception {
        Path plain = OnnxModelTest.BUNDLED;
        byte[] bytes = Files.readAllBytes(plain);
        ByteArrayOutputStream twice = new ByteArrayOutputStream();
        twice.write(bytes);
        CodedOutputStream out = CodedOutputStream.newInstance(twice);
        out.writeMessage(7, Graph.newBuilder().setDocString("merged").build());   // field 7: graph
        out.flush();
        Path merged = dir.resolve("merged.onnx");
        Files.write(merged, twice.toByteArray());

        assertEquals(0, OnnxFile.parse(merged).weights().placed());
        Tensor input = Tensor.zeros(Shape.of(1, 1, 28, 28));
        try (Model a = FilterScope.open(plain); Model b = FilterScope.open(merged);
                Activations x = a.capture(input, CaptureRequest.allSpatial()); Activations y = b.capture(input, CaptureRequest.allSpatial())) {
            assertEquals(x.layers().size(), y.layers().size());
            for (int k = 0; k < x.layers().size(); k++) {
                assertArrayEquals(x.layers().get(k).values().toArray(), y.layers().get(k).values().toArray());
            }
            assertArrayEquals(x.output().toArray(), y.output().toArray());
        }
    }

    /**
     * Sessions are made lazily, and ONNX Runtime reads referenced weights by path: a file replaced after
     * open must not lend its bytes to the model opened before. Here the model file is replaced by one
     * whose weights are all zero; a new kind of capture still gives the original model's maps.
     */
    @Test
    void aFileReplacedAfterOpenDoesNotLendItsWeightsToNewSessions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.copy(OnnxModelTest.BUNDLED, file);
        OnnxFile.Parsed parsed = OnnxFile.parse(OnnxModelTest.BUNDLED);
        Graph.Builder zeroed = parsed.model().getGraph().toBuilder();
        for (int i = 0; i < zeroed.getInitializerCount(); i++) {
            var t = zeroed.getInitializer(i);
            zeroed.setInitializer(i, t.toBuilder().setRawData(com.google.protobuf.ByteString.copyFrom(new byte[t.getRawData().size()])));
        }
        Path other = dir.resolve("other.onnx");
        Files.write(other, parsed.model().toBuilder().setGraph(zeroed).build().toByteArray());

        Tensor input = Tensor.zeros(Shape.of(1, 1, 28, 28));
        try (Model reference = FilterScope.open(OnnxModelTest.BUNDLED);
                Activations expected = reference.capture(input, CaptureRequest.allSpatial());
                Model model = FilterScope.open(file)) {
            Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (Activations got = model.capture(input, CaptureRequest.allSpatial())) {
                assertEquals(expected.layers().size(), got.layers().size());
                for (int k = 0; k < got.layers().size(); k++) {
                    assertArrayEquals(expected.layers().get(k).values().toArray(), got.layers().get(k).values().toArray(),
                            got.layers().get(k).layer().name());
                }
                assertArrayEquals(expected.output().toArray(), got.output().toArray());
            }
        }
    }
}
