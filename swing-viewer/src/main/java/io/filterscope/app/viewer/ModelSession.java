package io.filterscope.app.viewer;

import io.filterscope.FilterScope;
import io.filterscope.app.LabelFiles;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import io.filterscope.swing.FilterScopePanel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a {@link ViewerFrame} shows, and owns: opened off the event dispatch thread with the
 * backend and execution provider chosen, handed to the panel, and closed once the panel has let go
 * of it (when replaced, and when the window closes). Knows nothing of menus and toolbars.
 *
 * <p>Confined to the event dispatch thread, except the work it starts on its own thread.
 */
final class ModelSession {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSession.class);

    /** A model and the class names found beside it, opened but not shown yet. */
    record Opened(Model model, List<String> labels) {
    }

    private final FilterScopePanel panel;
    /** One thread, so opens happen in the order they were asked for. */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "filterscope-open");
        t.setDaemon(true);
        return t;
    });

    private Model model;
    private Path file;
    private String display;
    private OpenOptions options = OpenOptions.defaults();
    /** Closing the model the last one shown replaced, for tests. */
    private CompletableFuture<Void> lastClose = CompletableFuture.completedFuture(null);
    /** Set once the window is closed: models that finish opening after that are closed at once. */
    private boolean released;

    ModelSession(FilterScopePanel panel) {
        this.panel = panel;
    }

    /** Opens a model, and reads the labels file beside it, on the session's thread. */
    CompletableFuture<Opened> open(Path abs, OpenOptions opts) {
        return CompletableFuture.supplyAsync(() -> new Opened(FilterScope.open(abs, opts), labelsFor(abs)), worker);
    }

    /** Reads an image on the session's thread, after the opens asked for before. */
    CompletableFuture<BufferedImage> readImage(Path abs) {
        return CompletableFuture.supplyAsync(() -> Images.read(abs), worker);
    }

    /**
     * Shows an opened model in place of the current one, which is closed once the panel is idle.
     *
     * @return false when the window was closed meanwhile: the model was closed at once
     */
    boolean show(Opened o, Path abs, String displayName, OpenOptions opts) {
        if (released) {
            closeQuietly(o.model()); // the window was closed while the model was opening
            return false;
        }
        Model previous = model;
        model = o.model();
        file = abs;
        display = displayName;
        options = opts;
        panel.setModel(o.model());
        panel.setLabels(o.labels());
        if (previous != null) {
            // The panel may still be finishing work on the old model: close it once it is idle.
            lastClose = panel.whenIdle().handle((v, t) -> {
                closeQuietly(previous);
                return null;
            });
        }
        return true;
    }

    /** Whether a model is shown. */
    boolean hasModel() {
        return model != null;
    }

    /** The file of the model shown, absolute. */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** How the title names the model, e.g. "fashion_cnn.onnx (bundled)". */
    String display() {
        return display;
    }

    /** The options the model shown was opened with. */
    OpenOptions options() {
        return options;
    }

    /** The ids of the installed backends that read the model file, the one it was opened with included. */
    List<String> backendsForFile() {
        if (file == null) {
            return List.of();
        }
        Path f = file;
        List<String> ids = new java.util.ArrayList<>(FilterScope.backends().stream().filter(b -> b.claims(f)).map(ModelBackend::id).toList());
        options.backend().filter(b -> !ids.contains(b)).ifPresent(ids::add);
        return ids;
    }

    /** The backend the model was opened with: the one asked for, else the first that claims the file. */
    Optional<String> backend() {
        return options.backend().or(() -> backendsForFile().stream().findFirst());
    }

    /** The options to reopen the model with for this toolbar choice; empty when they are the current ones. */
    Optional<OpenOptions> reopenOptions(String backendId, ExecutionProvider provider) {
        if (file == null) {
            return Optional.empty();
        }
        OpenOptions o = options.withExecutionProvider(provider);
        if (backendId != null) {
            o = o.withBackend(backendId);
        }
        return o.equals(options) ? Optional.empty() : Optional.of(o);
    }

    /** Completes when the model that the last one shown replaced has been closed. */
    CompletableFuture<Void> lastClose() {
        return lastClose;
    }

    /** The window closed: the panel lets go of the model, which is closed once the panel is idle. */
    void release() {
        released = true;
        Model last = model;
        model = null;
        panel.setModel(null);
        if (last != null) {
            panel.whenIdle().whenComplete((v, t) -> closeQuietly(last));
        }
        worker.shutdown();
    }

    private static List<String> labelsFor(Path modelFile) {
        return LabelFiles.besideModel(modelFile).map(f -> {
            try {
                return Predictions.readLabels(f);
            } catch (RuntimeException e) {
                // Unreadable labels cost only the class names: predictions show "class 3".
                LOG.warn("{}: cannot be read, predictions show class numbers ({})", f, e.getMessage());
                return List.<String>of();
            }
        }).orElse(List.of());
    }

    private static void closeQuietly(Model m) {
        try {
            m.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the previous model failed: {}", e.toString());
        }
    }
}
