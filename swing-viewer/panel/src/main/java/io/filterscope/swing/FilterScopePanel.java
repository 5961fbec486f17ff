package io.filterscope.swing;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.predict.ImageNetClasses;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Paper;
import io.filterscope.render.Png;
import io.filterscope.render.RenderedGrid;
import io.filterscope.tensor.Tensor;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Toolkit;
import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.awt.datatransfer.UnsupportedFlavorException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JLabel;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JPopupMenu;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddable viewer: layer list, Filters / Feature maps / Model tabs, input + what the model
 * sees + top-k predictions, with a toolbar for the {@link ViewSettings} and a status line.
 *
 * <p>The model runs once per (model, image, preset): one capture of every spatial layer, kept, so
 * moving between layers only draws. Inference, drawing and hashing run in the background; a newer
 * request supersedes an older one, whose result is dropped. Grids already drawn are kept per
 * (layer, settings).
 *
 * <p>Use it from the event dispatch thread, except {@link #whenIdle()}, which any thread may call.
 *
 * <pre>{@code
 * FilterScopePanel panel = new FilterScopePanel();
 * panel.setModel(model);                       // the caller keeps ownership and closes it
 * panel.setLabels(Predictions.readLabels(labelsFile));
 * panel.setImage(Images.read(imageFile));
 * frame.add(panel);
 * }</pre>
 */
public final class FilterScopePanel extends JPanel {
    private static final Logger LOG = LoggerFactory.getLogger(FilterScopePanel.class);
    /** Predictions shown at most. */
    static final int TOP_K = 5;
    /** Pixels of drawn grids kept for quick switching (4 bytes each, so 128 MiB): a 512-channel grid has 1–3 M. */
    private static final long RENDER_CACHE_PIXELS = 32L << 20;
    private static final AtomicLong SOURCES = new AtomicLong();

    private final LayerList layerList = new LayerList();
    private final Controls controls = new Controls();
    /** The tabs, in tab order: each says what it shows; the core below draws, caches and prefetches for all alike. */
    private final List<ContentSource> sources = new ArrayList<>();
    private final JTabbedPane tabs = new JTabbedPane();
    private final InputPreview preview = new InputPreview();
    private final PredictionBars bars = new PredictionBars();
    private final StatusLine status = new StatusLine();
    private final List<LayerSelectionListener> selectionListeners = new CopyOnWriteArrayList<>();
    /** Grids drawn by any tab, under the keys their sources give. */
    private final RenderCache<Object> renders = new RenderCache<>(RENDER_CACHE_PIXELS);

    private final Background.Lane captureLane = new Background.Lane("capture");
    private final Background.Lane retireLane = new Background.Lane("retire");
    private final Background background;

    private Consumer<Throwable> errorHandler = FilterScopePanel::logError;
    private Model model;
    /** Identifies the model shown, for cache keys (models are not compared by value); read by prefetches. */
    private volatile long modelSource;
    private List<String> labels = List.of();
    private BufferedImage image;
    private ViewSettings settings = ViewSettings.defaults();
    /** What grids are drawn on; follows the look and feel (see {@link #updateUI()}). */
    private Paper paper = Paper.WHITE;
    private LayerInfo selected;
    private Capture captured;
    private String captureProblem;
    private TileInspector inspector;
    /** Where the popup's Save view as PNG… opens: the folder of the last file saved. */
    private Path saveFolder;

    /** An empty panel; give it a model with {@link #setModel} and an image with {@link #setImage}. */
    public FilterScopePanel() {
        super(new BorderLayout());
        background = new Background(2, this::reportError, new Background.Listener() {
            @Override
            public void busy(String what) {
                status.setBusy(true);
                status.working(what);
            }

            @Override
            public void progress(double fraction) {
                status.progress(fraction);
            }

            @Override
            public void idle(boolean cancelled) {
                status.setBusy(false);
                if (cancelled) {
                    status.say("Cancelled");
                } else if (status.showsWork()) {
                    status.say(describeState());
                }
            }
        });
        status.cancel.addActionListener(e -> cancel());
        paper = paperOfLookAndFeel();

        FiltersSource filters = new FiltersSource();
        filters.onChange(() -> {
            if (front() == filters) {
                refreshView();
            }
        });
        addSource(filters);
        addSource(new FeatureMapsSource());
        addSource(new ModelSource());
        tabs.addChangeListener(e -> {
            front().gridView().ifPresent(v -> controls.showZoom(v.zoom()));
            refreshView();
        });

        JPanel right = new JPanel() {
            @Override
            public java.awt.Dimension getMinimumSize() {
                return new java.awt.Dimension(getPreferredSize().width, super.getMinimumSize().height);
            }
        };
        right.setLayout(new BoxLayout(right, BoxLayout.Y_AXIS));
        right.setBorder(BorderFactory.createEmptyBorder(4, 0, 4, 4));
        preview.setAlignmentX(LEFT_ALIGNMENT);
        JLabel predictionsTitle = new JLabel("Predictions");
        predictionsTitle.setAlignmentX(LEFT_ALIGNMENT);
        predictionsTitle.setBorder(BorderFactory.createEmptyBorder(8, 4, 4, 4));
        bars.setAlignmentX(LEFT_ALIGNMENT);
        right.add(preview);
        right.add(predictionsTitle);
        right.add(bars);
        right.add(Box.createVerticalGlue());

        layerList.onSelect(this::select);
        // The split pane first gives the tabs their preferred width, which six tab titles make wider
        // than the window leaves: the pictures and predictions column was squeezed to a sliver. The
        // tabs scroll instead, and the column keeps the width its contents want.
        tabs.setTabLayoutPolicy(JTabbedPane.SCROLL_TAB_LAYOUT);
        tabs.setMinimumSize(new java.awt.Dimension(0, 0));
        JSplitPane centre = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, tabs, right);
        centre.setResizeWeight(1);
        centre.setBorder(null);
        JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, layerList, centre);
        split.setBorder(null);

        controls.onChange(this::setSettings);
        add(controls, BorderLayout.NORTH);
        add(split, BorderLayout.CENTER);
        add(status, BorderLayout.SOUTH);
        refreshView();
    }

    /**
     * Adds a tab of your own after the others: an explanation, dataset examples, anything drawn for
     * the panel's model, image and layer. The panel asks it what to show whenever these change, and
     * draws, caches, draws ahead, zooms, saves and copies its pictures as for its own tabs; see
     * {@link PanelTab}. A tab belongs to one panel and stays for the panel's life.
     *
     * @throws IllegalStateException when the tab was already added to a panel
     */
    public void addTab(PanelTab tab) {
        HostTabSource source = new HostTabSource(Objects.requireNonNull(tab, "tab"));
        tab.attach(() -> {
            if (front() == source) {
                refreshView();
            }
        });
        addSource(source);
    }

    /**
     * Brings a tab added with {@link #addTab} to the front.
     *
     * @throws IllegalArgumentException when the tab is not in this panel
     */
    public void showTab(PanelTab tab) {
        showSource(sources.stream().filter(s -> s instanceof HostTabSource h && h.panelTab() == tab).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the tab '" + tab.title() + "' is not in this panel")));
    }

    /** The tab in front when it is one added with {@link #addTab}; empty for the panel's own tabs. */
    public Optional<PanelTab> currentPanelTab() {
        return front() instanceof HostTabSource h ? Optional.of(h.panelTab()) : Optional.empty();
    }

    /** Adds a tab after the others: the panel's own, and those added with {@link #addTab}. */
    void addSource(ContentSource source) {
        sources.add(Objects.requireNonNull(source, "source"));
        if (source instanceof GridSource g) {
            g.onZoom(this::zoomBy);
        }
        source.gridView().ifPresent(view -> {
            view.setZoom(settings.zoom());
            view.setFit(settings.fitToView());
            view.onZoomShown(z -> {
                if (tabs.getSelectedIndex() >= 0 && front() == source) {
                    controls.showZoom(z);
                }
            });
            view.onTileClicked(this::inspect);
            view.setComponentPopupMenu(popup());
        });
        tabs.addTab(source.title(), source.component());
        source.modelChanged(scene(), background);
    }

    /** Brings a source's tab to the front. */
    void showSource(ContentSource source) {
        tabs.setSelectedIndex(sources.indexOf(source));
    }

    private ContentSource source(ViewTab tab) {
        return sources.stream().filter(s -> s.tab() == tab).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tab " + tab));
    }

    /** The source of the tab in front. */
    private ContentSource front() {
        return sources.get(tabs.getSelectedIndex());
    }

    /** What the panel shows now, for its sources. */
    private Scene scene() {
        return new Scene(model, modelSource, image, selected, captured, captureProblem, settings, labels, paper);
    }

    // ------------------------------------------------------------------ the contract

    /**
     * Shows this model; {@code null} clears. The panel does not own the model: the caller closes it,
     * after replacing it or disposing the panel, and after {@link #whenIdle()} has completed, so no
     * background work still uses it.
     */
    public void setModel(Model model) {
        if (model == this.model) {
            return;
        }
        Model old = this.model;
        this.model = model;
        this.modelSource = SOURCES.incrementAndGet();
        if (old != null) {
            // whenIdle() must not complete while a prefetch still reads the old model's filters: the
            // caller closes the old model then. A prefetch that starts later sees the new source and skips.
            background.retirePrefetches(retireLane, "Finishing with the previous model…");
        } else {
            background.replacePrefetches(() -> { });
        }
        renders.clear();
        selected = null;
        closeInspector();
        List<LayerInfo> layers = model == null ? List.of() : model.layers();
        layerList.setLayers(layers);
        Scene now = scene();
        for (ContentSource source : sources) {
            source.lane().invalidate();
            source.modelChanged(now, background); // nothing of the old model stays on screen while the new one is drawn
        }
        recapture();
        layers.stream().filter(l -> l.kind().hasFilters()).findFirst()
                .or(() -> layers.stream().filter(LayerInfo::hasSpatialOutput).findFirst())
                .or(() -> layers.stream().findFirst())
                .ifPresentOrElse(this::select, () -> {
                    layerList.select(Optional.empty());
                    refreshView();
                });
        if (!background.busy()) {
            status.say(describeState());
        }
    }

    /** The model shown, if any. */
    public Optional<Model> model() {
        return Optional.ofNullable(model);
    }

    /** Class names for predictions, in index order; an empty list shows "class 3" and so on. */
    public void setLabels(List<String> labels) {
        this.labels = labels == null ? List.of() : List.copyOf(labels);
        showPredictions();
        if (front() instanceof HostTabSource) {
            refreshView(); // a host's tab may name classes
        }
    }

    /** The input image, any size (preprocessing follows the settings); {@code null} clears. */
    public void setImage(BufferedImage image) {
        this.image = image;
        preview.setInput(image);
        recapture();
    }

    /**
     * Selects the layer with this name and shows it.
     *
     * @throws FilterScopeException when no model is shown or it has no such layer (the message names
     *         close names)
     */
    public void selectLayer(String name) {
        if (model == null) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "no model is shown; open a model before selecting layer '" + name + "'");
        }
        select(model.layer(name));
    }

    /** The layer shown, if any. */
    public Optional<LayerInfo> selectedLayer() {
        return Optional.ofNullable(selected);
    }

    /** Adds a listener told on the EDT whenever the selected layer changes. */
    public void addLayerSelectionListener(LayerSelectionListener l) {
        selectionListeners.add(Objects.requireNonNull(l, "listener"));
    }

    /** Removes a listener added with {@link #addLayerSelectionListener}. */
    public void removeLayerSelectionListener(LayerSelectionListener l) {
        selectionListeners.remove(l);
    }

    /** Brings a tab to the front. */
    public void showTab(ViewTab tab) {
        showSource(source(tab));
    }

    /** The tab in front. */
    public ViewTab currentTab() {
        return front().tab();
    }

    /** The current settings. */
    public ViewSettings settings() {
        return settings;
    }

    /** Applies new settings: redraws, and runs the model again only when the preset changed. */
    public void setSettings(ViewSettings s) {
        Objects.requireNonNull(s, "settings");
        ViewSettings old = settings;
        if (s.equals(old)) {
            return;
        }
        settings = s;
        controls.show(s);
        sources.forEach(src -> src.gridView().ifPresent(v -> {
            v.setZoom(s.zoom());
            v.setFit(s.fitToView());
        }));
        front().gridView().ifPresent(v -> controls.showZoom(v.zoom()));
        if (!Objects.equals(old.preset(), s.preset())) {
            recapture(); // redraws too: a BGR preset shows colour filters channel-swapped
        } else if (old.colormap() != s.colormap() || old.normalization() != s.normalization() || !old.channels().equals(s.channels())) {
            refreshView();
        }
    }

    /**
     * Exactly the pixels of the current Filters or Feature maps view, as the api's GridRenderer drew
     * them (the zoom only magnifies them on screen).
     *
     * @throws FilterScopeException when the current tab shows no grid (the Model tab, or a message)
     */
    public BufferedImage currentViewImage() {
        return currentGrid().map(g -> g.grid().image()).orElseThrow(() -> new FilterScopeException(ErrorKind.INVALID_ARGUMENT, 
                "no grid is shown; select a layer on the Filters or Feature maps tab first"));
    }

    /** Whether {@link #currentViewImage()} has a picture to give; hosts enable Save and Copy with it. */
    public boolean hasViewImage() {
        return currentGrid().isPresent();
    }

    /** Writes {@link #currentViewImage()} as a PNG file, atomically. */
    public void saveCurrentView(Path png) {
        Png.write(currentViewImage(), png);
    }

    /**
     * Save view as PNG, as the grid's popup menu offers it: asks where with a file chooser that opens
     * in {@code folder} and offers "LAYER-TAB.png", adds ".png" when the name lacks it, asks before
     * replacing a file, then {@linkplain #saveCurrentView saves}. Hosts call it from their own menu.
     *
     * @param folder where the chooser opens; null for the user's default folder
     * @return the file written; empty when the person cancelled
     * @throws FilterScopeException when there is no picture to save (the message says what to do), or
     *         it cannot be written
     */
    public Optional<Path> saveCurrentViewAs(Path folder) {
        if (!hasViewImage()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "nothing to save: show a layer on the Filters or Feature maps tab first");
        }
        String layer = selectedLayer().map(l -> Names.sanitize(l.name())).orElse("view");
        String tab = currentTab() == null ? Names.sanitize(front().title().toLowerCase(Locale.ROOT)) : currentTab().name().toLowerCase(Locale.ROOT);
        Optional<Path> target = SaveAsPng.choose(this, folder, layer + "-" + tab + ".png");
        target.ifPresent(this::saveCurrentView);
        return target;
    }

    /** Puts {@link #currentViewImage()} on the system clipboard. */
    public void copyCurrentViewToClipboard() {
        BufferedImage img = currentViewImage();
        Toolkit.getDefaultToolkit().getSystemClipboard().setContents(new ImageSelection(img), null);
    }

    /**
     * For hosts and tests: completes when no background work is pending and the view shows the latest
     * request. Completed on the EDT, so never block the EDT waiting for it; chain on it instead.
     */
    public CompletableFuture<Void> whenIdle() {
        return background.whenIdle();
    }

    /** Where errors of background work go (a capture that failed, a grid too large); the default logs them. */
    public void setErrorHandler(Consumer<Throwable> handler) {
        this.errorHandler = handler == null ? FilterScopePanel::logError : handler;
    }

    /**
     * The look and feel changed (a light or dark theme): grids are drawn on white paper in a light
     * one and on the theme's own background and text colours in a dark one, so a grid does not glare
     * in a dark window; Save and Copy give the same pixels as the screen.
     */
    @Override
    public void updateUI() {
        super.updateUI();
        if (sources == null) {
            return; // called by JPanel's constructor, before this panel's fields exist
        }
        Paper p = paperOfLookAndFeel();
        if (!p.equals(paper)) {
            paper = p;
            refreshView();
        }
    }

    /** White unless the look and feel's background is dark; then its background and label colours. */
    static Paper paperOfLookAndFeel() {
        java.awt.Color bg = javax.swing.UIManager.getColor("Panel.background");
        java.awt.Color fg = javax.swing.UIManager.getColor("Label.foreground");
        if (bg == null || fg == null) {
            return Paper.WHITE;
        }
        double luma = (0.299 * bg.getRed() + 0.587 * bg.getGreen() + 0.114 * bg.getBlue()) / 255;
        return luma < 0.5 ? new Paper(bg.getRGB(), fg.getRGB()) : Paper.WHITE;
    }

    // ------------------------------------------------------------------ selection and capture

    private void select(LayerInfo layer) {
        if (layer.equals(selected)) {
            return;
        }
        selected = layer;
        layerList.select(Optional.of(layer));
        for (LayerSelectionListener l : selectionListeners) {
            l.layerSelected(layer);
        }
        refreshView();
    }

    /** Runs the model on the image with the current preset, once, capturing every spatial layer. */
    private void recapture() {
        captured = null;
        captureProblem = null;
        if (model == null || image == null) {
            captureLane.invalidate();
            preview.setSeen(null, "");
            bars.clear(model == null ? "No model" : "No image");
            captureChanged();
            refreshView();
            return;
        }
        Model m = model;
        BufferedImage img = image;
        Optional<io.filterscope.preprocess.Preset> preset = Optional.ofNullable(settings.preset());
        boolean layersToo = m.capabilities().contains(Capability.ACTIVATIONS);
        long source = SOURCES.incrementAndGet();
        captureChanged();
        background.submit(captureLane, "Running the model…", () -> {
            Preprocessing prep = Preprocessing.forModel(m.metadata(), preset);
            // A model with a free height and width (a detector) gets the image at its own size, bounded and rounded.
            Preprocessing sized = prep.forImage(img.getHeight(), img.getWidth(), io.filterscope.preprocess.FreeSize.DEFAULT);
            Tensor input = Preprocessor.apply(img, sized);
            Activations act = m.capture(input, layersToo ? CaptureRequest.allSpatial() : CaptureRequest.outputOnly());
            return new Capture(source, prep, act, input, Preprocessor.toImage(input, sized), new ConcurrentHashMap<>());
        }, c -> {
            captured = c;
            preview.setSeen(c.seen(), presetName(m, c.preprocessing()));
            showPredictions();
            refreshView();
        }, failure -> {
            captureProblem = "The model could not run on this image:\n" + message(failure);
            bars.clear("No prediction: the model did not run");
            refreshView();
        });
        refreshView();
    }

    private void captureChanged() {
        Scene now = scene();
        sources.forEach(s -> s.captureChanged(now));
    }

    /** The preset's name, e.g. "unit (model default)": the default is found by comparing with each preset's result. */
    private String presetName(Model m, Preprocessing p) {
        if (settings.preset() != null) {
            return settings.preset().name().toLowerCase(Locale.ROOT);
        }
        for (io.filterscope.preprocess.Preset candidate : io.filterscope.preprocess.Preset.values()) {
            if (Preprocessing.forModel(m.metadata(), Optional.of(candidate)).equals(p)) {
                return candidate.name().toLowerCase(Locale.ROOT) + " (model default)";
            }
        }
        return "model default";
    }

    private void showPredictions() {
        if (captured == null) {
            return;
        }
        try {
            Tensor out = captured.activations().output();
            long classes = out.shape().rank() <= 1 ? out.size() : out.size() / Math.max(1, out.shape().dim(0));
            // Without class names, a 1,000-way output gets ImageNet's, and the bars say so.
            Optional<List<String>> imagenet = labels.isEmpty() ? ImageNetClasses.forClasses(classes) : Optional.empty();
            bars.show(Predictions.topK(out, 0, imagenet.orElse(labels), TOP_K), imagenet.map(n -> ImageNetClasses.DESCRIPTION).orElse(null));
        } catch (FilterScopeException e) {
            bars.clear(e.getMessage());
        }
    }

    // ------------------------------------------------------------------ drawing, for every source alike

    /** Brings the tab in front up to date: from the cache, or by drawing in the background. */
    private void refreshView() {
        ContentSource source = front();
        Scene now = scene();
        ContentSource.Content content = source.content(now);
        if (content instanceof ContentSource.Content.Message m) {
            source.say(m.text());
            prefetchNeighbours(source, now);
        } else if (content instanceof ContentSource.Content.Drawing d) {
            ShownGrid cached = renders.get(d.key());
            if (cached != null) {
                source.lane().invalidate();
                source.show(cached);
                prefetchNeighbours(source, now);
                return;
            }
            background.submitJob(source.lane(), d.what(), d.work()::draw, g -> {
                renders.put(d.key(), g);
                if (front() == source) {
                    source.show(g);
                    prefetchNeighbours(source, scene());
                }
            }, failure -> source.say(d.cannot() + ":\n" + message(failure)));
        }
        // Content.Fixed: the source keeps itself up to date.
    }

    /**
     * Draws, at low priority, the grids of the nearest layers above and below the selected one in the
     * list that have a picture on this tab, so that stepping with the arrow keys finds them drawn.
     * This work never delays {@link #whenIdle()} and never changes what is shown: it only fills the
     * cache.
     */
    private void prefetchNeighbours(ContentSource source, Scene now) {
        if (model == null || selected == null || !source.drawsAhead()) {
            return;
        }
        List<LayerInfo> visible = layerList.visibleLayers();
        int i = visible.indexOf(selected);
        if (i < 0) {
            return;
        }
        long wanted = modelSource;
        background.replacePrefetches(() -> {
            for (int step : new int[] {1, -1}) {
                for (int j = i + step; j >= 0 && j < visible.size(); j += step) {
                    Scene there = now.withLayer(visible.get(j));
                    if (!(source.content(there) instanceof ContentSource.Content.Drawing d)) {
                        continue;
                    }
                    if (!renders.contains(d.key())) {
                        // Skipped when the model was replaced (and may be closed) before it starts.
                        background.prefetch(d.key(), () -> modelSource == wanted,
                                () -> d.work().draw(Background.unwatched(() -> modelSource == wanted)), g -> {
                            if (d.current().test(scene()) && !renders.contains(d.key())) {
                                renders.put(d.key(), g);
                            }
                        });
                    }
                    break;
                }
            }
        });
    }

    /** For tests: completes when the neighbours asked for last are drawn (or could not be). */
    CompletableFuture<Void> whenPrefetched() {
        return background.whenPrefetched();
    }

    private Optional<ShownGrid> currentGrid() {
        return front().grid();
    }

    /** Ctrl + wheel: from the magnification on screen, which is the fitted one while fitted. */
    private void zoomBy(double factor) {
        double shown = front().gridView().map(GridView::zoom).orElse(settings.zoom());
        setSettings(settings.withZoom(shown * factor));
    }

    // ------------------------------------------------------------------ tiles, popup, errors

    /**
     * Drops everything pending. Whatever was waiting for it says so, rather than keep showing a
     * picture that no longer matches the settings.
     */
    private void cancel() {
        boolean capture = captureLane.waiting();
        Map<ContentSource, Boolean> waiting = new LinkedHashMap<>();
        List<Background.Lane> lanes = new ArrayList<>(List.of(captureLane, retireLane));
        for (ContentSource s : sources) {
            waiting.put(s, s.lane().waiting());
            lanes.add(s.lane());
        }
        background.cancelAll(lanes);
        if (capture) {
            captureProblem = "The model run was cancelled; choose the preset or the image again to run it.";
            preview.setSeen(null, "");
            bars.clear("Cancelled");
        }
        Scene now = scene();
        waiting.forEach((s, own) -> s.cancelled(now, own));
    }

    private void inspect(ShownGrid grid, RenderedGrid.Tile tile) {
        closeInspector();
        // A channel of the Filters or Feature maps tab, in a panel with a "What excites it" tab: the tile window offers it.
        ViewTab shown = front().tab();
        boolean channelTile = (shown == ViewTab.FILTERS || shown == ViewTab.FEATURE_MAPS) && visualizeTab().isPresent();
        Optional<Runnable> excite = channelTile ? Optional.of(() -> {
            closeInspector();
            showWhatExcites(tile.channel());
        }) : Optional.empty();
        inspector = new TileInspector(SwingUtilities.getWindowAncestor(this), grid, tile, excite);
        inspector.setVisible(true);
    }

    /** The first {@link VisualizeTab} added to the panel, if any. */
    private Optional<VisualizeTab> visualizeTab() {
        return sources.stream().filter(s -> s instanceof HostTabSource h && h.panelTab() instanceof VisualizeTab)
                .map(s -> (VisualizeTab) ((HostTabSource) s).panelTab()).findFirst();
    }

    /**
     * Brings the panel's {@link VisualizeTab} to the front, set to channel {@code channel} of the
     * selected layer: "what excites this channel" from a tile of the Filters or Feature maps tab.
     *
     * @return whether the panel has such a tab
     */
    boolean showWhatExcites(int channel) {
        Optional<VisualizeTab> tab = visualizeTab();
        tab.ifPresent(v -> {
            VisualizeTab.Settings now = v.settings();
            v.setSettings(new VisualizeTab.Settings(channel, now.steps(), now.seed()));
            showTab(v);
        });
        return tab.isPresent();
    }

    private void closeInspector() {
        if (inspector != null) {
            inspector.dispose();
            inspector = null;
        }
    }

    /** The last tile window opened, for tests. */
    Optional<TileInspector> inspector() {
        return Optional.ofNullable(inspector);
    }

    private JPopupMenu popup() {
        JPopupMenu menu = new JPopupMenu();
        JMenuItem save = new JMenuItem("Save view as PNG…");
        save.addActionListener(e -> {
            try {
                saveCurrentViewAs(saveFolder).ifPresent(p -> {
                    saveFolder = p.toAbsolutePath().getParent();
                    status.say("Saved " + p);
                });
            } catch (RuntimeException ex) {
                reportError(ex);
            }
        });
        JMenuItem copy = new JMenuItem("Copy view to clipboard");
        copy.addActionListener(e -> {
            try {
                copyCurrentViewToClipboard();
                status.say("Copied the view to the clipboard");
            } catch (RuntimeException ex) {
                reportError(ex);
            }
        });
        menu.add(save);
        menu.add(copy);
        return menu;
    }

    private void reportError(Throwable t) {
        status.say("Error: " + message(t));
        errorHandler.accept(t);
    }

    /** One line for a person: the message of our own exceptions, the type and message of others. */
    static String message(Throwable t) {
        Throwable root = t;
        while (!(root instanceof FilterScopeException) && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof FilterScopeException) {
            return root.getMessage();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static void logError(Throwable t) {
        LOG.warn("{}", message(t));
        LOG.debug("background work failed", t);
    }

    private String describeState() {
        if (model == null) {
            return "No model";
        }
        String name = model.metadata().file().getFileName().toString();
        return name + " · " + model.layers().size() + " layers" + (image == null ? " · no image" : "");
    }

    /** For tests: the status line's text. */
    String statusText() {
        return status.text();
    }

    LayerList layerList() {
        return layerList;
    }

    GridTab tab(ViewTab tab) {
        return ((GridSource) source(tab == ViewTab.MODEL ? ViewTab.FEATURE_MAPS : tab)).gridTab();
    }

    PredictionBars predictionBars() {
        return bars;
    }

    InputPreview inputPreview() {
        return preview;
    }

    ModelInfo modelInfo() {
        return ((ModelSource) source(ViewTab.MODEL)).info();
    }

    Controls controls() {
        return controls;
    }

    StatusLine statusLine() {
        return status;
    }

    /** An image on the clipboard. */
    private record ImageSelection(BufferedImage image) implements Transferable {
        @Override
        public DataFlavor[] getTransferDataFlavors() {
            return new DataFlavor[] {DataFlavor.imageFlavor};
        }

        @Override
        public boolean isDataFlavorSupported(DataFlavor flavor) {
            return DataFlavor.imageFlavor.equals(flavor);
        }

        @Override
        public Object getTransferData(DataFlavor flavor) throws UnsupportedFlavorException {
            if (!isDataFlavorSupported(flavor)) {
                throw new UnsupportedFlavorException(flavor);
            }
            return image;
        }
    }
}
