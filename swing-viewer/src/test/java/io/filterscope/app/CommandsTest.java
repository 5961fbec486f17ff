package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.FilterScope;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end on the bundled Fashion-MNIST model (needs the ONNX backend at run time). */
class CommandsTest {

    private static List<LayerInfo> convLayers() {
        try (Model m = FilterScope.open(Fixtures.model())) {
            return m.layers().stream().filter(l -> l.kind().hasFilters()).toList();
        }
    }

    @Test
    void infoListsConvLayersAndMetadata() {
        Cli.Result r = Cli.run("info");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        List<LayerInfo> conv = convLayers();
        assertFalse(conv.isEmpty());
        for (LayerInfo l : conv) {
            assertTrue(r.out().contains(l.name()), l.name() + " missing\n" + r);
        }
        for (String s : new String[] {"producer", "opset", "input", "layout", "NCHW", "conv", "Conv", "filter shape"}) {
            assertTrue(r.out().contains(s), s + " missing\n" + r);
        }
        // Given explicitly, the same model gives the same table.
        Cli.Result r2 = Cli.run("info", Fixtures.model());
        assertEquals(0, r2.code(), r2::toString);
        assertTrue(r2.out().contains(conv.get(0).name()));
    }

    @Test
    void filtersWritesOneGridPerConvLayerAndIndex(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("filters", "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        List<LayerInfo> conv = convLayers();
        assertTrue(r.out().contains("wrote " + conv.size() + " filter grid"), r::toString);

        JsonNode index = Fixtures.index(out);
        java.util.Map<String, String> weightInputs = new java.util.HashMap<>();
        new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("../backend-onnx/src/test/resources/reference/fashion_torch/manifest.json").toFile())
                .get("nodes").forEach(n -> {
                    if (n.get("op_type").asText().equals("Conv")) {
                        weightInputs.put(n.get("node_name").asText(), n.get("inputs").get(1).asText());
                    }
                });
        assertEquals("filters", index.get("command").asText());
        assertTrue(index.get("model").asText().contains("fashion_cnn.onnx"));
        JsonNode layers = index.get("layers");
        assertEquals(conv.size(), layers.size(), index::toPrettyString);
        List<String> expectedFiles = new ArrayList<>(List.of("index.json"));
        for (int i = 0; i < conv.size(); i++) {
            LayerInfo l = conv.get(i);
            JsonNode e = layers.get(i);
            assertEquals(l.name(), e.get("layer").asText());
            assertEquals(l.nodeName(), e.get("node").asText());
            // The weight tensor, as the onnx Python package read the node's inputs (not the layer's output).
            assertEquals(weightInputs.get(l.nodeName()), e.get("tensor").asText(), e::toPrettyString);
            assertEquals(1, e.get("files").size());
            String png = e.get("files").get(0).asText();
            assertTrue(png.endsWith(".filters.png"), png);
            expectedFiles.add(png);
            long[] shape = l.filterShape().orElseThrow().toArray();
            assertEquals(4, e.get("shape").size());
            for (int k = 0; k < 4; k++) {
                assertEquals(shape[k], e.get("shape").get(k).asLong());
            }
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " does not decode");
            long weights = shape[0] * shape[1] * shape[2] * shape[3];
            assertTrue((long) img.getWidth() * img.getHeight() >= weights / shape[1],
                    png + " is " + img.getWidth() + "×" + img.getHeight() + " for " + l.filterShape().get());
            assertTrue(img.getWidth() < 8192 && img.getHeight() < 8192, png + " implausibly large");
        }
        expectedFiles.sort(null);
        assertEquals(expectedFiles, Fixtures.fileNames(out));
    }

    @Test
    void filtersNpyEqualsTheWeights(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        LayerInfo first = convLayers().get(0);
        Cli.Result r = Cli.run("filters", Fixtures.model(), "--layer", first.name(), "--npy",
                "--colormap", "coolwarm", "--normalization", "symmetric", "-o", out);
        assertEquals(0, r.code(), r::toString);
        JsonNode e = Fixtures.index(out).get("layers");
        assertEquals(1, e.size());
        String stem = io.filterscope.Names.sanitize(first.name());
        assertEquals(List.of(stem + ".filters.png", stem + ".filters.npy"),
                List.of(e.get(0).get("files").get(0).asText(), e.get(0).get("files").get(1).asText()));
        Tensor read = Npy.read(out.resolve(stem + ".filters.npy"));
        try (Model m = FilterScope.open(Fixtures.model())) {
            FilterBank bank = m.filters(first.name());
            assertEquals(bank.weights().shape(), read.shape());
            assertArrayEquals(bank.weights().toArray(), read.toArray());
        }
    }

    @Test
    void gridsCarryACaptionUnlessToldNot(@TempDir Path tmp) throws IOException {
        LayerInfo second = convLayers().get(1);
        String png = io.filterscope.Names.sanitize(second.name()) + ".filters.png";
        assertEquals(0, Cli.run("filters", "--layer", second.name(), "-o", tmp.resolve("with")).code());
        assertEquals(0, Cli.run("filters", "--layer", second.name(), "--no-caption", "-o", tmp.resolve("without")).code());
        try (Model m = FilterScope.open(Fixtures.model())) {
            FilterBank bank = m.filters(second.name());
            assertSamePixels(io.filterscope.render.GridRenderer.filters(bank, io.filterscope.render.GridStyle.filters()),
                    ImageIO.read(tmp.resolve("with").resolve(png).toFile()));
            assertSamePixels(io.filterscope.render.GridRenderer.filters(bank, io.filterscope.render.GridStyle.filters().withCaption(false)),
                    ImageIO.read(tmp.resolve("without").resolve(png).toFile()));
        }
        assertTrue(Cli.run("activations", "--help").out().contains("--no-caption"));
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y) | 0xff000000, actual.getRGB(x, y) | 0xff000000, "pixel (" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void activationsWritesOneGridPerSpatialLayer(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", "--npy", "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        JsonNode index = Fixtures.index(out);
        assertEquals("activations", index.get("command").asText());
        // A name that lasts, not the path of the copy extracted to a temporary folder deleted at exit.
        assertEquals("bundled:images/9-ankle-boot.png", index.get("input").get("file").asText(), index::toPrettyString);
        assertEquals("image", index.get("input").get("kind").asText());
        assertTrue(index.has("preprocessing"), index::toPrettyString);
        JsonNode layers = index.get("layers");
        // The same layers, in the same order, as one capture of every spatial layer through the API.
        List<String> spatial;
        try (Model m = FilterScope.open(Fixtures.model())) {
            Tensor input = Preprocessor.load(BundledModel.get().defaultImage(), Preprocessing.forModel(m.metadata(), Optional.empty()));
            spatial = m.capture(input, CaptureRequest.allSpatial()).layers().stream().map(o -> o.layer().name()).toList();
        }
        List<String> written = new ArrayList<>();
        layers.forEach(e -> written.add(e.get("layer").asText()));
        assertEquals(spatial, written, index::toPrettyString);
        assertTrue(layers.size() >= convLayers().size());
        List<String> expected = new ArrayList<>(List.of("index.json"));
        for (JsonNode e : layers) {
            String png = e.get("files").get(0).asText();
            String npy = e.get("files").get(1).asText();
            assertTrue(png.endsWith(".activations.png"), png);
            assertTrue(npy.endsWith(".activations.npy"), npy);
            expected.add(png);
            expected.add(npy);
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png);
            Tensor t = Npy.read(out.resolve(npy));
            assertEquals(4, t.shape().rank(), npy);
            assertEquals(1, t.shape().dim(0), npy);
            for (int k = 0; k < 4; k++) {
                assertEquals(t.shape().dim(k), e.get("shape").get(k).asLong());
            }
            assertTrue(img.getWidth() * img.getHeight() >= t.shape().dim(2) * t.shape().dim(3), png);
        }
        expected.sort(null);
        assertEquals(expected, Fixtures.fileNames(out));
        assertTrue(r.out().contains("wrote " + layers.size() + " feature-map grid"), r::toString);
    }

    @Test
    void activationsOfOneLayerFromAnNpyInput(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        Path npy = tmp.resolve("input.npy");
        Npy.write(Tensor.zeros(io.filterscope.tensor.Shape.of(1, 1, 28, 28)), npy);
        LayerInfo first = convLayers().get(0);
        Cli.Result r = Cli.run("activations", Fixtures.model(), "--input-npy", npy, "--layer", first.name(), "-o", out);
        assertEquals(0, r.code(), r::toString);
        JsonNode index = Fixtures.index(out);
        assertEquals("npy", index.get("input").get("kind").asText());
        assertEquals(1, index.get("layers").size());
        assertEquals(first.name(), index.get("layers").get(0).get("layer").asText());
        assertEquals(2, Fixtures.fileNames(out).size());
    }

    @Test
    void predictGetsEveryBundledImageRight() {
        List<String> labels = Fixtures.labels();
        Pattern top1 = Pattern.compile("^\\s*1\\.\\s+(.+?)\\s+\\d+\\.\\d+%", Pattern.MULTILINE);
        for (Path image : BundledModel.get().images()) {
            int expected = Integer.parseInt(image.getFileName().toString().substring(0, 1));
            Cli.Result r = Cli.run("predict", "--image", image, "--top", 3);
            assertEquals(0, r.code(), r::toString);
            Matcher m = top1.matcher(r.out());
            assertTrue(m.find(), r::toString);
            assertEquals(labels.get(expected), m.group(1), image + "\n" + r);
            assertEquals(3, r.out().lines().filter(l -> l.strip().matches("\\d+\\..*%.*")).count(), r::toString);
        }
    }

    @Test
    void predictWithExplicitModelAndLabels() {
        Path image = BundledModel.get().images().get(1);
        Cli.Result r = Cli.run("predict", Fixtures.model(), "--image", image, "--labels", BundledModel.get().labels(), "--top", 1);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains(Fixtures.labels().get(1)), r::toString);
    }

    /** The backend's odd little models (grouped, transposed, NHWC, fp16, external data, ...) all work from the command line. */
    @Test
    void infoFiltersAndActivationsOnTheBackendFixtures(@TempDir Path tmp) throws IOException {
        assumeTrue(Files.isDirectory(Fixtures.MODELS), Fixtures.MODELS + " not made yet");
        List<Path> models;
        try (var s = Files.walk(Fixtures.MODELS, 2)) {
            models = s.filter(p -> p.toString().endsWith(".onnx"))
                    .filter(p -> !p.getParent().getFileName().toString().startsWith("external")) // see the test below
                    .sorted().toList();
        }
        for (Path model : models) {
            String name = model.getFileName().toString();
            Cli.Result info = Cli.run("info", model);
            assertEquals(0, info.code(), info::toString);
            try (Model m = FilterScope.open(model)) {
                Path filters = tmp.resolve("filters-" + models.indexOf(model));
                Cli.Result r = Cli.run("filters", model, "--npy", "-o", filters);
                long conv = m.layers().stream().filter(l -> l.kind().hasFilters()).count();
                if (conv == 0) {
                    Fixtures.assertUserError(r, name, filters);
                } else {
                    assertEquals(0, r.code(), r::toString);
                    assertEquals(2 * conv + 1, Fixtures.fileNames(filters).size(), r::toString);
                }
                // Activations from an input of the declared shape (free dimensions as 8), batch 1.
                long[] dims = m.metadata().input().shape().toArray();
                dims[0] = 1;
                for (int k = 1; k < dims.length; k++) {
                    dims[k] = dims[k] < 0 ? 8 : dims[k];
                }
                Path npy = tmp.resolve("input-" + models.indexOf(model) + ".npy");
                Npy.write(Tensor.zeros(io.filterscope.tensor.Shape.of(dims)), npy);
                Path acts = tmp.resolve("acts-" + models.indexOf(model));
                Cli.Result a = Cli.run("activations", model, "--input-npy", npy, "-o", acts);
                if (m.layers().stream().anyMatch(LayerInfo::hasSpatialOutput)) {
                    assertEquals(0, a.code(), a::toString);
                    assertTrue(Fixtures.index(acts).get("layers").size() > 0, a::toString);
                } else {
                    Fixtures.assertUserError(a, name, acts);
                }
            }
        }
    }

    /** A model with external weights, given by a relative path through "..", as users type it. */
    @Test
    void externalDataModelByARelativePathWithDotDot(@TempDir Path tmp) {
        Path model = Fixtures.MODELS.resolve("external/model.onnx");
        assumeTrue(Files.exists(model), model + " not made yet");
        assertTrue(model.toString().startsWith(".."), model::toString);
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("filters", model, "--npy", "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(3, Fixtures.fileNames(out).size(), r::toString);
    }

    @Test
    void refusesToOverwriteAnInputAndWritesNothing(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        LayerInfo first = convLayers().get(0);
        assertEquals(0, Cli.run("activations", "--layer", first.name(), "-o", out).code());
        String png = Fixtures.index(out).get("layers").get(0).get("files").get(0).asText();
        // Use the image as input under the very name the output would get.
        Path fresh = tmp.resolve("fresh");
        Files.createDirectory(fresh);
        Path input = fresh.resolve(png);
        Files.copy(BundledModel.get().defaultImage(), input);
        byte[] before = Files.readAllBytes(input);
        Cli.Result r = Cli.run("activations", Fixtures.model(), "--image", input, "--layer", first.name(), "-o", fresh);
        Fixtures.assertUserError(r, png, null);
        assertEquals(List.of(png), Fixtures.fileNames(fresh));
        assertArrayEquals(before, Files.readAllBytes(input));
    }
}
