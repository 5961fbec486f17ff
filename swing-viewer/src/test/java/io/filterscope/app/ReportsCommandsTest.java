package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code filterscope examples}, {@code stats} and {@code diff} on the bundled models, against the
 * values ONNX Runtime, onnx and numpy computed ({@code samples/scripts/make_examples_fixtures.py}).
 */
class ReportsCommandsTest {
    static final Path BUNDLE = DatasetExamplesTest.BUNDLE;
    static final Path FIXTURES = Path.of("src/test/resources/examples");
    static final Path BOOT = BUNDLE.resolve("images/9-ankle-boot.png");

    @TempDir
    static Path images;

    @BeforeAll
    static void writeImages() throws IOException {
        FashionMnistImages.write(images, DatasetExamplesTest.N);
        Files.writeString(images.resolve("broken.png"), "this is not a PNG");
        Files.writeString(images.resolve("notes.txt"), "not an image name: left out without a word");
    }

    static JsonNode read(Path p) throws IOException {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void examplesWritesGridsAndTheIndexTheIssueAsksFor(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("examples", BUNDLE.resolve("fashion_cnn.onnx"), "--layer", "/conv2/Conv", "--images", images, "--top", 3, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("skipped: " + images.resolve("broken.png") + ": not a readable image (PNG, JPEG, BMP or GIF expected)"),
                r.errLines(), r::toString);
        assertTrue(r.out().startsWith("ranked 300 images (1 skipped) for 32 channels of /conv2/Conv"), r::toString);
        assertEquals(List.of("conv2_Conv.examples.png", "conv2_Conv.patches.png", "index.json"), Fixtures.fileNames(out));

        JsonNode index = Fixtures.index(out);
        assertEquals("examples", index.get("command").asText());
        assertEquals("max", index.get("score").asText());
        assertEquals(301, index.get("summary").get("files").asInt());
        assertEquals(300, index.get("summary").get("ranked").asInt());
        assertEquals("broken.png", index.get("summary").get("skipped").get(0).get("file").asText());
        JsonNode layer = index.get("layers").get(0);
        assertEquals("/conv2/Conv", layer.get("layer").asText());
        // conv1 3×3 pad 1, 2×2 pool, conv2 3×3 pad 1: 8×8, stride 2, starting 3 before.
        assertEquals("[8,8]", layer.get("receptive_field").get("size").toString());
        assertEquals("[2,2]", layer.get("receptive_field").get("stride").toString());
        assertEquals("[-3,-3]", layer.get("receptive_field").get("offset").toString());
        JsonNode expected = read(FIXTURES.resolve("examples.json")).get("models").get("fashion_cnn.onnx").get("max");
        JsonNode channels = layer.get("channels");
        assertEquals(32, channels.size());
        for (int c = 0; c < 32; c++) {
            JsonNode ch = channels.get(c);
            assertEquals(c, ch.get("channel").asInt());
            assertEquals(3, ch.get("examples").size());
            for (int k = 0; k < 3; k++) {
                JsonNode e = ch.get("examples").get(k);
                JsonNode want = expected.get(c).get(k);
                assertEquals(want.get("score").asDouble(), e.get("score").asDouble(), 1e-4, "channel " + c + " rank " + k);
                JsonNode p = e.get("patch");
                assertEquals(4, p.size());
                if (e.get("image").asText().equals(want.get("image").asText()) && want.get("score").asDouble() > 1e-3) {
                    int y = want.get("y").asInt();
                    int x = want.get("x").asInt();
                    assertEquals(List.of(Math.max(0, 2 * y - 3), Math.max(0, 2 * x - 3), Math.min(28, 2 * y + 5), Math.min(28, 2 * x + 5)),
                            List.of(p.get(0).asInt(), p.get(1).asInt(), p.get(2).asInt(), p.get(3).asInt()), e.toString());
                }
            }
        }
        BufferedImage grid = ImageIO.read(out.resolve("conv2_Conv.examples.png").toFile());
        BufferedImage patches = ImageIO.read(out.resolve("conv2_Conv.patches.png").toFile());
        assertNotNull(grid);
        assertNotNull(patches);
        // 32 rows of 56-pixel tiles and 3 columns.
        assertTrue(grid.getHeight() >= 32 * 56 && grid.getWidth() >= 3 * 56, grid.getWidth() + "×" + grid.getHeight());
        assertTrue(patches.getHeight() == grid.getHeight(), patches.getHeight() + " vs " + grid.getHeight());
    }

    @Test
    void examplesByMeanAndOnDl4j(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("examples", BUNDLE.resolve("fashion_cnn_keras.h5"), "--layer", "conv2", "--images", images,
                "--score", "mean", "--top", 2, "--batch", 50, "-o", out);
        assertEquals(0, r.code(), r::toString);
        JsonNode expected = read(FIXTURES.resolve("examples.json")).get("models").get("fashion_cnn_keras.onnx").get("mean");
        JsonNode channels = Fixtures.index(out).get("layers").get(0).get("channels");
        for (int c = 0; c < channels.size(); c++) {
            for (int k = 0; k < 2; k++) {
                assertEquals(expected.get(c).get(k).get("score").asDouble(), channels.get(c).get("examples").get(k).get("score").asDouble(),
                        1e-4, "channel " + c + " rank " + k);
            }
        }
    }

    @Test
    void examplesBadInputsExitTwoWithOneLineAndWriteNothing(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Object[][] cases = {
            {"--layer", "/conv2/Conv", "--images", tmp.resolve("missing"), "-o", out},
            {"--layer", "/conv2/Conv", "--images", empty, "-o", out},
            {"--layer", "/conv2/Conv", "--images", BOOT, "-o", out},
            {"--layer", "nope", "--images", images, "-o", out},
            {"--layer", "/fc1/Gemm", "--images", images, "-o", out},
            {"--layer", "/conv2/Conv", "--images", images, "--score", "median", "-o", out},
            {"--layer", "/conv2/Conv", "--images", images, "--top", 0, "-o", out},
        };
        for (Object[] args : cases) {
            Object[] all = new Object[args.length + 1];
            all[0] = "examples";
            System.arraycopy(args, 0, all, 1, args.length);
            Cli.Result r = Cli.run(all);
            assertEquals(2, r.code(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertFalse(r.err().contains("\tat "), r::toString);
            Fixtures.assertEmptyOrMissing(out);
        }
        Path onlyBroken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(onlyBroken.resolve("a.png"), "no");
        Cli.Result r = Cli.run("examples", "--layer", "/conv2/Conv", "--images", onlyBroken, "-o", out);
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.errLines().get(r.errLines().size() - 1).startsWith("none of the 1 images could be read"), r::toString);
        Fixtures.assertEmptyOrMissing(out);
    }

    /**
     * A model whose input fixes the batch at 7 is reported in batches of 7 (10 images: one full batch
     * and one of 3 padded), and each image's article (the picture, the predictions, every layer's maps,
     * the explanation) is what the one-image-at-a-time report of its batch-free twin (the bundled model,
     * ONNX Runtime's same graph) writes; an unreadable image in the first batch is skipped.
     */
    @Test
    void reportOfAFixedBatchModelShowsEachImageAsItsBatchFreeTwinDoes(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("images");
        Files.createDirectories(dir);
        for (int i = 0; i < 10; i++) {
            String name = String.format("%05d.png", i);
            Files.copy(images.resolve(name), dir.resolve(name));
        }
        Files.writeString(dir.resolve("00004x.png"), "not a PNG");
        // The same file name for both, and no labels next to either, so the articles can be compared whole.
        Path fixed = Files.createDirectories(tmp.resolve("fixed")).resolve("model.onnx");
        Path free = Files.createDirectories(tmp.resolve("free")).resolve("model.onnx");
        Files.copy(FIXTURES.resolve("fashion_cnn_batch7.onnx"), fixed);
        Files.copy(BUNDLE.resolve("fashion_cnn.onnx"), free);
        List<String> sections = new java.util.ArrayList<>();
        for (Path model : List.of(fixed, free)) {
            Path out = model.resolveSibling("out");
            Cli.Result r = Cli.run("report", model, "--images", dir, "--max-images", 20, "--preset", "unit", "-o", out);
            assertEquals(0, r.code(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertTrue(r.errLines().get(0).startsWith("skipped: ") && r.errLines().get(0).contains("00004x.png"), r::toString);
            String html = Files.readString(out.resolve("report.html"));
            int from = html.indexOf("<section id=\"images\">");
            sections.add(html.substring(from, html.indexOf("</section>", from)));
        }
        String section = sections.get(0);
        List<String> articles = List.of(section.split("<article class=\"image\">")).subList(1, 11);
        assertEquals(10, section.split("<article class=\"image\">").length - 1);
        for (int i = 0; i < 10; i++) {
            String a = articles.get(i);
            assertTrue(a.startsWith(String.format("<h3>%05d.png</h3>", i)), a.substring(0, Math.min(80, a.length())));
            assertEquals(5, a.split("<tr><td>class ").length - 1, "five predictions in " + i);
            for (String layer : new String[] {"/conv1/Conv", "/conv2/Conv", "/conv3/Conv"}) {
                assertTrue(a.contains("alt=\"feature maps of " + layer + "\""), layer + " in image " + i);
            }
            assertTrue(a.contains("alt=\"explanation of " + String.format("%05d.png", i) + "\""), "explanation of image " + i);
        }
        assertEquals(sections.get(1), section, "the fixed-batch model's articles differ from its batch-free twin's");
    }

    @Test
    void reportBadInputsExitTwoWithOneLineAndWriteNothing(@TempDir Path tmp) throws IOException {
        Path model = BUNDLE.resolve("fashion_cnn.onnx");
        Path out = tmp.resolve("out");
        Object[][] cases = {
            {model, "--image", BOOT, "--max-images", 0, "-o", out},
            {model, "--image", BOOT, "--budget-mb", 0, "-o", out},
            {model, "-o", out},
            {model, "--images", tmp.resolve("missing"), "-o", out},
            {model, "--image", tmp.resolve("missing.png"), "-o", out},
        };
        String[] said = {"--max-images", "--budget-mb", "give images", "missing: no such folder", "missing.png"};
        for (int i = 0; i < cases.length; i++) {
            Object[] all = new Object[cases[i].length + 1];
            all[0] = "report";
            System.arraycopy(cases[i], 0, all, 1, cases[i].length);
            Cli.Result r = Cli.run(all);
            assertEquals(2, r.code(), r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertTrue(r.err().contains(said[i]), said[i] + "\n" + r);
            assertFalse(r.err().contains("\tat "), r::toString);
            Fixtures.assertEmptyOrMissing(out);
        }
        Path onlyBroken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(onlyBroken.resolve("a.png"), "no");
        Cli.Result r = Cli.run("report", model, "--images", onlyBroken, "-o", out);
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.errLines().get(0).startsWith("skipped: "), r::toString);
        assertTrue(r.errLines().get(r.errLines().size() - 1).startsWith("none of the 1 images could be read"), r::toString);
        Fixtures.assertEmptyOrMissing(out);
    }

    @Test
    void statsAgreeWithNumpy() throws IOException {
        Cli.Result r = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"), "--json", "--duplicate-cosine", 0.6);
        assertEquals(0, r.code(), r::toString);
        JsonNode got = new ObjectMapper().readTree(r.out()).get("layers");
        JsonNode want = read(FIXTURES.resolve("weight_stats.json")).get("layers");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i);
            JsonNode g = got.get(i);
            assertTrue(w.get("node").asText().contains(g.get("layer").asText()), w.get("node") + " vs " + g.get("layer"));
            assertEquals(w.get("shape"), g.get("shape"));
            for (int f = 0; f < w.get("norms").size(); f++) {
                assertEquals(w.get("norms").get(f).asDouble(), g.get("norms").get(f).asDouble(), 1e-9, g.get("layer") + " filter " + f);
            }
            assertEquals(w.get("mean").asDouble(), g.get("mean").asDouble(), 1e-12);
            assertEquals(w.get("std").asDouble(), g.get("std").asDouble(), 1e-12);
            assertEquals(w.get("min").asDouble(), g.get("histogram").get("min").asDouble(), 0);
            assertEquals(w.get("max").asDouble(), g.get("histogram").get("max").asDouble(), 0);
            assertEquals(w.get("histogram"), g.get("histogram").get("counts"), g.get("layer").asText());
            Set<String> wantPairs = new HashSet<>();
            for (JsonNode p : w.get("pairs_cosine_at_least_0.5")) {
                if (p.get("cosine").asDouble() >= 0.6) {
                    wantPairs.add(p.get("a").asInt() + "-" + p.get("b").asInt());
                }
            }
            Set<String> gotPairs = new HashSet<>();
            for (JsonNode p : g.get("duplicates")) {
                gotPairs.add(p.get("a").asInt() + "-" + p.get("b").asInt());
            }
            assertEquals(wantPairs, gotPairs, g.get("layer").asText());
            double median = w.get("median_norm").asDouble();
            Set<Integer> wantDead = new HashSet<>();
            for (int f = 0; f < w.get("norms").size(); f++) {
                if (w.get("norms").get(f).asDouble() <= 0.01 * median) {
                    wantDead.add(f);
                }
            }
            Set<Integer> gotDead = new HashSet<>();
            g.get("dead").forEach(d -> gotDead.add(d.asInt()));
            assertEquals(wantDead, gotDead);
        }
    }

    @Test
    void statsOverAFolderFindFiltersNeverActiveAsOnnxRuntimeDoes() throws IOException {
        Cli.Result r = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"), "--images", images, "--json", "--batch", 64);
        assertEquals(0, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString); // broken.png, skipped
        JsonNode got = new ObjectMapper().readTree(r.out()).get("layers");
        JsonNode want = read(FIXTURES.resolve("weight_stats.json")).get("layers");
        int neverSeen = 0;
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i).get("activity_max");
            JsonNode g = got.get(i).get("activity");
            assertEquals(DatasetExamplesTest.N, g.get("images").asInt());
            Set<Integer> never = new HashSet<>();
            for (int c = 0; c < w.size(); c++) {
                assertEquals(w.get(c).asDouble(), g.get("max").get(c).asDouble(), 1e-4, got.get(i).get("layer") + " channel " + c);
                if (w.get(c).asDouble() <= 0) {
                    never.add(c);
                }
            }
            Set<Integer> gotNever = new HashSet<>();
            g.get("never_active").forEach(n -> gotNever.add(n.asInt()));
            assertEquals(never, gotNever, got.get(i).get("layer").asText());
            neverSeen += never.size();
        }
        assertTrue(neverSeen > 0, "the fixture has filters that never fire on these images; the test would prove little without");
        Cli.Result text = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"), "--images", images, "--layer", "/conv3/Conv");
        assertTrue(text.out().contains("/conv3/Conv: never active ["), text::toString);
    }

