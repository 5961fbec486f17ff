package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the command line in process and keeps what it printed. */
final class Cli {
    private Cli() {
    }

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result run(Object... args) {
        String[] a = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(a, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code command args -o out} and asserts the refusal every command gives bad input: exit 2,
     * one line on stderr holding every fragment, no stack trace, and nothing written.
     */
    static void assertRefused(String command, Path out, List<String> args, String... fragments) {
        List<Object> all = new ArrayList<>();
        all.add(command);
        all.addAll(args);
        all.add("-o");
        all.add(out);
        Result r = run(all.toArray());
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        for (String f : fragments) {
            assertTrue(r.err().contains(f), f + "\n" + r);
        }
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(Files.exists(out), r::toString);
    }
}
