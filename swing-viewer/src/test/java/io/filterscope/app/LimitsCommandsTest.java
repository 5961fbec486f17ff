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

/** Inputs that would need more memory than there is: exit 2, one line with what to do, nothing written. */
class LimitsCommandsTest {
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
