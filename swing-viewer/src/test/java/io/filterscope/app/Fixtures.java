package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Shared test data and checks. */
final class Fixtures {
    /** Files the Python helper makes for the backend's tests; relative to this module. */
    static final Path BAD = Path.of("../backend-onnx/src/test/resources/bad");
    static final Path MODELS = Path.of("../backend-onnx/src/test/resources/models");
    static final Path NO_CONV = MODELS.resolve("no_conv.onnx");

    private Fixtures() {
    }

    static Path model() {
        return BundledModel.get().model();
    }

    static List<String> labels() {
        try {
            return Files.readAllLines(BundledModel.get().labels()).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode index(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("index.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> fileNames(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder does not exist or is empty. */
    static void assertEmptyOrMissing(Path dir) {
        if (Files.exists(dir)) {
            assertTrue(Files.isDirectory(dir), dir + " is not a folder");
            assertEquals(List.of(), fileNames(dir), "files left in " + dir);
        }
    }

    /** A user error: exit 2, one line on stderr mentioning {@code mentions}, no stack trace, nothing written. */
    static void assertUserError(Cli.Result r, String mentions, Path out) {
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains(mentions), "stderr should mention '" + mentions + "'\n" + r);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(r.err().contains("at io."), r::toString);
        assertFalse(r.err().startsWith("internal error"), r::toString);
        if (out != null) {
            assertEmptyOrMissing(out);
        }
    }
}
