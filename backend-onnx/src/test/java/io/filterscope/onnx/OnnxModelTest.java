package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxModelTest {
    static final Path MODELS = Path.of("src/test/resources/models");
    static final Path BAD = Path.of("src/test/resources/bad");
    static final Path BUNDLED = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");
    static final Path KERAS = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.onnx");

    @ParameterizedTest
    @ValueSource(strings = {"empty.onnx", "truncated.onnx", "not_onnx.onnx", "random_bytes.onnx"})
    void badFilesFailWithOneLineNamingTheFile(String name) {
        Path file = BAD.resolve(name);
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> FilterScope.open(file));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().contains("ONNX"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void externalDataInsideTheFolderIsRead() {
        // external/model.onnx is raw_data.onnx saved with its tensors in weights.bin.
        Reference ref = Reference.load("raw_data");
        Tensor input = ref.npy("input.npy");
        try (Model m = FilterScope.open(MODELS.resolve("external/model.onnx"))) {
            Reference.assertClose(ref.npy("weights/conv.weight.npy"), m.filters("conv").weights(), "external weights");
            Reference.assertClose(ref.npy("weights/conv.bias.npy"), m.filters("conv").bias().orElseThrow(), "external bias");
            Activations a = m.capture(input, CaptureRequest.allSpatial());
            Reference.assertClose(ref.npy("act/relu_out.npy"), a.layers().get(0).values(), "feature maps with external weights");
        }
    }

    @Test
    void externalDataOutsideTheFolderIsRefused() {
        Path file = MODELS.resolve("external_escape/model.onnx");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> {
            try (Model m = FilterScope.open(file)) {
                m.allFilters();
            }
        });
        assertTrue(e.getMessage().contains("outside the model's folder") && e.getMessage().contains("model.onnx"), e.getMessage());
    }

    @Test
    void aModelWithoutConvolutionsOpensAndHasNoFilters() {
        try (Model m = FilterScope.open(MODELS.resolve("no_conv.onnx"))) {
            assertFalse(m.layers().isEmpty());
            assertTrue(m.allFilters().isEmpty());
            LayerInfo dense = m.layers().stream().filter(l -> l.kind() == LayerKind.DENSE).findFirst().orElseThrow();
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> m.filters(dense.name()));
            assertTrue(e.getMessage().contains("has no filters"), e.getMessage());
        }
    }

    @Test
    void layerKindsAreTold() {
        try (Model g = FilterScope.open(MODELS.resolve("grouped.onnx"));
             Model d = FilterScope.open(MODELS.resolve("depthwise.onnx"));
             Model t = FilterScope.open(MODELS.resolve("conv_transpose.onnx"))) {
            assertTrue(g.layers().stream().anyMatch(l -> l.kind() == LayerKind.GROUPED_CONV));
            assertTrue(d.layers().stream().anyMatch(l -> l.kind() == LayerKind.GROUPED_CONV));
            assertTrue(d.layers().stream().anyMatch(l -> l.kind() == LayerKind.CONV), "pointwise conv after the depthwise one");
            assertTrue(t.layers().stream().anyMatch(l -> l.kind() == LayerKind.TRANSPOSED_CONV));
            assertTrue(t.allFilters().stream().allMatch(f -> f.transposed()));
        }
    }

    @Test
    void unknownLayerNamesGetSuggestions() {
        try (Model m = FilterScope.open(BUNDLED)) {
            String real = m.allFilters().get(0).layer();
            String typo = real.substring(0, real.length() - 1) + "x";
            FilterScopeException e = assertThrows(FilterScopeException.class, () -> m.filters(typo));
            assertTrue(e.getMessage().contains("did you mean") && e.getMessage().contains(real), e.getMessage());
        }
    }

    @Test
    void aWrongInputShapeNamesTheShapeTheModelWants() {
        try (Model m = FilterScope.open(BUNDLED)) {
            FilterScopeException e = assertThrows(FilterScopeException.class,
                    () -> m.capture(Tensor.zeros(Shape.of(1, 3, 28, 28)), CaptureRequest.allSpatial()));
            assertTrue(e.getMessage().contains("1×28×28") && e.getMessage().contains("1×3×28×28"), e.getMessage());
        }
    }

    @Test
    void bundledModelMetadataAndLayers() {
        try (Model m = FilterScope.open(BUNDLED)) {
            assertEquals("ONNX", m.metadata().format());
            assertTrue(m.metadata().producer().startsWith("pytorch"), m.metadata().producer());
            assertEquals(Layout.NCHW, m.metadata().inputLayout());
            assertEquals(Shape.UNKNOWN, m.metadata().input().shape().dim(0), "dynamic batch");
            List<LayerInfo> convs = m.layers().stream().filter(l -> l.kind() == LayerKind.CONV).toList();
            assertEquals(List.of(16L, 32L, 64L), convs.stream().map(l -> l.filterShape().orElseThrow().dim(0)).toList());
            assertEquals(List.of(1L, 16L, 32L), convs.stream().map(l -> l.filterShape().orElseThrow().dim(1)).toList(),
                    "a filter is as deep as its input");
            assertEquals(Shape.of(Shape.UNKNOWN, 16, 28, 28), convs.get(0).outputShape().orElseThrow());
        }
    }

    @Test
    void kerasExportIsDetectedAsNhwcAndShownChannelFirst() {
        try (Model m = FilterScope.open(KERAS)) {
            assertEquals(Layout.NHWC, m.metadata().inputLayout());
            Activations a = m.capture(Tensor.zeros(Shape.of(1, 28, 28, 1)), CaptureRequest.allSpatial());
            assertEquals(16, a.layers().get(0).featureMaps(0).channels(), "first conv's 16 maps, channel-first");
        }
    }

    @Test
    void dynamicSpatialSizesAndBatchesWork() {
        try (Model m = FilterScope.open(MODELS.resolve("dynamic_spatial.onnx"))) {
            Activations small = m.capture(Tensor.zeros(Shape.of(1, 3, 8, 8)), CaptureRequest.allSpatial());
            Activations large = m.capture(Tensor.zeros(Shape.of(2, 3, 12, 10)), CaptureRequest.allSpatial());
            assertEquals(8, small.layers().get(0).values().shape().dim(2));
            assertEquals(Shape.of(2, small.layers().get(0).values().shape().dim(1), 12, 10), large.layers().get(0).values().shape());
            assertEquals(1, m instanceof OnnxModel om ? om.cachedSessions() : -1, "same layers, one cached session for both sizes");
        }
    }

    @Test
    void repeatedCapturesReuseTheRewrittenSession() {
        try (Model m = FilterScope.open(BUNDLED)) {
            OnnxModel om = (OnnxModel) m;
            Tensor x = Tensor.zeros(Shape.of(1, 1, 28, 28));
            Activations a = m.capture(x, CaptureRequest.allSpatial());
            Activations b = m.capture(x, CaptureRequest.allSpatial());
            assertEquals(1, om.cachedSessions());
            assertNotSame(a, b);
            assertEquals(a.layers().size(), b.layers().size());
            m.capture(x, CaptureRequest.layers(a.layers().get(0).layer().name()));
            assertEquals(2, om.cachedSessions());
        }
    }

    @Test
    void postActivationByDefaultOneGridPerDistinctPicture() {
        try (Model m = FilterScope.open(BUNDLED)) {
            Activations a = m.capture(Tensor.zeros(Shape.of(1, 1, 28, 28)), CaptureRequest.allSpatial());
            // conv1..3 (after their ReLU) and the three pools; the ReLU layers add no new picture.
            assertEquals(6, a.layers().size(), a.layers().stream().map(l -> l.layer().name()).toList().toString());
            assertTrue(a.layers().stream().noneMatch(l -> l.layer().kind() == LayerKind.ACTIVATION));
            assertEquals(Shape.of(1, 10), a.output().shape());
        }
    }

    @Test
    void cudaFallsBackToTheCpuWhenUnavailable() {
        try (Model m = FilterScope.open(BUNDLED, OpenOptions.defaults().withExecutionProvider(ExecutionProvider.CUDA).withThreads(1, 1))) {
            Tensor out = m.run(Tensor.zeros(Shape.of(1, 1, 28, 28)));
            assertEquals(Shape.of(1, 10), out.shape());
            m.capture(Tensor.zeros(Shape.of(1, 1, 28, 28)), CaptureRequest.allSpatial());
            assertSame(ExecutionProvider.CPU, ((OnnxModel) m).executionProvider());
        }
    }

    @Test
    void aModelTheRuntimeRefusesSaysSoInOneLine(@TempDir Path dir) throws Exception {
        var proto = OnnxFile.read(MODELS.resolve("raw_data.onnx")).toBuilder().setIrVersion(99).build();
        Path file = Files.write(dir.resolve("future.onnx"), proto.toByteArray());
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> {
            try (Model m = FilterScope.open(file)) {
                m.capture(Tensor.zeros(Shape.of(1, 3, 8, 8)), CaptureRequest.allSpatial());
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("ONNX Runtime cannot load"), e.getMessage());
        assertTrue(e.getMessage().contains("IR version"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void unknownFieldsSurviveTheRewrite(@TempDir Path dir) throws Exception {
        var proto = OnnxFile.read(BUNDLED);
        var withUnknown = proto.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("keep me")).build())
                .build()).build();
        Path file = Files.write(dir.resolve("u.onnx"), withUnknown.toByteArray());
        var reread = OnnxFile.read(file);
        var rewritten = Sessions.withOutputs(reread, List.of(reread.getGraph().getNode(0).getOutput(0)));
        var parsedBack = io.filterscope.onnx.proto.OnnxModel.Model.parseFrom(rewritten.toByteArray());
        assertEquals("keep me", parsedBack.getUnknownFields().getField(999).getLengthDelimitedList().get(0).toStringUtf8());
        assertEquals(reread.getGraph().getOutputCount() + 1, parsedBack.getGraph().getOutputCount());
        assertEquals(reread.getGraph().getInitializerList(), parsedBack.getGraph().getInitializerList(), "weights untouched");
    }
}
