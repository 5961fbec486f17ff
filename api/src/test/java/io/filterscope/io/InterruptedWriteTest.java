package io.filterscope.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM stopped in the middle of a write (what Ctrl-C or a service manager's SIGTERM does) leaves
 * the old file as it was and no temporary file beside it. Runs a real second JVM and stops it.
 */
class InterruptedWriteTest {

    /** Writes the target through AtomicFiles and blocks inside the write until it is killed. */
    public static final class StuckWriter {
        public static void main(String[] args) {
            AtomicFiles.write(Path.of(args[0]), out -> {
                out.write("half".getBytes(StandardCharsets.UTF_8));
                out.flush();
                System.out.println("writing");
                System.out.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Test
    void aJvmStoppedMidWriteLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("result.png"), "old");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StuckWriter.class.getName(), target.toString())
                .redirectErrorStream(true).start();
        try {
            // Wait until the child is inside the write (no clock involved: it says so).
            String line = new String(p.getInputStream().readNBytes("writing".length()), StandardCharsets.UTF_8);
            assertEquals("writing", line);
            assertEquals(2, list(dir).size(), "the temporary file exists while writing: " + list(dir));
        } finally {
            p.destroy();   // SIGTERM: shutdown hooks run, as for Ctrl-C
            p.waitFor();
        }
        assertEquals(List.of(target), list(dir));
        assertEquals("old", Files.readString(target));
        assertTrue(p.exitValue() != 0);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
