package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands over a folder of images: {@code predict} and {@code activations} take {@code --image DIR};
 * an unreadable image is one line and is skipped; a summary comes at the end; progress lines only on
 * a terminal.
 */
class FolderCommandsTest {
    static final int N = 120;

    @TempDir
    static Path images;

    @BeforeAll
    static void writeImages() throws IOException {
        FashionMnistImages.write(images, N);
        Files.writeString(images.resolve("broken.png"), "this is not a PNG");
    }

    @Test
    void predictOverAFolderAgreesWithOnnxRuntime() throws IOException {
        Cli.Result r = Cli.run("predict", images, "--top", 2);
        assertEquals(2, r.code(), "a folder as MODEL is not a model\n" + r);
        r = Cli.run("predict", "--image", images, "--top", 2, "--batch", 16);
        assertEquals(0, r.code(), r::toString);
        assertEquals(List.of("skipped: " + images.resolve("broken.png") + ": not a readable image (PNG, JPEG, BMP or GIF expected)"),
                r.errLines(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertEquals(N + 1, lines.size(), r::toString);
        assertTrue(lines.get(N).matches("predicted 120 images \\(1 skipped\\) in [0-9.]+ s"), lines.get(N));
        JsonNode top1 = new ObjectMapper().readTree(ReportsCommandsTest.FIXTURES.resolve("examples.json").toFile())
                .get("models").get("fashion_cnn.onnx").get("top1");
        List<String> labels = Fixtures.labels();
        for (int i = 0; i < N; i++) {
            String want = String.format("%05d.png: %s ", i, labels.get(top1.get(i).asInt()));
            assertTrue(lines.get(i).startsWith(want), lines.get(i) + " should start with " + want);
        }
        // The same line as predict on the one image gives.
        Cli.Result one = Cli.run("predict", "--image", images.resolve("00007.png"), "--top", 1);
        String label = labels.get(top1.get(7).asInt());
        assertTrue(one.out().contains(label), one::toString);
    }

    @Test
    void activationsOverAFolderDrawWhatTheSingleImageCommandDraws(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("activations", "--image", images, "--layer", "/conv2/Conv", "--batch", 7, "-o", out);
        assertEquals(0, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.out().startsWith("drew 120 feature-map grids for 120 images (1 skipped)"), r::toString);
        JsonNode index = Fixtures.index(out);
        assertEquals(N, index.get("images").size());
        assertEquals(1, index.get("summary").get("skipped").asInt());
        JsonNode e = index.get("images").get(42);
        assertEquals("00042.png", e.get("file").asText());
        String file = e.get("layers").get(0).get("files").get(0).asText();
        assertEquals("00042/conv2_Conv.activations.png", file);

        Path single = tmp.resolve("single");
        Cli.Result s = Cli.run("activations", "--image", images.resolve("00042.png"), "--layer", "/conv2/Conv", "-o", single);
        assertEquals(0, s.code(), s::toString);
        BufferedImage a = ImageIO.read(out.resolve(file).toFile());
        BufferedImage b = ImageIO.read(single.resolve("conv2_Conv.activations.png").toFile());
        assertEquals(b.getWidth(), a.getWidth());
        assertEquals(b.getHeight(), a.getHeight());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(b.getRGB(x, y), a.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals(Fixtures.index(single).get("prediction").get("top").get(0).get("class"), e.get("top").get(0).get("class"));
    }

    @Test
    void aFolderWithoutImagesIsOneLineAndNothingWritten(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        Path out = tmp.resolve("out");
        for (Object[] args : new Object[][] {{"predict", "--image", empty}, {"activations", "--image", empty, "-o", out}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(2, r.code(), r::toString);
            assertEquals(List.of(empty + ": holds no images (.png, .jpg, .jpeg, .bmp or .gif files); give a folder of images"), r.errLines());
            Fixtures.assertEmptyOrMissing(out);
        }
    }

    @Test
    void progressLineOnATerminalOnly() {
        StringWriter tty = new StringWriter();
        Progress p = new Progress(new PrintWriter(tty), true, "images");
        assertEquals("[############            ] 500/1,000 images  50.0/s  0:10 left", p.line(500, 1000, 10));
        assertEquals("[########################] 1,000/1,000 images  50.0/s  0:20 total", p.line(1000, 1000, 20));
        p.progress(1000, 1000);
        assertTrue(tty.toString().startsWith("\r[####"), tty::toString);
        assertTrue(tty.toString().endsWith(System.lineSeparator()), tty::toString);
        StringWriter pipe = new StringWriter();
        Progress q = new Progress(new PrintWriter(pipe), false, "images");
        q.progress(5, 10);
        q.progress(10, 10);
        assertEquals("", pipe.toString());
        q.skipped(Path.of("a.png"), "a.png: not a readable image");
        assertEquals("skipped: a.png: not a readable image" + System.lineSeparator(), pipe.toString());
        assertEquals(1, q.skippedCount());
    }
}
