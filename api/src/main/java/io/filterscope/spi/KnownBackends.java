package io.filterscope.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The backends FilterScope ships, by name only (the api never loads a backend): which artifact reads
 * which files, so that a missing one is named in the message with how to get it, instead of
 * "no installed backend reads this file".
 */
public final class KnownBackends {

    /**
     * A backend FilterScope ships.
     *
     * @param id         its {@link ModelBackend#id()}
     * @param artifact   the Maven coordinates without version, e.g. {@code io.filterscope:filterscope-backend-dl4j}
     * @param reads      what it reads, for messages
     * @param extensions file name endings it reads, lower case with the dot
     */
    public record Known(String id, String artifact, String reads, List<String> extensions) {

        /** "add io.filterscope:filterscope-backend-dl4j to the class path (it reads …)": what to do. */
        public String howToGet() {
            return "add " + artifact + " to the class path (it reads " + reads + "; the filterscope.jar application includes it)";
        }
    }

    private static final List<Known> ALL = List.of(
            new Known("onnx", "io.filterscope:filterscope-backend-onnx", "ONNX models", List.of(".onnx")),
            new Known("dl4j", "io.filterscope:filterscope-backend-dl4j", "DL4J zips and Keras .keras/.h5 files",
                    List.of(".zip", ".keras", ".h5", ".hdf5")));

    private KnownBackends() {
    }

    /** The shipped backend with this id, if FilterScope ships one. */
    public static Optional<Known> byId(String id) {
        return ALL.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    /** The shipped backend that reads files named like {@code file}, if any. */
    public static Optional<Known> forFile(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(k -> k.extensions().stream().anyMatch(n::endsWith)).findFirst();
    }

    /**
     * What to add so that {@code file} (or backend {@code id}, when not null) can be read, when that
     * backend is not among {@code installed}: "; add … to the class path (…)", or empty.
     */
    public static String hint(Path file, String id, List<ModelBackend> installed) {
        Optional<Known> k = id != null ? byId(id) : forFile(file);
        if (k.isEmpty() || installed.stream().anyMatch(b -> b.id().equals(k.get().id()))) {
            return "";
        }
        return "; " + k.get().howToGet();
    }
}
