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

    /**
     * Eight threads write file after file through AtomicFiles, each write pausing inside, until
     * the JVM is stopped: writes that start while the shutdown hook cleans up must not leave a
     * temporary file behind it (InterruptedCommandTest once found one).
     */
    public static final class BusyWriters {
        public static void main(String[] args) throws InterruptedException {
            Path dir = Path.of(args[0]);
            for (int t = 0; t < 8; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    for (int i = 0; ; i++) {
                        try {
                            AtomicFiles.write(dir.resolve(thread + "-" + (i % 4) + ".png"), out -> {
                                out.write(new byte[4096]);
                                Thread.onSpinWait();
                            });
                        } catch (RuntimeException e) {
                            return;   // refused while the JVM stops
                        }
                    }
                });
                w.setDaemon(true);
                w.start();
            }
            Thread.sleep(200);
            System.out.println("writing");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void writesGoingOnWhileTheJvmStopsLeaveNoTemporaryFile(@TempDir Path dir) throws Exception {
        for (int run = 0; run < 10; run++) {
            Path out = Files.createDirectory(dir.resolve("run" + run));
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), BusyWriters.class.getName(), out.toString())
                    .redirectErrorStream(true).start();
            try {
                assertEquals("writing", new String(p.getInputStream().readNBytes("writing".length()), StandardCharsets.UTF_8));
            } finally {
                p.destroy();
                p.waitFor();
            }
            List<Path> left = list(out).stream().filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), left, "run " + run + ": temporary files left behind");
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
