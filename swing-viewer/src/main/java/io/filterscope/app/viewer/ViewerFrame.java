package io.filterscope.app.viewer;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Images;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import io.filterscope.swing.ExplainTab;
import io.filterscope.swing.FilterScopePanel;
import io.filterscope.swing.VisualizeTab;
import java.awt.BorderLayout;
import java.awt.Cursor;
import java.awt.Dimension;
import java.awt.EventQueue;
import java.awt.Toolkit;
import java.awt.event.ActionEvent;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import javax.swing.AbstractAction;
import javax.swing.Action;
import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.JComboBox;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JRadioButtonMenuItem;
import javax.swing.JToolBar;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.filechooser.FileNameExtensionFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FilterScope desktop window: a {@link FilterScopePanel} with File and View menus, a toolbar
 * for the backend and the execution provider, a status bar, drag and drop of model and image files,
 * recent files and light/dark themes.
 *
 * <p>The window owns the {@link io.filterscope.model.Model} it shows, through its {@link ModelSession}:
 * models are opened off the event dispatch thread, handed to the panel, and the previous one is closed
 * once the panel has let go of it. A file that cannot be opened gives a dialog with its one-line
 * message, and the previous model stays. This class holds the menus, the toolbar and the dialogs.
 *
 * <p>Create and use it on the event dispatch thread. The {@code open…} methods return futures that
 * complete when the panel shows the result, or exceptionally (after the dialog was posted) when the
 * file could not be opened.
 */
