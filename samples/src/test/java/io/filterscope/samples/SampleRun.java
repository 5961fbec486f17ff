package io.filterscope.samples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a sample's {@code run(args, out, err)} and keeps what it printed, for the samples' tests. */
final class SampleRun {
    private SampleRun() {
    }

    /** A sample's entry point with its streams given. */
    interface Main {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    /** {@code {exit code, standard output, standard error}}. */
    static String[] run(Main main, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = main.run(args, o, e);
        }
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
