package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: usage, help, version, option errors. None of these needs a backend. */
class MainTest {

    @Test
    void helpListsEveryCommand() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("Usage: filterscope"), r::toString);
        for (String cmd : new String[] {"view", "info", "filters", "activations", "predict"}) {
            assertTrue(r.out().contains(cmd), cmd + " missing from usage\n" + r);
        }
        assertEquals("", r.err());
    }

    @Test
    void helpOfEachCommand() {
        for (String cmd : new String[] {"view", "info", "filters", "activations", "predict"}) {
            Cli.Result r = Cli.run(cmd, "--help");
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().contains("Usage: filterscope " + cmd), r::toString);
            assertTrue(r.out().contains("--verbose"), r::toString);
            assertTrue(r.out().contains("--backend"), r::toString);
            // Only the commands that run the model offer where and how it runs.
            boolean runs = !cmd.equals("info") && !cmd.equals("filters");
            assertEquals(runs, r.out().contains("--provider"), r::toString);
            assertEquals(runs, r.out().contains("--threads"), r::toString);
        }
        assertUsageError(Cli.run("info", "--provider", "cuda"), "--provider");
    }

    @Test
    void version() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("filterscope "), r::toString);
        assertTrue(r.out().contains("backends:"), r::toString);
        assertEquals(0, Cli.run("filters", "--version").code());
    }

    @Test
    void unknownOptionIsOneLineExit2() {
        Cli.Result r = Cli.run("filters", "--frobnicate", "-o", "x");
        assertUsageError(r, "--frobnicate");
    }

    @Test
    void misspelledCommandSuggestsTheCommand(@TempDir Path tmp) {
        Cli.Result r = Cli.run("activatons", "-o", tmp.resolve("x"));
        assertUsageError(r, "unknown command 'activatons'; did you mean 'activations'?");
        assertFalse(r.err().contains("Unmatched"), r::toString);
        assertFalse(Files.exists(tmp.resolve("x")));
        assertUsageError(Cli.run("fliters"), "did you mean 'filters'?");
        Cli.Result none = Cli.run("frobnicate");
        assertUsageError(none, "unknown command 'frobnicate'; the commands are view, info, filters, activations, predict");
    }

    @Test
    void missingOutputIsOneLineExit2() {
        assertUsageError(Cli.run("filters"), "--output");
    }

    @Test
    void imageAndNpyAreExclusive(@TempDir Path tmp) {
        Cli.Result r = Cli.run("activations", "--image", "a.png", "--input-npy", "b.npy", "-o", tmp.resolve("out"));
        assertUsageError(r, "mutually exclusive");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void badProviderIsOneLineExit2() {
        assertUsageError(Cli.run("predict", "--provider", "tpu"), "tpu");
    }

    @Test
    void providerIsCaseInsensitive() {
        // Parses; fails later (or not) for other reasons, but never as an option error.
        Cli.Result r = Cli.run("predict", "--provider", "CPU", "--help");
        assertEquals(0, r.code(), r::toString);
    }

    @Test
    void oneLineJoinsLines() {
        assertEquals("a; b", Main.oneLine("a\n\n  b\n"));
    }

    static void assertUsageError(Cli.Result r, String mentions) {
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains(mentions), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(r.err().contains("at io."), r::toString);
    }
}