public final class ViewerFrame extends JFrame {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerFrame.class);
    private static final String APP = "FilterScope";
    /** Runs completions on the event dispatch thread. */
    private static final Executor EDT = SwingUtilities::invokeLater;

    private final FilterScopePanel panel = new FilterScopePanel();
    /** Which parts of the image drove the prediction: on by default in the standalone viewer. */
    private final ExplainTab explainTab = new ExplainTab();
    private final VisualizeTab visualizeTab = new VisualizeTab();
    private final ModelSession session = new ModelSession(panel);
    private final ViewerPreferences prefs;
    private final SystemTheme systemTheme;

    private final JComboBox<String> backendBox = new JComboBox<>();
    private final JComboBox<ExecutionProvider> providerBox = new JComboBox<>(ExecutionProvider.values());
    private final JProgressBar progress = new JProgressBar();
    private final JLabel status = new JLabel(" ");
    private final JMenu recentMenu = new JMenu("Open recent");
    private final List<JRadioButtonMenuItem> themeItems = new ArrayList<>();

    // Confined to the event dispatch thread.
    private Path imageFile;
    /** How the status bar names the image: its path, or "NAME (sample)" for a bundled one. */
    private String imageDisplay;
    private int running;
    /** The last {@link #openFiles}, {@link #start} or toolbar reopen, for tests that drive them as a user would. */
    private CompletableFuture<Void> lastOpen = CompletableFuture.completedFuture(null);
    /** Set while the toolbar is filled in from code, so its listeners do not reopen the model. */
    private boolean updatingControls;

    /** A window with the current user's preferences and the desktop's theme. */
    public ViewerFrame() {
        this(ViewerPreferences.user(), SystemTheme.current());
    }

    ViewerFrame(ViewerPreferences prefs, SystemTheme systemTheme) {
        super(APP);
        this.prefs = prefs;
        this.systemTheme = systemTheme;
        setDefaultCloseOperation(DISPOSE_ON_CLOSE);
        panel.setErrorHandler(this::showError);
        panel.addTab(explainTab);
        panel.addTab(visualizeTab);
        DatasetExamplesTabs.install(panel);

        FileDrop drop = new FileDrop(this::openFiles);
        setTransferHandler(drop);
        drop.installOn(panel);

        setJMenuBar(menuBar());
        JPanel content = new JPanel(new BorderLayout());
        content.add(toolBar(), BorderLayout.NORTH);
        content.add(panel, BorderLayout.CENTER);
        content.add(statusBar(), BorderLayout.SOUTH);
        setContentPane(content);
        setPreferredSize(new Dimension(1200, 820));
        pack();
        setLocationByPlatform(true);
        refreshRecent();
        refreshBackendControls();
        addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                session.release();
            }
        });
    }

    /** The panel this window shows. */
    public FilterScopePanel panel() {
        return panel;
    }

    /** The Explain tab of the panel. */
    public ExplainTab explainTab() {
        return explainTab;
    }

    /** The "What excites it" tab of the panel: the image that excites a channel of the selected layer. */
    public VisualizeTab visualizeTab() {
        return visualizeTab;
    }

    /** The file of the model shown, if any. */
    public Optional<Path> modelFile() {
        return session.file();
    }

    /** The image file shown, if any. */
    public Optional<Path> imageFile() {
        return Optional.ofNullable(imageFile);
    }

    /** The options the shown model was opened with. */
    public OpenOptions openOptions() {
        return session.options();
    }

    /** Opens a model with the backend that claims it and the provider chosen in the toolbar, remembering it in the recent files. */
    public CompletableFuture<Void> openModel(Path file) {
        return openModel(file, file.getFileName().toString(), OpenOptions.defaults()
                .withExecutionProvider((ExecutionProvider) providerBox.getSelectedItem()), true);
    }

    /**
     * Opens a model and shows it in place of the current one.
     *
     * @param display  how the title names it, e.g. "fashion_cnn.onnx (bundled)"
     * @param remember whether File ▸ Open recent should list it (not for temporary files)
     */
    CompletableFuture<Void> openModel(Path file, String display, OpenOptions opts, boolean remember) {
        Path abs = file.toAbsolutePath().normalize();
        begin("Opening " + display + " …");
        return finish(session.open(abs, opts), o -> {
            if (!session.show(o, abs, display, opts)) {
                return;
            }
            if (remember) {
                remember(abs);
            }
            refreshBackendControls();
            updateTitle();
        }, this::refreshBackendControls);
    }

    /** Reads an image and shows it as the panel's input, remembering it in the recent files. */
    public CompletableFuture<Void> openImage(Path file) {
        return openImage(file, true);
    }

    /** As {@link #openImage(Path)}; {@code remember} false for a bundled sample, which is named as one and not remembered. */
    CompletableFuture<Void> openImage(Path file, boolean remember) {
        Path abs = file.toAbsolutePath().normalize();
        begin("Reading " + abs.getFileName() + " …");
        return finish(session.readImage(abs), img -> {
            panel.setImage(img);
            imageFile = abs;
            imageDisplay = remember ? abs.toString() : abs.getFileName() + " (sample)";
            if (remember) {
                remember(abs);
            }
            updateTitle();
        }, () -> { });
    }

    /**
     * Opens files as a drop on the window does: models (files an installed backend claims) first, then
     * images. Stops at the first file that cannot be opened.
     */
    public CompletableFuture<Void> openFiles(List<Path> files) {
        lastOpen = open(files);
        return lastOpen;
    }

    /** Opens what the command line asked for: the model, then the image whether or not the model opened. */
    void start(Viewer.Start start) {
        CompletableFuture<Void> model = openModel(start.model(), start.modelDisplay(), start.options(), start.rememberModel());
        lastOpen = model.handleAsync((v, failed) -> start.image().map(i -> openImage(i, start.rememberImage()))
                .orElse(CompletableFuture.completedFuture(null)), EDT).thenCompose(f -> f);
    }

    /** Completes when the model that the last opened one replaced has been closed. */
    CompletableFuture<Void> lastClose() {
        return session.lastClose();
    }

    /** What the last {@link #openFiles}, {@link #start} or toolbar change, e.g. a drop, is doing. */
    CompletableFuture<Void> lastOpen() {
        return lastOpen;
    }

    private CompletableFuture<Void> open(List<Path> files) {
        List<Path> models = new ArrayList<>();
        List<Path> images = new ArrayList<>();
        List<ModelBackend> backends;
        try {
            backends = FilterScope.backends();
            for (Path f : files) {
                (FileKind.of(f, backends) == FileKind.MODEL ? models : images).add(f);
            }
        } catch (RuntimeException e) {
            showError(e);
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        // Only the last model and image matter: each replaces the one before.
        if (!models.isEmpty()) {
            Path m = models.get(models.size() - 1);
            chain = chain.thenComposeAsync(v -> openModel(m), EDT);
        }
        if (!images.isEmpty()) {
            Path i = images.get(images.size() - 1);
            chain = chain.thenComposeAsync(v -> openImage(i), EDT);
        }
        return chain;
    }

    /** Switches the look and feel of every window and remembers the choice. */
    public void applyTheme(Theme theme) {
        prefs.setTheme(theme);
        installLookAndFeel(theme.isDark(systemTheme));
        FlatLaf.updateUI();
        themeItems.forEach(i -> i.setSelected(i.getText().equals(theme.label())));
    }

    /** The theme chosen in View ▸ Theme. */
    public Theme theme() {
        return prefs.theme();
    }

    /** The recent files, newest first, as File ▸ Open recent lists them. */
    public List<Path> recentFiles() {
        return prefs.recentFiles();
    }

    /** Sets FlatLaf's light or dark look and feel; call before the first window is made. */
    static void installLookAndFeel(boolean dark) {
        if (dark) {
            FlatDarkLaf.setup();
        } else {
            FlatLightLaf.setup();
        }
    }

    // ---------------------------------------------------------------- background work

    /**
     * On the event dispatch thread: when {@code work} succeeded, {@code show} the result and complete
     * once the panel is idle; when it failed, run {@code onError}, post the dialog and complete exceptionally.
     */
    private <T> CompletableFuture<Void> finish(CompletableFuture<T> work, java.util.function.Consumer<T> show, Runnable onError) {
        return work.handleAsync((result, failure) -> {
            end();
            if (failure != null) {
                Throwable cause = unwrap(failure);
                onError.run();
                showError(cause);
                throw new CompletionException(cause);
            }
            try {
                show.accept(result);
            } catch (RuntimeException e) {
                // e.g. the panel refusing the model: tell the user like any other failure.
                showError(e);
                throw new CompletionException(e);
            }
            return panel.whenIdle();
        }, EDT).thenCompose(idle -> idle);
    }

    private void begin(String what) {
        running++;
        status.setText(what);
        progress.setIndeterminate(true);
        progress.setVisible(true);
        setCursor(Cursor.getPredefinedCursor(Cursor.WAIT_CURSOR));
    }

    private void end() {
        running = Math.max(0, running - 1);
        if (running == 0) {
            progress.setIndeterminate(false);
            progress.setVisible(false);
            setCursor(Cursor.getDefaultCursor());
            status.setText(describe());
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Shows a failure as a dialog with one line; posted, so callers on the EDT are not blocked. */
    void showError(Throwable failure) {
        Throwable t = unwrap(failure);
        String message = t instanceof FilterScopeException ? oneLine(t.getMessage())
                : "internal error: " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + oneLine(t.getMessage()));
        if (!(t instanceof FilterScopeException)) {
            LOG.error("internal error", t);
        }
        EventQueue.invokeLater(() -> JOptionPane.showMessageDialog(isDisplayable() ? this : null, message,
                APP, JOptionPane.ERROR_MESSAGE));
    }

    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "failed without a message";
        }
        return Arrays.stream(message.strip().split("\\R+")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.joining("; "));
    }

    // ---------------------------------------------------------------- menus and controls

    private JMenuBar menuBar() {
        int mask = Toolkit.getDefaultToolkit().getMenuShortcutKeyMaskEx();
        JMenu file = new JMenu("File");
        file.setMnemonic(KeyEvent.VK_F);
        file.add(item(action("Open model…", this::chooseModel), KeyStroke.getKeyStroke(KeyEvent.VK_O, mask)));
        file.add(item(action("Open image…", this::chooseImage), KeyStroke.getKeyStroke(KeyEvent.VK_I, mask)));
        file.add(recentMenu);
        file.addSeparator();
        JMenuItem save = file.add(item(action("Save view as PNG…", this::chooseSaveTarget), KeyStroke.getKeyStroke(KeyEvent.VK_S, mask)));
        JMenuItem copy = file.add(item(action("Copy view", this::copyView),
                KeyStroke.getKeyStroke(KeyEvent.VK_C, mask | java.awt.event.InputEvent.SHIFT_DOWN_MASK)));
        file.addMenuListener(new javax.swing.event.MenuListener() {
            @Override
            public void menuSelected(javax.swing.event.MenuEvent e) {
                refreshRecent(); // files deleted since are dropped
                // Only the Filters and Feature maps tabs have a picture to save.
                boolean picture = panel.hasViewImage();
                save.setEnabled(picture);
                copy.setEnabled(picture);
            }

            @Override
            public void menuDeselected(javax.swing.event.MenuEvent e) {
                save.setEnabled(true); // the shortcuts stay live; without a picture they say why
                copy.setEnabled(true);
            }

            @Override
            public void menuCanceled(javax.swing.event.MenuEvent e) {
                menuDeselected(e);
            }
        });
        file.addSeparator();
        file.add(item(action("Quit", this::dispose), KeyStroke.getKeyStroke(KeyEvent.VK_Q, mask)));

        JMenu view = new JMenu("View");
        view.setMnemonic(KeyEvent.VK_V);
        JMenu themes = new JMenu("Theme");
        ButtonGroup group = new ButtonGroup();
        for (Theme t : Theme.values()) {
            JRadioButtonMenuItem i = new JRadioButtonMenuItem(t.label(), t == prefs.theme());
            i.addActionListener(e -> applyTheme(t));
            group.add(i);
            themes.add(i);
            themeItems.add(i);
        }
        view.add(themes);

        JMenuBar bar = new JMenuBar();
        bar.add(file);
        bar.add(view);
        return bar;
    }

    private JToolBar toolBar() {
        JToolBar bar = new JToolBar();
        bar.setFloatable(false);
        bar.add(action("Open model…", this::chooseModel));
        bar.add(action("Open image…", this::chooseImage));
        bar.addSeparator();
        bar.add(new JLabel("Backend "));
        backendBox.setName("backend");
        backendBox.setToolTipText("The installed backends that read this model file; choosing one reopens the model");
        backendBox.setMaximumSize(new Dimension(160, 40));
        backendBox.addActionListener(e -> reopenFromControls());
        bar.add(backendBox);
        bar.addSeparator();
        bar.add(new JLabel("Provider "));
        providerBox.setName("provider");
        providerBox.setToolTipText("Where inference runs; CUDA falls back to the CPU with a log line when it is not available");
        providerBox.setMaximumSize(new Dimension(120, 40));
        providerBox.addActionListener(e -> reopenFromControls());
        bar.add(providerBox);
        return bar;
    }

    private JPanel statusBar() {
        JPanel bar = new JPanel(new BorderLayout(8, 0));
        bar.setBorder(BorderFactory.createEmptyBorder(2, 8, 2, 8));
        bar.add(status, BorderLayout.CENTER);
        progress.setVisible(false);
        progress.setPreferredSize(new Dimension(160, progress.getPreferredSize().height));
        bar.add(progress, BorderLayout.EAST);
        return bar;
    }

    private static Action action(String name, Runnable r) {
        return new AbstractAction(name) {
            @Override
            public void actionPerformed(ActionEvent e) {
                r.run();
            }
        };
    }

    private static JMenuItem item(Action a, KeyStroke key) {
        JMenuItem i = new JMenuItem(a);
        i.setAccelerator(key);
        return i;
    }

    /** The toolbar shows the backends that claim the model file and the provider it was opened with. */
    private void refreshBackendControls() {
        updatingControls = true;
        try {
            backendBox.removeAllItems();
            session.backendsForFile().forEach(backendBox::addItem);
            backendBox.setSelectedItem(session.backend().orElse(null));
            backendBox.setEnabled(backendBox.getItemCount() > 1);
            providerBox.setSelectedItem(session.options().executionProvider());
            providerBox.setEnabled(session.file().isPresent());
        } finally {
            updatingControls = false;
        }
    }

    private void reopenFromControls() {
        if (updatingControls) {
            return;
        }
        session.reopenOptions((String) backendBox.getSelectedItem(), (ExecutionProvider) providerBox.getSelectedItem())
                .ifPresent(o -> lastOpen = openModel(session.file().orElseThrow(), session.display(), o, false));
    }

    private void refreshRecent() {
        recentMenu.removeAll();
        List<Path> recent = prefs.recentFiles();
        for (Path p : recent) {
            JMenuItem i = new JMenuItem(p.getFileName().toString());
            i.setToolTipText(p.toString());
            i.addActionListener(e -> openFiles(List.of(p)));
            recentMenu.add(i);
        }
        recentMenu.setEnabled(!recent.isEmpty());
    }

    private void remember(Path file) {
        prefs.addRecent(file);
        refreshRecent();
    }

    private void updateTitle() {
        StringBuilder t = new StringBuilder(APP);
        if (session.display() != null) {
            t.append(" — ").append(session.display());
        }
        if (imageFile != null) {
            t.append(" — ").append(imageFile.getFileName());
        }
        setTitle(t.toString());
        status.setText(describe());
    }

    /** Where the shown files are; the panel's own status line says what is in them. */
    private String describe() {
        if (!session.hasModel()) {
            return "Open a model: File ▸ Open model…, or drop a model file on the window";
        }
        String where = session.display().endsWith("(bundled)") ? session.display() : session.file().orElseThrow().toString();
        return "Model " + where + (imageFile == null ? " · open or drop an image to see feature maps" : " · image " + imageDisplay);
    }

    // ---------------------------------------------------------------- file choosers

    private JFileChooser chooser(String title) {
        JFileChooser c = new JFileChooser(prefs.lastFolder().map(Path::toFile).orElse(null));
        c.setDialogTitle(title);
        return c;
    }

    private Optional<Path> chosen(JFileChooser c, int answer) {
        if (answer != JFileChooser.APPROVE_OPTION || c.getSelectedFile() == null) {
            return Optional.empty();
        }
        Path p = c.getSelectedFile().toPath();
        if (p.toAbsolutePath().getParent() != null) {
            prefs.setLastFolder(p.toAbsolutePath().getParent());
        }
        return Optional.of(p);
    }

    private void chooseModel() {
        JFileChooser c = chooser("Open model");
        List<ModelBackend> backends = FilterScope.backends();
        c.setFileFilter(new javax.swing.filechooser.FileFilter() {
            @Override
            public boolean accept(File f) {
                return f.isDirectory() || backends.stream().anyMatch(b -> b.claims(f.toPath()));
            }

            @Override
            public String getDescription() {
                return backends.stream().map(ModelBackend::describeFiles).collect(Collectors.joining(", "));
            }
        });
        chosen(c, c.showOpenDialog(this)).ifPresent(this::openModel);
    }

    private void chooseImage() {
        JFileChooser c = chooser("Open image");
        c.setFileFilter(new FileNameExtensionFilter("Images (PNG, JPEG, BMP, GIF)", "png", "jpg", "jpeg", "bmp", "gif"));
        chosen(c, c.showOpenDialog(this)).ifPresent(this::openImage);
    }

    /** File ▸ Save view as PNG…: the panel's own dialog, opened in the folder last used. */
    private void chooseSaveTarget() {
        try {
            panel.saveCurrentViewAs(prefs.lastFolder().orElse(null)).ifPresent(p -> {
                Path folder = p.toAbsolutePath().getParent();
                if (folder != null) {
                    prefs.setLastFolder(folder);
                }
                status.setText("Saved " + p);
            });
        } catch (RuntimeException e) {
            showError(e);
        }
    }

    /** Writes the current view as a PNG, without asking; a failure shows the dialog. */
    void saveView(Path target) {
        try {
            panel.saveCurrentView(target);
            status.setText("Saved " + target);
        } catch (RuntimeException e) {
            showError(e);
        }
    }

    private void copyView() {
        try {
            panel.copyCurrentViewToClipboard();
            status.setText("Copied the view to the clipboard");
        } catch (RuntimeException e) {
            showError(e);
        }
    }
}
