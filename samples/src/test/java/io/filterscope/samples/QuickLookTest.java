package io.filterscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's sample program handles its arguments and bad files as the CLI does. */
class QuickLookTest {
    private static final Path DIR = Path.of("../samples/models/fashion-mnist");

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = QuickLook.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLine(Result r, String mentions) {
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().contains(mentions), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
    }

    @Test
    void withoutArgumentsPrintsUsage() {
        assertOneLine(run(), "usage: QuickLook MODEL IMAGE LABELS OUT_DIR");
        assertOneLine(run("a", "b"), "usage:");
    }

    @Test
    void createsAMissingOutputFolder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("not/yet/there");
        Result r = run(DIR.resolve("fashion_cnn.onnx").toString(), DIR.resolve("images/9-ankle-boot.png").toString(),
                DIR.resolve("labels.txt").toString(), out.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(Files.isRegularFile(out.resolve("filters.png")), r::toString);
        // The bundled model knows its ankle boot (the model card's test accuracy is about 90 %).
        assertTrue(r.out().lines().findFirst().orElse("").contains("Ankle boot"), r::toString);
    }

    @Test
    void badFilesAreOneLine(@TempDir Path tmp) throws Exception {
        Path notAModel = Files.writeString(tmp.resolve("model.onnx"), "not a model");
        assertOneLine(run(notAModel.toString(), "x.png", DIR.resolve("labels.txt").toString(), tmp.resolve("o").toString()),
                "model.onnx");
        assertOneLine(run(DIR.resolve("fashion_cnn.onnx").toString(), tmp.resolve("missing.png").toString(),
                DIR.resolve("labels.txt").toString(), tmp.resolve("o").toString()), "missing.png");
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertOneLine(run(DIR.resolve("fashion_cnn.onnx").toString(), DIR.resolve("images/9-ankle-boot.png").toString(),
                DIR.resolve("labels.txt").toString(), file.resolve("sub").toString()), "afile");
    }
}
