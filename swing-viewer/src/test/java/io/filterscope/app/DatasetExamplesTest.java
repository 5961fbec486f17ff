package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.examples.Example;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.Patch;
import io.filterscope.examples.ReceptiveField;
import io.filterscope.examples.ScoreKind;
import io.filterscope.examples.TopExamples;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dataset examples through the API on both backends, against ONNX Runtime's Python API
 * ({@code samples/scripts/make_examples_fixtures.py}: the first 300 Fashion-MNIST test images, top 5
 * per channel of conv2, by max and by mean), and the receptive-field patches against the model
 * itself (which input pixels change a position's output).
 */
class DatasetExamplesTest {
    static final Path BUNDLE = Path.of("../samples/models/fashion-mnist");
    static final Path FIXTURE = Path.of("src/test/resources/examples/examples.json");
    static final int N = 300;

    @TempDir
    static Path images;

    @BeforeAll
    static void writeImages() throws IOException {
        FashionMnistImages.write(images, N);
        // One file that is not an image at all: reported and skipped, not fatal.
        Files.writeString(images.resolve("broken.png"), "this is not a PNG");
    }

    static JsonNode fixture(String model) throws IOException {
        return new ObjectMapper().readTree(FIXTURE.toFile()).get("models").get(model);
    }

    /**
     * Each rank's score within 1e-4 of ONNX Runtime's, and the same image wherever the fixture's
     * scores around it are more than 1e-4 apart (near-ties may order differently after float rounding
     * in another runtime); the position of the maximum for images that match.
     */
    static void assertMatches(JsonNode expected, TopExamples got, int k) {
        assertEquals(expected.size(), got.channelCount());
        for (int c = 0; c < got.channelCount(); c++) {
            JsonNode ex = expected.get(c);
            List<Example> g = got.channel(c);
            assertEquals(k, g.size());
            for (int r = 0; r < k; r++) {
                double want = ex.get(r).get("score").asDouble();
                String where = "channel " + c + " rank " + r + ": " + g.get(r) + " vs " + ex.get(r);
                assertEquals(want, g.get(r).score(), 1e-4 * Math.max(1, Math.abs(want)), where);
                boolean clearAbove = r == 0 || ex.get(r - 1).get("score").asDouble() - want > 1e-4;
                boolean clearBelow = r + 1 >= ex.size() || want - ex.get(r + 1).get("score").asDouble() > 1e-4;
                if (clearAbove && clearBelow) {
                    assertEquals(ex.get(r).get("image").asText(), g.get(r).image(), where);
                    if (want > 1e-3) {
                        assertEquals(ex.get(r).get("y").asInt(), g.get(r).y(), where);
                        assertEquals(ex.get(r).get("x").asInt(), g.get(r).x(), where);
                    }
                }
            }
        }
    }

    static ExampleSearch.Result search(Model model, List<Path> files, ScoreKind score, int k, int batch) {
        ImageFolder folder = ImageFolder.of(images);
        Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
        return ExampleSearch.run(model, files, folder::name, prep, ExampleSearch.Settings.of("/conv2/Conv", k).withScore(score).withBatchSize(batch),
                ExampleSearch.Listener.none());
    }

    @ParameterizedTest(name = "{0} with {1} ({2})")
    @CsvSource({"fashion_cnn.onnx, onnx, fashion_cnn.onnx", "fashion_cnn_keras.h5, dl4j, fashion_cnn_keras.onnx",
        "fashion_cnn_keras.onnx, onnx, fashion_cnn_keras.onnx"})
    void topFivePerChannelAsOnnxRuntimeFindsThem(String file, String backend, String reference) throws IOException {
        JsonNode ref = fixture(reference);
        ImageFolder folder = ImageFolder.of(images);
        assertEquals(N + 1, folder.size());
        try (Model model = FilterScope.open(BUNDLE.resolve(file), OpenOptions.defaults().withBackend(backend))) {
            String layer = model.layers().stream().filter(l -> l.kind().hasFilters()).toList().get(1).name();
            for (ScoreKind score : ScoreKind.values()) {
                ImageFolder f = folder;
                Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
                List<Path> skipped = new ArrayList<>();
                ExampleSearch.Result r = ExampleSearch.run(model, f.files(), f::name, prep,
                        new ExampleSearch.Settings(layer, score, 5, 32, io.filterscope.preprocess.FreeSize.DEFAULT),
                        new ExampleSearch.Listener() {
                            @Override
                            public void skipped(Path p, String reason) {
                                skipped.add(p);
                            }
                        });
                assertEquals(N, r.images());
                assertEquals(List.of(images.resolve("broken.png")), skipped);
                assertEquals(1, r.skipped().size());
                assertTrue(r.skipped().get(0).reason().contains("broken.png"), r.skipped().get(0).reason());
                assertMatches(ref.get(score.id()), r.top(), 5);
            }
        }
    }

    /**
     * A model whose input fixes the batch at 7 (samples/scripts/make_fixed_batch_fixture.py) is run in
     * batches of exactly 7, whatever batch size is asked for: 300 images are 42 full batches and one of
     * 6 padded with a copy of its last image, and the padding is no example of anything. The answer is
     * ONNX Runtime's for the free-batch model; activity maxima and folder predictions count the 300
     * images only.
     */
    @Test
    void fixedBatchModelRunsPaddedBatchesWithTheSameAnswer() throws IOException {
        Path fixed = FIXTURE.resolveSibling("fashion_cnn_batch7.onnx");
        ImageFolder folder = ImageFolder.of(images);
        try (Model model = FilterScope.open(fixed)) {
            assertEquals(7, io.filterscope.preprocess.ImageBatches.fixedBatch(model.metadata()));
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            List<Integer> sizes = new ArrayList<>();
            io.filterscope.preprocess.ImageBatches.forEach(folder.files(), prep, io.filterscope.preprocess.FreeSize.DEFAULT,
                    model.metadata(), 32, new io.filterscope.preprocess.ImageBatches.Listener() {
                    }, b -> {
                        assertEquals(7, b.input().shape().dim(0));
                        sizes.add(b.size());
                    });
            assertEquals(43, sizes.size());
            assertEquals(6, sizes.get(42));
            for (ScoreKind score : ScoreKind.values()) {
                ExampleSearch.Result r = ExampleSearch.run(model, folder.files(), folder::name, prep,
                        new ExampleSearch.Settings("/conv2/Conv", score, 5, 32, io.filterscope.preprocess.FreeSize.DEFAULT),
                        ExampleSearch.Listener.none());
                assertEquals(N, r.images());
                assertMatches(fixture("fashion_cnn.onnx").get(score.id()), r.top(), 5);
            }
        }
        Cli.Result r = Cli.run("predict", fixed, "--labels", BUNDLE.resolve("labels.txt"), "--image", images, "--batch", 4, "--top", 1);
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.out().lines().filter(l -> l.matches("\\d{5}\\.png: .*")).toList();
        assertEquals(N, lines.size(), r::toString);
        Cli.Result free = Cli.run("predict", BUNDLE.resolve("fashion_cnn.onnx"), "--image", images, "--top", 1);
        assertEquals(free.out().lines().filter(l -> l.matches("\\d{5}\\.png: .*")).toList(), lines);
    }

    /**
     * Both grids of {@code filterscope examples} come from one pass that decodes each example image
     * once, and are the grids drawn one at a time; the patches are the receptive field's.
     */
    @Test
    void bothGridsDecodeEachExampleImageOnce() {
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            ImageFolder folder = ImageFolder.of(images);
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            TopExamples top = search(model, folder.files(), ScoreKind.MAX, 3, 32).top();
            ReceptiveField rf = ReceptiveField.of(model, "/conv2/Conv", 28, 28);
            java.util.function.Function<Example, Patch> patchOf = e -> rf.patch(e.y(), e.x(), 28, 28);
            io.filterscope.examples.ExampleImages seen = new io.filterscope.examples.ExampleImages(model, "/conv2/Conv",
                    n -> folder.dir().resolve(n), prep, io.filterscope.preprocess.FreeSize.DEFAULT);
            java.util.Map<io.filterscope.render.ExampleGrid.Content, java.awt.image.BufferedImage> both = io.filterscope.render.ExampleGrid.drawAll(
                    top, seen::view, patchOf, java.util.Map.of(io.filterscope.render.ExampleGrid.Content.IMAGES, "a",
                            io.filterscope.render.ExampleGrid.Content.PATCHES, "b"), 56);
            assertEquals(top.images().size(), seen.decoded());
            assertTrue(top.images().size() > 3, top.images()::toString);
            for (Example e : top.channel(7)) {
                assertEquals(patchOf.apply(e), seen.patch(e));
            }
            java.util.function.Function<String, java.awt.image.BufferedImage> view = name -> Preprocessor.toImage(
                    Preprocessor.load(images.resolve(name), prep), prep);
            for (io.filterscope.render.ExampleGrid.Content c : io.filterscope.render.ExampleGrid.Content.values()) {
                java.awt.image.BufferedImage one = io.filterscope.render.ExampleGrid.draw(top, view, patchOf, c, 56,
                        c == io.filterscope.render.ExampleGrid.Content.IMAGES ? "a" : "b");
                java.awt.image.BufferedImage got = both.get(c);
                assertEquals(one.getWidth(), got.getWidth());
                assertEquals(one.getHeight(), got.getHeight());
                for (int y = 0; y < one.getHeight(); y++) {
                    for (int x = 0; x < one.getWidth(); x++) {
                        assertEquals(one.getRGB(x, y), got.getRGB(x, y), c + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    @Test
    void mergedShardsGiveTheOnePassAnswer() {
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            List<Path> all = ImageFolder.of(images).files();
            for (ScoreKind score : ScoreKind.values()) {
                TopExamples one = search(model, all, score, 4, 32).top();
                TopExamples a = search(model, all.subList(0, 97), score, 4, 32).top();
                TopExamples b = search(model, all.subList(97, 98), score, 4, 32).top();
                TopExamples c = search(model, all.subList(98, all.size()), score, 4, 32).top();
                // Shards run in batches of 32 that start elsewhere than the one pass's: the same scores all the same.
                assertEquals(one, a.merge(b).merge(c));
                assertEquals(one, c.merge(a.merge(b)));
                assertEquals(one, b.merge(c).merge(a));
            }
        }
    }

    /** The score and position of each top example equal those of a plain capture of that one image. */
    @Test
    void scoresEqualAPlainCaptureOfEachImage() {
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            TopExamples top = search(model, ImageFolder.of(images).files(), ScoreKind.MAX, 3, 7).top();
            for (int c = 0; c < top.channelCount(); c += 5) {
                for (Example e : top.channel(c)) {
                    Tensor in = Preprocessor.load(images.resolve(e.image()), prep);
                    FeatureMaps fm = model.capture(in, CaptureRequest.layers("/conv2/Conv")).layer("/conv2/Conv").orElseThrow().featureMaps(0);
                    assertEquals(fm.stats().get(c).max(), e.score(), 1e-5, e.toString());
                    if (e.score() > 0) {
                        assertEquals(fm.stats().get(c).max(), fm.channel(c).get(e.y(), e.x()), 1e-5, e.toString());
                    }
                }
            }
        }
    }

    /**
     * The patch of a position is the bounding box of the input pixels that change that position's
     * output when perturbed one at a time (every pixel of a 28×28 input, in one batch).
     */
    @ParameterizedTest
    @CsvSource({"/conv1/Conv, 10, 13", "/conv2/Conv, 5, 6", "/conv3/Conv, 3, 3", "/conv2/Conv, 0, 13"})
    void patchIsWhatThePositionSees(String layer, int y, int x) {
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            ReceptiveField rf = ReceptiveField.of(model, layer, 28, 28);
            assertFalse(rf.wholeInput(), rf::toString);
            Patch patch = rf.patch(y, x, 28, 28);
            java.util.Random rnd = new java.util.Random(3);
            float[] base = new float[28 * 28];
            for (int i = 0; i < base.length; i++) {
                base[i] = rnd.nextFloat();
            }
            float[] batch = new float[(1 + 28 * 28) * 28 * 28];
            System.arraycopy(base, 0, batch, 0, base.length);
            for (int p = 0; p < 28 * 28; p++) {
                System.arraycopy(base, 0, batch, (p + 1) * 784, 784);
                batch[(p + 1) * 784 + p] += 50f;
            }
            LayerOutput out = model.capture(Tensor.of(Shape.of(1 + 784, 1, 28, 28), batch), CaptureRequest.layers(layer))
                    .layer(layer).orElseThrow();
            Tensor v = out.values();
            int channels = (int) v.shape().dim(1);
            int y0 = 28;
            int x0 = 28;
            int y1 = 0;
            int x1 = 0;
            for (int p = 0; p < 784; p++) {
                boolean changed = false;
                for (int c = 0; c < channels && !changed; c++) {
                    changed = v.get(p + 1, c, y, x) != v.get(0, c, y, x);
                }
                if (changed) {
                    y0 = Math.min(y0, p / 28);
                    x0 = Math.min(x0, p % 28);
                    y1 = Math.max(y1, p / 28 + 1);
                    x1 = Math.max(x1, p % 28 + 1);
                }
            }
            assertEquals(patch, new Patch(y0, x0, y1, x1), rf.toString());
        }
    }
}