    @Test
    void statsFindADeadAndADuplicateFilter(@TempDir Path tmp) throws IOException {
        // The text form on a model whose layers the summary must name; then the thresholds at their extremes.
        Cli.Result r = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"));
        assertEquals(0, r.code(), r::toString);
        for (String l : new String[] {"conv1", "conv2", "conv3", "norm mean", "dead", "duplicate pairs"}) {
            assertTrue(r.out().contains(l), l + "\n" + r);
        }
        // Every filter is "dead" at 100 × the median norm, every pair a duplicate at cosine -1.
        Cli.Result all = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"), "--layer", "/conv1/Conv", "--json", "--dead-fraction", 100,
                "--duplicate-cosine", -1);
        JsonNode l = new ObjectMapper().readTree(all.out()).get("layers").get(0);
        assertEquals(16, l.get("dead").size());
        assertEquals(16 * 15 / 2, l.get("duplicates").size());
        Cli.Result bad = Cli.run("stats", BUNDLE.resolve("fashion_cnn.onnx"), "--layer", "/pool1/MaxPool");
        assertEquals(2, bad.code(), bad::toString);
        assertEquals(1, bad.errLines().size(), bad::toString);
        Cli.Result badCos = Cli.run("stats", "--duplicate-cosine", 2);
        assertEquals(2, badCos.code(), badCos::toString);
    }

    @Test
    void diffOfTheTwoExportsPartsAtConv1AsOnnxRuntimeSays() throws IOException {
        Cli.Result r = Cli.run("diff", BUNDLE.resolve("fashion_cnn.onnx"), BUNDLE.resolve("fashion_cnn_keras.onnx"), "--image", BOOT, "--json");
        assertEquals(0, r.code(), r::toString);
        JsonNode got = new ObjectMapper().readTree(r.out());
        assertEquals("/conv1/Conv", got.get("first_parting").asText());
        JsonNode want = read(FIXTURES.resolve("diff.json")).get("layers");
        for (JsonNode w : want) {
            JsonNode row = null;
            for (JsonNode g : got.get("layers")) {
                if (g.get("a").asText().equals("/" + w.get("layer").asText() + "/Conv")) {
                    row = g;
                }
            }
            assertNotNull(row, w + " not in " + got);
            assertEquals("order", row.get("matched_by").asText());
            assertEquals(w.get("max_abs").asDouble(), row.get("max_abs").asDouble(), 1e-5, row.toString());
            assertEquals(w.get("mean_abs").asDouble(), row.get("mean_abs").asDouble(), 1e-6, row.toString());
            assertTrue(row.get("parts").asBoolean());
        }
    }

    @Test
    void diffOfDl4jAndOnnxFormsOfOneNetworkAgrees() {
        Cli.Result r = Cli.run("diff", BUNDLE.resolve("fashion_cnn_keras.onnx"), BUNDLE.resolve("fashion_cnn_keras.h5"), "--image", BOOT);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("they agree on all"), r::toString);
        for (String pair : new String[] {"/Conv", "conv1", "/MaxPool_2", "pool3", "(output)"}) {
            assertTrue(r.out().contains(pair), pair + "\n" + r);
        }
        // --map pairs two layers the order would not: conv1 of one with conv1 of the other still matches by name.
        Cli.Result mapped = Cli.run("diff", BUNDLE.resolve("fashion_cnn_keras.h5"), BUNDLE.resolve("fashion_cnn_keras.onnx"), "--image", BOOT,
                "--map", "conv2=/Conv_1", "--json");
        assertEquals(0, mapped.code(), mapped::toString);
        assertTrue(mapped.out().contains("\"matched_by\" : \"map\""), mapped::toString);
        Cli.Result badMap = Cli.run("diff", BUNDLE.resolve("fashion_cnn_keras.h5"), BUNDLE.resolve("fashion_cnn_keras.onnx"), "--image", BOOT,
                "--map", "conv2=/Conv");
        assertEquals(2, badMap.code(), badMap::toString);
        assertEquals(1, badMap.errLines().size(), badMap::toString);
        Cli.Result noInput = Cli.run("diff", BUNDLE.resolve("fashion_cnn.onnx"), BUNDLE.resolve("fashion_cnn_keras.onnx"));
        assertEquals(2, noInput.code(), noInput::toString);
    }
}
