package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.stats.Activity;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters never active over a folder of images: on a model built so that two of its three filters
 * cannot fire (samples/scripts/make_never_active_fixture.py), checked against sums of the images'
 * own pixels; and shards of a folder, scanned apart and merged, give the one-pass answer.
 */
class NeverActiveTest {
    static final Path MODEL = Path.of("src/test/resources/examples/never_active.onnx");
    static final int N = 40;

    @TempDir
    static Path images;

    @BeforeAll
    static void writeImages() throws IOException {
        FashionMnistImages.write(images, N);
    }

    @Test
    void statsFindTheFiltersTheBiasAndTheSignKeepAtZero() throws IOException {
        // Each filter sums a 3×3 window (zero padded) of x = pixel / 255: its largest window sum over the folder, and its smallest.
        double most = Double.NEGATIVE_INFINITY;
        double least = Double.POSITIVE_INFINITY;
        for (int i = 0; i < N; i++) {
            BufferedImage img = ImageIO.read(images.resolve(String.format("%05d.png", i)).toFile());
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy;
                            int xx = x + dx;
                            if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) {
                                sum += img.getRaster().getSample(xx, yy, 0) / 255.0;
                            }
                        }
                    }
                    most = Math.max(most, sum);
                    least = Math.min(least, sum);
                }
            }
        }
        Cli.Result r = Cli.run("stats", MODEL, "--images", images, "--preset", "unit", "--json");
        assertEquals(0, r.code(), r::toString);
        JsonNode layer = new ObjectMapper().readTree(r.out()).get("layers").get(0);
        assertEquals("conv", layer.get("layer").asText());
        JsonNode act = layer.get("activity");
        assertEquals(N, act.get("images").asInt());
        // The layer's map is captured after its ReLU (post-activation), so a filter that never fires is 0 everywhere:
        // filter 1 peaks at most - 10 < 0 before it, filter 2 at -least = 0.
        assertTrue(most > 0.5 && most < 10 && least == 0, "the images have bright and black windows: " + most + ", " + least);
        assertEquals(most - 0.5, act.get("max").get(0).asDouble(), 1e-4);
        assertEquals(0, act.get("max").get(1).asDouble());
        assertEquals(0, act.get("max").get(2).asDouble());
        assertEquals(List.of(1, 2), new ObjectMapper().convertValue(act.get("never_active"), List.class));

        Cli.Result text = Cli.run("stats", MODEL, "--images", images, "--preset", "unit");
        assertEquals(0, text.code(), text::toString);
        assertTrue(text.out().contains("conv: never active [1, 2] on " + N + " images"), text::toString);
    }

    @Test
    void shardsScannedApartAndMergedGiveTheOnePassAnswer() {
        Path bundled = DatasetExamplesTest.BUNDLE.resolve("fashion_cnn.onnx");
        List<String> layers = List.of("/conv1/Conv", "/conv2/Conv", "/conv3/Conv");
        List<Path> files = ImageFolder.of(images).files();
        try (Model model = FilterScope.open(bundled)) {
            Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
            ImageBatches.Listener quiet = new ImageBatches.Listener() {
            };
            Activity whole = Activity.scan(model, layers, files, prep, FreeSize.DEFAULT, 16, quiet);
            Activity a = Activity.scan(model, layers, files.subList(0, 7), prep, FreeSize.DEFAULT, 4, quiet);
            Activity b = Activity.scan(model, layers, files.subList(7, 30), prep, FreeSize.DEFAULT, 16, quiet);
            Activity c = Activity.scan(model, layers, files.subList(30, N), prep, FreeSize.DEFAULT, 3, quiet);
            for (Activity merged : List.of(a.merge(b).merge(c), c.merge(a.merge(b)), Activity.none().merge(b).merge(c.merge(a)))) {
                assertEquals(N, merged.images());
                for (String l : layers) {
                    assertArrayEquals(whole.maxima().get(l), merged.maxima().get(l), l);
                    assertEquals(whole.neverActive(l), merged.neverActive(l), l);
                }
            }
            assertTrue(layers.stream().anyMatch(l -> !java.util.Arrays.equals(a.maxima().get(l), whole.maxima().get(l))),
                    "a small shard alone should fall short of some maximum, or merging proves little");
        }
    }
}
