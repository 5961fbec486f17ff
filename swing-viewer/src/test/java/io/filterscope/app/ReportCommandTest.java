package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.FilterScope;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code filterscope report} opened in a real browser: Debian's chromium, headless (installed by
 * {@code .ci/run}), which loads the file, builds the DOM and paints it.
 */
class ReportCommandTest {
    static final Path BUNDLE = DatasetExamplesTest.BUNDLE;

    static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return fail("no chromium on the PATH: apt-get install chromium (.ci/run installs it)");
    }

    static String browser(Path tmp, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("chromium.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(tmp.resolve("chromium.log")));
        return out;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void rendersInHeadlessChromium(@TempDir Path tmp) throws Exception {
        Path model = BUNDLE.resolve("fashion_cnn.onnx");
        Path boot = BUNDLE.resolve("images/9-ankle-boot.png");
        Path trouser = BUNDLE.resolve("images/1-trouser.png");
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("report", model, "--image", boot, "--image", trouser, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("index.json", "report.html"), Fixtures.fileNames(out));

        String dom = browser(tmp, "--dump-dom", out.resolve("report.html").toUri().toString());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
        for (String s : new String[] {"<section id=\"summary\">", "<section id=\"filters\">", "<section id=\"reproducibility\">",
            sha, "9-ankle-boot.png", "1-trouser.png", "Ankle boot", "Trouser", "execution provider", "cpu"}) {
            assertTrue(dom.contains(s), s + " not in the DOM chromium built");
        }
        // Every picture made it: 3 filter grids, and per image what the model sees and one grid per spatial layer.
        int spatial;
        try (Model m = FilterScope.open(model)) {
            spatial = m.capture(Preprocessor.load(boot, Preprocessing.forModel(m.metadata(), Optional.empty())), CaptureRequest.allSpatial())
                    .layers().size();
        }
        Matcher img = Pattern.compile("<img [^>]*src=\"data:image/png;base64,").matcher(dom);
        int count = 0;
        while (img.find()) {
            count++;
        }
        // 3 filter grids; per image what the model sees, one grid per spatial layer and its explanation.
        assertEquals(3 + 2 * (1 + spatial + 1), count);
        // The top class of each image, in order, in its predictions table.
        assertTrue(dom.indexOf("Ankle boot") < dom.indexOf("1-trouser.png"));

        // The bundled ONNX model has gradients: each image's top class is explained by Grad-CAM, at the
        // last layer with a spatial output, and the reproducibility block says so.
        try (Model m = FilterScope.open(model)) {
            assertTrue(m.capabilities().contains(Capability.GRADIENTS));
            String layer = new Explainer(m).defaultLayer().name();
            ExplainRequest request = ExplainRequest.of(Method.GRAD_CAM).atLayer(layer);
            for (Path image : List.of(boot, trouser)) {
                assertArrayEquals(expectedOverlay(m, image, request), explanationPicture(dom, image));
            }
            assertTrue(dom.contains("<th>explanations</th><td>gradcam, layer " + ReportCommand.esc(layer) + ", class top-1"), dom);
            assertTrue(dom.contains("<th>explanation of 9-ankle-boot.png</th><td>gradcam at " + ReportCommand.esc(layer)
                    + ", class 9 (Ankle boot)"), dom);
            assertTrue(dom.contains("<th>explanation of 1-trouser.png</th><td>gradcam at " + ReportCommand.esc(layer)
                    + ", class 1 (Trouser)"), dom);
        }
        com.fasterxml.jackson.databind.JsonNode explanation = Fixtures.index(out).get("explanation");
        assertEquals("gradcam", explanation.get("method").asText(), explanation::toPrettyString);

        Path shot = tmp.resolve("shot.png");
        browser(tmp, "--screenshot=" + shot, "--window-size=1000,1400", "--hide-scrollbars", out.resolve("report.html").toUri().toString());
        BufferedImage png = ImageIO.read(shot.toFile());
        assertEquals(1000, png.getWidth());
        int dark = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int v = png.getRGB(x, y) & 0xFF;
                dark += v < 128 ? 1 : 0;
            }
        }
        // Text and the embedded pictures paint: a blank or broken page would be (nearly) all white.
        assertTrue(dark > 5_000, dark + " dark pixels");
    }

    /**
     * A model without gradients (its bilinear Resize has no backward rule) is explained forward-only:
     * Score-CAM on the 16 most varying channels, as the reproducibility block records.
     */
    @Test
    void modelWithoutGradientsIsExplainedByScoreCam(@TempDir Path tmp) throws Exception {
        Path model = Path.of("../backend-onnx/src/test/resources/gradients/unsupported/model.onnx");
        Path boot = BUNDLE.resolve("images/9-ankle-boot.png");
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("report", model, "--image", boot, "-o", out);
        assertEquals(0, r.code(), r::toString);
        String dom = browser(tmp, "--dump-dom", out.resolve("report.html").toUri().toString());
        try (Model m = FilterScope.open(model)) {
            assertFalse(m.capabilities().contains(Capability.GRADIENTS));
            String layer = new Explainer(m).defaultLayer().name();
            ExplainRequest request = ExplainRequest.of(Method.SCORE_CAM).atLayer(layer).withTopChannels(16);
            assertArrayEquals(expectedOverlay(m, boot, request), explanationPicture(dom, boot));
            assertTrue(dom.contains("<th>explanations</th><td>scorecam, layer " + ReportCommand.esc(layer)
                    + ", class top-1, top channels 16, batch 32, colormap inferno, alpha 0.5</td>"), dom);
        }
        com.fasterxml.jackson.databind.JsonNode explanation = Fixtures.index(out).get("explanation");
        assertEquals("scorecam", explanation.get("method").asText());
        assertEquals(16, explanation.get("settings").get("top_channels").asInt());

        // --explain none leaves explanations out, and says so.
        Path none = tmp.resolve("none");
        assertEquals(0, Cli.run("report", model, "--image", boot, "--explain", "none", "-o", none).code());
        String html = Files.readString(none.resolve("report.html"));
        assertFalse(html.contains("class=\"explanation\""));
        assertTrue(html.contains("<th>explanations</th><td>none (--explain none)</td>"));
    }

    /**
     * A small budget is shared: the filter grids may take a quarter of it, and each image an equal
     * share of the rest, so every image keeps what the model saw, its predictions, its explanation and
     * every feature map, while the wide /conv3/Conv bank (64 × 32 × 3 × 3) is drawn in part or left
     * out. (Spent in document order, as the budget was before, the filters took 0.5 MB and every
     * feature map was left out.)
     */
    @Test
    void smallBudgetKeepsEveryImagesMapsAndShrinksTheFilters(@TempDir Path tmp) throws Exception {
        Path model = BUNDLE.resolve("fashion_cnn.onnx");
        Path boot = BUNDLE.resolve("images/9-ankle-boot.png");
        Path trouser = BUNDLE.resolve("images/1-trouser.png");
        Path out = tmp.resolve("out");
        double mb = 0.5;
        Cli.Result r = Cli.run("report", model, "--image", boot, "--image", trouser, "--budget-mb", mb, "-o", out);
        assertEquals(0, r.code(), r::toString);
        String html = Files.readString(out.resolve("report.html"));

        List<String> spatial;
        try (Model m = FilterScope.open(model)) {
            spatial = m.capture(Preprocessor.load(boot, Preprocessing.forModel(m.metadata(), Optional.empty())), CaptureRequest.allSpatial())
                    .layers().stream().map(lo -> lo.layer().name()).toList();
        }
        assertEquals(6, spatial.size(), spatial::toString);
        String[] articles = html.split("<article class=\"image\">");
        assertEquals(3, articles.length, "two image articles");
        String[][] expected = {{"9-ankle-boot.png", "Ankle boot"}, {"1-trouser.png", "Trouser"}};
        for (int i = 0; i < 2; i++) {
            String a = articles[i + 1].substring(0, articles[i + 1].indexOf("</article>"));
            assertTrue(a.startsWith("<h3>" + expected[i][0] + "</h3>"), a);
            assertTrue(a.contains("<table class=\"predictions\"><tr><th>class</th><th>probability</th></tr><tr><td>" + expected[i][1]
                    + "</td>"), "the top class of " + expected[i][0]);
            List<String> shown = new java.util.ArrayList<>(List.of("what the model sees", "explanation of " + expected[i][0]));
            spatial.forEach(l -> shown.add("feature maps of " + l));
            for (String alt : shown) {
                assertTrue(Pattern.compile("<img [^>]*alt=\"" + Pattern.quote(alt) + "\"[^>]*src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}")
                        .matcher(a).find(), alt + " not shown for " + expected[i][0]);
            }
            assertFalse(a.contains("left out (size budget)"), a);
        }

        String filters = html.substring(html.indexOf("<section id=\"filters\">"), html.indexOf("<section id=\"images\">"));
        long filterBytes = 0;
        Matcher img = Pattern.compile("<img [^>]*src=\"data:image/png;base64,([^\"]+)\"").matcher(filters);
        int filterPictures = 0;
        while (img.find()) {
            filterBytes += img.group(1).length();
            filterPictures++;
        }
        int leftOut = filters.split("left out \\(size budget\\)", -1).length - 1;
        assertEquals(3, filterPictures + leftOut, filters);
        assertTrue(filterPictures >= 2, filters);
        assertTrue(filterBytes <= (long) (mb * (1 << 20)) / ReportCommand.FILTER_SHARE, filterBytes + " bytes of filters");
        // The wide bank says what of it is drawn, and how to draw the whole.
        assertTrue(filters.contains("<summary>/conv3/Conv 64×32×3×3</summary><p class=\"drawn\">Drawn: input channels 0-15 of 32"
                + " (colours scaled to the weights drawn). The whole grid: <code>filterscope filters " + model
                + " --layer /conv3/Conv -o DIR</code></p>"), filters);
        assertTrue(html.contains("pictures left out: the size budget of 0.5 MB was reached"), html);
        assertTrue(r.out().contains("pictures over the size budget left out"), r::toString);
    }

    /** A wide bank is drawn from its first 64 filters and first 16 input channels, the weights as they are in the bank. */
    @Test
    void wideFilterBankIsDrawnFromItsFirstFiltersAndInputChannels() {
        java.util.Random random = new java.util.Random(14);
        float[] w = new float[100 * 40 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] b = new float[100];
        for (int i = 0; i < b.length; i++) {
            b[i] = i;
        }
        FilterBank full = new FilterBank("wide", Tensor.wrap(io.filterscope.tensor.Shape.of(100, 40, 3, 3), w),
                Optional.of(Tensor.wrap(io.filterscope.tensor.Shape.of(100), b)), new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1, false);
        ReportCommand.DrawnFilters d = ReportCommand.DrawnFilters.of(full);
        assertTrue(d.isPart());
        assertEquals(io.filterscope.tensor.Shape.of(64, 16, 3, 3), d.bank().weights().shape());
        float[] drawn = d.bank().weights().toArray();
        for (int o = 0; o < 64; o++) {
            for (int i = 0; i < 16; i++) {
                for (int k = 0; k < 9; k++) {
                    assertEquals(w[(o * 40 + i) * 9 + k], drawn[(o * 16 + i) * 9 + k], "filter " + o + ", input " + i);
                }
            }
        }
        assertEquals(63f, d.bank().bias().orElseThrow().toArray()[63]);
        assertEquals("filters 0-63 of 100, input channels 0-15 of 40 (colours scaled to the weights drawn)", d.describe(full));

        // An RGB first layer and a depthwise layer draw one tile per filter: only their filter count is cut.
        FilterBank rgb = new FilterBank("rgb", Tensor.zeros(io.filterscope.tensor.Shape.of(64, 3, 7, 7)), Optional.empty(),
                new int[] {2, 2}, new int[] {3, 3, 3, 3}, new int[] {1, 1}, 1, false);
        assertFalse(ReportCommand.DrawnFilters.of(rgb).isPart());
        assertSame(rgb, ReportCommand.DrawnFilters.of(rgb).bank());
        FilterBank depthwise = new FilterBank("dw", Tensor.zeros(io.filterscope.tensor.Shape.of(96, 1, 3, 3)), Optional.empty(),
                new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 96, false);
        ReportCommand.DrawnFilters dw = ReportCommand.DrawnFilters.of(depthwise);
        assertEquals(io.filterscope.tensor.Shape.of(64, 1, 3, 3), dw.bank().weights().shape());
        assertEquals("filters 0-63 of 96 (colours scaled to the weights drawn)", dw.describe(depthwise));
    }

    /** A gradient method asked of a model without gradients is refused in one line, and nothing is written. */
    @Test
    void gradientMethodOnAModelWithoutGradientsIsRefused(@TempDir Path tmp) {
        Path model = Path.of("../backend-onnx/src/test/resources/gradients/unsupported/model.onnx");
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("report", model, "--image", BUNDLE.resolve("images/9-ankle-boot.png"), "--explain", "gradcam", "-o", out);
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains("needs gradients"), r::toString);
        assertFalse(Files.exists(out));
    }

    /** Explainer's overlay for {@code image}: the picture the model saw with the heatmap blended over it. */
    private static int[] expectedOverlay(Model m, Path image, ExplainRequest request) {
        Preprocessing prep = Preprocessing.forModel(m.metadata(), Optional.empty());
        Tensor in = Preprocessor.load(image, prep);
        Explanation e = new Explainer(m).explain(in, request);
        return pixels(e.heatmap().overlay(Preprocessor.toImage(in, prep), Colormap.INFERNO, 0.5f));
    }

    /** The pixels of the explanation picture of {@code image} in the DOM chromium built. */
    private static int[] explanationPicture(String dom, Path image) throws IOException {
        Matcher m = Pattern.compile("<img [^>]*alt=\"explanation of " + Pattern.quote(image.getFileName().toString())
                + "\"[^>]*src=\"data:image/png;base64,([^\"]+)\"").matcher(dom);
        assertTrue(m.find(), "no explanation picture of " + image.getFileName());
        return pixels(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
    }

    private static int[] pixels(BufferedImage img) {
        int[] p = new int[img.getWidth() * img.getHeight() + 2];
        p[0] = img.getWidth();
        p[1] = img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                p[2 + y * img.getWidth() + x] = img.getRGB(x, y) & 0xFFFFFF;
            }
        }
        return p;
    }
}
