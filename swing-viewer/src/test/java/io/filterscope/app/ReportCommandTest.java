package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.FilterScope;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
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
        assertEquals(3 + 2 * (1 + spatial), count);
        // The top class of each image, in order, in its predictions table.
        assertTrue(dom.indexOf("Ankle boot") < dom.indexOf("1-trouser.png"));

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
}
