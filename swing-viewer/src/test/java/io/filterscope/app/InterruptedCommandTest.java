package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code filterscope activations} over a folder of images, stopped with SIGTERM (what Ctrl-C and a
 * service manager do) while it writes: no {@code .tmp} file is left, and every picture in the output
 * folder is whole. The command runs in a real second JVM; it is stopped as soon as one of its
 * temporary files exists, so it is stopped in the middle of a write or between two, with hundreds
 * of images still to go.
 */
class InterruptedCommandTest {
    private static final int IMAGES = 300;

    @TempDir
    Path tmp;

    @Test
    void aCommandStoppedWhileWritingLeavesNoTemporaryFileAndNoHalfPicture() throws Exception {
        Path images = tmp.resolve("images");
        FashionMnistImages.write(images, IMAGES);
        Path out = tmp.resolve("out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", FreshJvm.classPath(),
                Main.class.getName(), "activations", "--image", images.toString(), "-o", out.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        boolean sawTemporary = false;
        try {
            // The condition is the product's own: a temporary file of its atomic writes exists.
            while (p.isAlive() && !(sawTemporary = !temporaries(out).isEmpty())) {
                Thread.sleep(5);
            }
        } finally {
            p.destroy();   // SIGTERM: shutdown hooks run, as for Ctrl-C
            p.waitFor();
        }
        String log = Files.readString(tmp.resolve("log.txt"));
        assertTrue(sawTemporary, "the command wrote through temporary files\n" + log);
        assertEquals(143, p.exitValue(), "stopped by SIGTERM with " + IMAGES + " images to draw, not finished\n" + log);
        assertEquals(List.of(), temporaries(out), "temporary files left behind");
        List<Path> pictures = files(out).stream().filter(f -> f.toString().endsWith(".png")).toList();
        for (Path png : pictures) {
            assertNotNull(ImageIO.read(png.toFile()), png + " is not a whole PNG");
        }
    }

    private static List<Path> temporaries(Path dir) throws IOException {
        return files(dir).stream().filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        } catch (java.io.UncheckedIOException e) {
            // A temporary file renamed away while the folder was walked: look again.
            return files(dir);
        }
    }
}
