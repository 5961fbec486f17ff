package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.filterscope.predict.ImageNetClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models a new user brings: a detector with a free input height and width, and a 1,000-way ImageNet
 * classifier without a labels file. Models and image from samples/scripts/make_cli_fixtures.py.
 */
class DetectorAndImageNetCommandsTest {
    private static final Path DIR = Path.of("src/test/resources/cli");
    private static final Path DETECTOR = DIR.resolve("tiny_text_det.onnx");
    private static final Path CLASSIFIER = DIR.resolve("tiny_imagenet_1000.onnx");
    private static final Path PAGE = DIR.resolve("page_150x100.png");

    private static List<Long> longs(JsonNode array) {
        return IntStream.range(0, array.size()).mapToObj(i -> array.get(i).asLong()).toList();
    }

    @Test
    void aDetectorGetsTheWholeImageRoundedToMultiplesOf32(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", DETECTOR, "--image", PAGE, "--layer", "down1", "-o", out);
        assertEquals(0, r.code(), r::toString);
        JsonNode input = Fixtures.index(out).get("input");
        // 100 × 150 is under 1024; rounded to multiples of 32: 96 × 160 (not a 224 × 224 centre crop).
        assertEquals(List.of(1L, 3L, 96L, 160L), longs(input.get("shape")), input::toPrettyString);
        assertEquals(List.of(100L, 150L), longs(input.get("size").get("image")));
        assertEquals(List.of(96L, 160L), longs(input.get("size").get("fed")));
        assertEquals(1024, input.get("size").get("max_side").asInt());
        assertEquals(32, input.get("size").get("multiple").asInt());
        assertTrue(input.get("size").get("rule").asText().contains("multiple of 32"), input::toPrettyString);
        JsonNode layer = Fixtures.index(out).get("layers").get(0);
        assertEquals(List.of(1L, 4L, 48L, 80L), longs(layer.get("shape")), layer::toPrettyString);
    }

    @Test
    void theSizeRuleCanBeChanged(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", DETECTOR, "--image", PAGE, "--layer", "down1", "--max-side", 64, "-o", out);
        assertEquals(0, r.code(), r::toString);
        // 100 × 150 shrunk to a longest side of 64: 42 × 64, rounded: 32 × 64.
        assertEquals(List.of(1L, 3L, 32L, 64L), longs(Fixtures.index(out).get("input").get("shape")));
        // The exact size: the model cannot add its levels and says so in one line; nothing is written.
        Cli.Result exact = Cli.run("activations", DETECTOR, "--image", PAGE, "--size-multiple", 1, "-o", tmp.resolve("exact"));
        assertEquals(2, exact.code(), exact::toString);
        assertEquals(1, exact.errLines().size(), exact::toString);
        assertFalse(Files.exists(tmp.resolve("exact")));
        MainTest.assertUsageError(Cli.run("predict", DETECTOR, "--image", PAGE, "--size-multiple", 0), "--size-multiple");
    }

    @Test
    void aThousandWayOutputGetsImageNetNamesAndSaysSo(@TempDir Path tmp) {
        Cli.Result r = Cli.run("predict", CLASSIFIER, "--image", PAGE, "--top", 1);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("(" + ImageNetClasses.DESCRIPTION + "; --labels FILE for others)"), r::toString);
        assertTrue(r.out().contains(" wreck "), r::toString);   // class 913, torchvision's name for it
        assertTrue(r.out().contains("(class 913,"), r::toString);

        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run("activations", CLASSIFIER, "--image", PAGE, "-o", out).code());
        JsonNode p = Fixtures.index(out).get("prediction");
        assertEquals(ImageNetClasses.DESCRIPTION, p.get("labels").asText(), Fixtures.index(out)::toPrettyString);
        assertEquals(913, p.get("top").get(0).get("class").asInt());
        assertEquals("wreck", p.get("top").get(0).get("label").asText());
    }

    @Test
    void givenLabelsWin(@TempDir Path tmp) throws IOException {
        Path labels = tmp.resolve("mine.txt");
        Files.write(labels, IntStream.range(0, 1000).mapToObj(i -> "mine" + i).toList());
        Cli.Result r = Cli.run("predict", CLASSIFIER, "--image", PAGE, "--top", 1, "--labels", labels);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("mine913"), r::toString);
        assertFalse(r.out().contains("ImageNet"), r::toString);
    }
}
