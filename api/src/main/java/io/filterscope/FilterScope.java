package io.filterscope;

import io.filterscope.model.Model;
import io.filterscope.spi.KnownBackends;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The entry point: opens a model file with whichever installed backend reads it.
 *
 * <pre>{@code
 * try (Model model = FilterScope.open(Path.of("model.onnx"))) {
 *     FilterBank first = model.allFilters().get(0);
 * }
 * }</pre>
 */
public final class FilterScope {
    private FilterScope() {
    }

    /** Opens {@code file} with the backend that claims it, on the CPU. */
    public static Model open(Path file) {
        return open(file, OpenOptions.defaults());
    }

    /** Opens {@code file} with the given options. */
    public static Model open(Path file, OpenOptions options) {
        return open(file, options, backends());
    }

    /** Opens {@code file} choosing among {@code backends}; the seam tests and hosts use. */
    public static Model open(Path file, OpenOptions options, List<ModelBackend> backends) {
        if (!Files.isRegularFile(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give the path of a model file");
        }
        if (!Files.isReadable(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read; check its permissions");
        }
        if (backends.isEmpty()) {
            String todo = KnownBackends.hint(file, options.backend().orElse(null), backends);
            throw new FilterScopeException(ErrorKind.BACKEND_MISSING, file.getFileName() + ": no FilterScope backend is installed"
                    + (todo.isEmpty() ? "; add io.filterscope:filterscope-backend-onnx (ONNX) or io.filterscope:filterscope-backend-dl4j "
                    + "(DL4J, Keras) to the class path" : todo));
        }
        ModelBackend chosen;
        if (options.backend().isPresent()) {
            String id = options.backend().get();
            chosen = backends.stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow(() ->
                    new FilterScopeException(ErrorKind.BACKEND_MISSING, "no backend '" + id + "'; installed: " + describe(backends)
                            + KnownBackends.hint(file, id, backends)));
        } else {
            chosen = backends.stream().filter(b -> b.claims(file)).findFirst().orElseThrow(() ->
                    new FilterScopeException(ErrorKind.BACKEND_MISSING, file.getFileName() + ": no installed backend reads this file; installed: "
                            + describe(backends) + KnownBackends.hint(file, null, backends)));
        }
        return chosen.open(file, options);
    }

    /** The backends on the class path, in ServiceLoader order. */
    public static List<ModelBackend> backends() {
        return ServiceLoader.load(ModelBackend.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    private static String describe(List<ModelBackend> backends) {
        return backends.stream().map(b -> b.id() + " (" + b.describeFiles() + ")").collect(Collectors.joining(", "));
    }
}
