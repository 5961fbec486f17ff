package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code filterscope visualize} end to end: the PNG it writes, read back as any image would be,
 * excites what it was made for; the same seed writes the same file; bad requests are refused in one
 * line with exit 2 and nothing written.
 */
class VisualizeCommandTest {
    private static final String CONV = "/conv3/Conv";

    @TempDir
    Path tmp;

    @Test
    void aChannelsImageIsWrittenAndExcitesThatChannelAsIndexJsonSays() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("visualize", "--layer", CONV, "--channel", 2, "--steps", 48, "--seed", 3, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        assertEquals(List.of("channel-2.png", "index.json"), Fixtures.fileNames(out));
        assertTrue(r.out().contains("wrote 2 files to " + out), r::toString);
        JsonNode index = Fixtures.index(out);
        assertEquals("visualize", index.get("command").asText());
        assertEquals(CONV, index.get("layer").asText());
        assertEquals(2, index.get("channel").asInt());
        assertEquals(48, index.get("parameters").get("steps").asInt());
        assertEquals(28, index.get("parameters").get("size").asInt());
        assertEquals(3, index.get("parameters").get("seed").asLong());
        assertEquals("fourier", index.get("parameters").get("parameterization").asText());
        assertEquals(48, index.get("history").size());
        double objective = index.get("objective").asDouble();
        assertTrue(objective > 2 * index.get("start_objective").asDouble(), index::toPrettyString);
        BufferedImage png = ImageIO.read(out.resolve("channel-2.png").toFile());
        assertEquals(28, png.getWidth());
        assertEquals(28, png.getHeight());
        // The PNG, read back like any image, gives the objective (up to its 8-bit rounding).
        try (Model model = FilterScope.open(Fixtures.model())) {
            Tensor x = Preprocessor.load(out.resolve("channel-2.png"), Preprocessing.forModel(model.metadata(), Optional.empty()));
            try (Activations a = model.capture(x, CaptureRequest.layers(CONV))) {
                Tensor t = a.layer(CONV).orElseThrow().values();
                double sum = 0;
                for (int i = 0; i < 49; i++) {
                    sum += t.get(2 * 49 + i);
                }
                assertEquals(objective, sum / 49, 0.02 * objective, "channel 2's mean activation for the PNG");
            }
        }
        Path again = tmp.resolve("again");
        assertEquals(0, Cli.run("visualize", "--layer", CONV, "--channel", 2, "--steps", 48, "--seed", 3, "-o", again).code());
        assertArrayEquals(Files.readAllBytes(out.resolve("channel-2.png")), Files.readAllBytes(again.resolve("channel-2.png")),
                "the same seed writes the same image");
    }

    @Test
    void aClassImageIsClassifiedAsThatClass() throws IOException {
        Path out = tmp.resolve("class");
        Cli.Result r = Cli.run("visualize", "--class", 1, "--steps", 64, "--seed", 2, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("class-1.png", "index.json"), Fixtures.fileNames(out));
        JsonNode index = Fixtures.index(out);
        assertEquals(1, index.get("class").asInt());
        assertEquals(Fixtures.labels().get(1), index.get("label").asText());
        assertTrue(index.get("layer").isNull());
        try (Model model = FilterScope.open(Fixtures.model())) {
            Tensor y = model.run(Preprocessor.load(out.resolve("class-1.png"), Preprocessing.forModel(model.metadata(), Optional.empty())));
            int best = 0;
            for (int j = 1; j < 10; j++) {
                best = y.get(0, j) > y.get(0, best) ? j : best;
            }
            assertEquals(1, best, "the model's top-1 for the PNG");
        }
    }

    @Test
    void badRequestsGetOneLineAndWriteNothing() {
        assertRefused(List.of("--layer", CONV, "--channel", "64"), "fashion_cnn.onnx: channel 64 is out of range; layer '/conv3/Conv' has 64 channels (0 to 63)");
        assertRefused(List.of("--layer", "/conv3/Con", "--channel", "0"), "/conv3/Con");
        assertRefused(List.of("--class", "10"), "class 10 is out of range; the model has 10 outputs (0 to 9)");
        assertRefused(List.of("--channel", "0"), "--channel needs --layer");
        assertRefused(List.of("--layer", CONV, "--class", "1"), "--layer goes with --channel");
        assertRefused(List.of("--layer", CONV, "--channel", "0", "--steps", "0"), "--steps must be 1 to 100000");
        assertRefused(List.of("--layer", CONV, "--channel", "0", "--param", "wavelet"), "--param must be fourier or pixel");
        assertRefused(List.of("--layer", CONV, "--channel", "0", "--class", "1"), "mutually exclusive");
        assertRefused(List.of("--layer", CONV), "--channel", "--class");
        Path noGradients = Path.of("../backend-onnx/src/test/resources/gradients/unsupported/model.onnx");
        assertRefused(List.of(noGradients.toString(), "--class", "0"), "model.onnx: feature visualisation needs gradients");
    }

    private void assertRefused(List<String> args, String... fragments) {
        Cli.assertRefused("visualize", tmp.resolve("refused"), args, fragments);
    }
}
