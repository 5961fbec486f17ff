package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * Runs {@code filterscope} (the class {@link Main}) in a fresh JVM, as a user's shell would: for what
 * needs another class path (a backend jar missing, ND4J's native jar missing) or the process's own
 * stderr (warnings logged through SLF4J, which the in-process {@link Cli} does not capture).
 */
final class FreshJvm {
    private FreshJvm() {
    }

    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        /** The one line on stderr, after checking there is only one and no stack trace. */
        String oneLine() {
            List<String> lines = errLines();
            assertEquals(1, lines.size(), this::toString);
            assertFalse(err.contains("Exception") || err.contains("\tat "), this::toString);
            return lines.get(0);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** This test JVM's class path. */
    static String classPath() {
        return System.getProperty("java.class.path");
    }

    /**
     * This test JVM's class path without the entries {@code drop} matches, after checking that it
     * matched exactly {@code expected} of them (so a renamed jar cannot make the test pass vacuously).
     */
    static String classPathWithout(Predicate<Path> drop, int expected, String what) {
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        for (String entry : classPath().split(File.pathSeparator)) {
            if (drop.test(Path.of(entry))) {
                dropped++;
            } else {
                kept.add(entry);
            }
        }
        assertEquals(expected, dropped, what + " on the test class path: " + classPath());
        return String.join(File.pathSeparator, kept);
    }

    /** A FilterScope module on the class path: its reactor build folder, or its jar. */
    static Predicate<Path> module(String folder, String artifactId) {
        return p -> p.getFileName().toString().startsWith(artifactId + "-")
                || p.endsWith(Path.of(folder, "target", "classes"));
    }

    static Run filterscope(String classPath, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        // stderr is read on another thread so that neither stream's pipe fills and blocks the child.
        var err = new CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        reader.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        try {
            return new Run(code, out, err.get());
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
