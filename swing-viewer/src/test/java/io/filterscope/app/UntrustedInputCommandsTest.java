package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs through the command line: files that would need more memory than there is, and
 * models that point outside their folder. Exit 2, one line with what to do, nothing written.
 */
class UntrustedInputCommandsTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist");

    @TempDir
    Path tmp;

    @AfterEach
    void restoreTheDefaults() {
        System.clearProperty(Limits.CAPTURE_MAX_BYTES);
    }

    /** 70 bytes of GIF that declare 65,535 × 65,535 pixels: refused from the header, for every command that reads images. */
    @Test
    void anImageThatDeclaresFourGigapixels() throws IOException {
        Path gif = Files.write(tmp.resolve("huge.gif"), gif(65_535, 65_535));
        Path out = tmp.resolve("out");
        Cli.Result a = Cli.run("activations", "--image", gif, "-o", out);
        Fixtures.assertUserError(a, "huge.gif", out);
        assertTrue(a.err().contains("65,535 × 65,535 pixels") && a.err().contains("-Dfilterscope.image.maxPixels="), a::toString);
        Fixtures.assertUserError(Cli.run("predict", "--image", gif), "huge.gif", null);
    }

    @Test
    void aCaptureOverTheMemoryBudget() {
        System.setProperty(Limits.CAPTURE_MAX_BYTES, "10k");
        Path out = tmp.resolve("out");
        for (String model : new String[] {"fashion_cnn.onnx", "fashion_cnn_dl4j.zip"}) {
            Cli.Result r = Cli.run("activations", FASHION.resolve(model), "--image", FASHION.resolve("images/9-ankle-boot.png"),
                    "-o", out);
            Fixtures.assertUserError(r, model, out);
            assertTrue(r.err().contains("more than the 10.0 KB budget; capture fewer layers (--layer NAME)"), r::toString);
        }
    }

    /** external_escape/model.onnx keeps its weights in ../outside.bin: that file exists here, and is not read. */
    @Test
    void anOnnxModelWhoseExternalDataLiesOutsideItsFolder() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("models/m"));
        Path model = Files.copy(Path.of("../backend-onnx/src/test/resources/models/external_escape/model.onnx"), folder.resolve("model.onnx"));
        Files.copy(Path.of("../backend-onnx/src/test/resources/models/external/weights.bin"), tmp.resolve("models/outside.bin"));
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("filters", model, "-o", out);
        Fixtures.assertUserError(r, "model.onnx", out);
        assertTrue(r.err().contains("external data location '../outside.bin'") && r.err().contains("lies outside the model's folder"),
                r::toString);
    }

    private static byte[] gif(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) width).putShort((short) height)
                .put((byte) 0x80).put((byte) 0).put((byte) 0);
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) width).putShort((short) height).put((byte) 0);
        b.put(new byte[] {2, 2, 0x4C, 0x01, 0, 0x3B});
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
