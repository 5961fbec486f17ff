package io.filterscope.swing;

import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.ImageNetClasses;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JPopupMenu;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import javax.swing.filechooser.FileNameExtensionFilter;
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
    private final GridTab filtersTab = new GridTab("filters", this::zoomBy);
    private final GridTab mapsTab = new GridTab("feature-maps", this::zoomBy);
    private final ModelInfo modelInfo = new ModelInfo();
    private final JTabbedPane tabs = new JTabbedPane();
    private final InputPreview preview = new InputPreview();
    private final PredictionBars bars = new PredictionBars();
    private final StatusLine status = new StatusLine();
    private final List<LayerSelectionListener> selectionListeners = new CopyOnWriteArrayList<>();
    private final RenderCache<RenderKey> renders = new RenderCache<>(RENDER_CACHE_PIXELS);
    /** Draws the feature maps of the layers next to the selected one, so stepping through layers finds them drawn. */
    private final ThreadPoolExecutor prefetcher = prefetcher();
    private final Set<RenderKey> prefetching = new HashSet<>();
    private final List<CompletableFuture<Void>> prefetchWaiters = new ArrayList<>();

    private final Background.Lane captureLane = new Background.Lane("capture");
    private final Background.Lane filtersLane = new Background.Lane("filters");
    private final Background.Lane mapsLane = new Background.Lane("feature maps");
    private final Background.Lane hashLane = new Background.Lane("hash");
    private final Background background;

    private Consumer<Throwable> errorHandler = FilterScopePanel::logError;
    private Model model;
    /** Identifies the model shown, for the render cache (models are not compared by value); read by the prefetcher. */
    private volatile long modelSource;
    /** Held while a prefetch runs, so that work on a replaced model can be waited for. */
    private final ReentrantLock prefetchRunning = new ReentrantLock();
    private final Background.Lane retireLane = new Background.Lane("retire");
    private List<String> labels = List.of();
    private BufferedImage image;
    private ViewSettings settings = ViewSettings.defaults();
    private LayerInfo selected;
    private Captured captured;
    private String captureProblem;
    private TileInspector inspector;

    /** The result of running the model once on the current image with the current preset. */
    private record Captured(long source, Preprocessing preprocessing, Activations activations, BufferedImage seen,
                            Map<String, FeatureMaps> maps) {
    }

    /**
     * What a drawn grid depends on. {@code channels} is null for filters, which ignore it; {@code order}
     * (how a depth-3 filter's channels map to colours, which follows the preset) is null for maps.
     */
    private record RenderKey(long source, String layer, ViewTab tab, io.filterscope.render.Colormap colormap,
                             io.filterscope.render.Normalization normalization, ChannelSelection channels, ChannelOrder order) {
    }

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

        tabs.addTab("Filters", filtersTab);
        tabs.addTab("Feature maps", mapsTab);
        tabs.addTab("Model", modelInfo);
        tabs.addChangeListener(e -> refreshView());

        JPanel right = new JPanel();
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
        JSplitPane centre = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, tabs, right);
        centre.setResizeWeight(1);
        centre.setBorder(null);
        JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, layerList, centre);
        split.setBorder(null);

        controls.onChange(this::setSettings);
        add(controls, BorderLayout.NORTH);
        add(split, BorderLayout.CENTER);
        add(status, BorderLayout.SOUTH);

        for (GridTab t : List.of(filtersTab, mapsTab)) {
            t.view.onTileClicked(this::inspect);
            t.view.setComponentPopupMenu(popup());
        }
        refreshView();
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
        prefetcher.getQueue().clear();
        if (old != null) {
            // whenIdle() must not complete while a prefetch still reads the old model's filters: the
            // caller closes the old model then. A prefetch that starts later sees the new source and skips.
            background.submit(retireLane, "Finishing with the previous model…", () -> {
                prefetchRunning.lock();
                prefetchRunning.unlock();
                return null;
            }, r -> { });
        }
        renders.clear();
        filtersLane.invalidate();
        mapsLane.invalidate();
        hashLane.invalidate();
        selected = null;
        closeInspector();
        filtersTab.say(""); // nothing of the old model stays on screen while the new one is drawn
        List<LayerInfo> layers = model == null ? List.of() : model.layers();
        layerList.setLayers(layers);
        if (model == null) {
            modelInfo.clear();
        } else {
            modelInfo.show(model.metadata(), layers);
            Path file = model.metadata().file();
            background.submit(hashLane, "Computing SHA-256 of " + file.getFileName() + "…", () -> ModelInfo.sha256(file),
                    modelInfo::setSha256);
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
            throw new FilterScopeException("no model is shown; open a model before selecting layer '" + name + "'");
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
        tabs.setSelectedIndex(tab.ordinal());
    }

    /** The tab in front. */
    public ViewTab currentTab() {
        return ViewTab.values()[tabs.getSelectedIndex()];
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
        filtersTab.view.setZoom(s.zoom());
        mapsTab.view.setZoom(s.zoom());
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
        return currentGrid().map(g -> g.grid().image()).orElseThrow(() -> new FilterScopeException(
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
        mapsLane.invalidate();
        if (model == null || image == null) {
            captureLane.invalidate();
            preview.setSeen(null, "");
            bars.clear(model == null ? "No model" : "No image");
            refreshView();
            return;
        }
        Model m = model;
        BufferedImage img = image;
        Optional<io.filterscope.preprocess.Preset> preset = Optional.ofNullable(settings.preset());
        boolean layersToo = m.capabilities().contains(Capability.ACTIVATIONS);
        long source = SOURCES.incrementAndGet();
        // Maps of another image or preset would mislead while the new ones are computed.
        mapsTab.say("Running the model…");
        background.submit(captureLane, "Running the model…", () -> {
            Preprocessing prep = Preprocessing.forModel(m.metadata(), preset);
            // A model with a free height and width (a detector) gets the image at its own size, bounded and rounded.
            Preprocessing sized = prep.forImage(img.getHeight(), img.getWidth(), io.filterscope.preprocess.FreeSize.DEFAULT);
            Tensor input = Preprocessor.apply(img, sized);
            Activations act = m.capture(input, layersToo ? CaptureRequest.allSpatial() : CaptureRequest.outputOnly());
            return new Captured(source, prep, act, Preprocessor.toImage(input, sized), new ConcurrentHashMap<>());
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

    // ------------------------------------------------------------------ drawing

    /** Brings the tab in front up to date: from the cache, or by drawing in the background. */
    private void refreshView() {
        switch (currentTab()) {
            case FILTERS -> refreshFilters();
            case FEATURE_MAPS -> refreshMaps();
            case MODEL -> {
                // The Model tab is filled when the model is set.
            }
        }
    }

    private void refreshFilters() {
        if (model == null) {
            filtersTab.say("Open a model to see its filters.");
            return;
        }
        if (selected == null) {
            filtersTab.say("Select a layer on the left.");
            return;
        }
        if (!selected.kind().hasFilters()) {
            List<String> withFilters = model.layers().stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).toList();
            filtersTab.say(selected.name() + " (" + selected.op() + ") has no filters.\n"
                    + (withFilters.isEmpty() ? "This model has no convolution layers."
                    : "Layers with filters: " + String.join(", ", withFilters) + "."));
            prefetchNeighbours(ViewTab.FILTERS);
            return;
        }
        RenderKey key = filtersKey(selected.name());
        ShownGrid cached = renders.get(key);
        if (cached != null) {
            filtersLane.invalidate();
            filtersTab.show(cached);
            prefetchNeighbours(ViewTab.FILTERS);
            return;
        }
        String layer = selected.name();
        background.submit(filtersLane, "Drawing the filters of " + layer + "…", drawFilters(layer), g -> {
            renders.put(key, g);
            if (currentTab() == ViewTab.FILTERS) {
                filtersTab.show(g);
                prefetchNeighbours(ViewTab.FILTERS);
            }
        }, failure -> filtersTab.say("Cannot draw the filters of " + layer + ":\n" + message(failure)));
    }

    private RenderKey filtersKey(String layer) {
        return new RenderKey(modelSource, layer, ViewTab.FILTERS, settings.colormap(), settings.normalization(), null, channelOrder());
    }

    /** The work of drawing one layer's filters with the current settings. */
    private Callable<ShownGrid> drawFilters(String layer) {
        Model m = model;
        GridStyle style = GridStyle.filters().withColormap(settings.colormap()).withNormalization(settings.normalization());
        ChannelOrder order = channelOrder();
        return () -> {
            FilterBank bank = m.filters(layer);
            RenderedGrid grid = GridRenderer.renderFilters(bank, style, order);
            return new ShownGrid(layer, grid, new ShownGrid.FilterValues(bank));
        };
    }

    /** Which colour a depth-3 filter's channels are: BGR for models fed BGR (the caffe preset). */
    private ChannelOrder channelOrder() {
        if (captured != null) {
            return captured.preprocessing().order();
        }
        try {
            return Preprocessing.forModel(model.metadata(), Optional.ofNullable(settings.preset())).order();
        } catch (FilterScopeException e) {
            return ChannelOrder.RGB; // not an image model; its filters are drawn as stored
        }
    }

    private void refreshMaps() {
        if (model == null) {
            mapsTab.say("Open a model to see its feature maps.");
            return;
        }
        if (image == null) {
            mapsTab.say("Open an image to see the feature maps it produces.");
            return;
        }
        if (selected == null) {
            mapsTab.say("Select a layer on the left.");
            return;
        }
        if (captured == null) {
            mapsTab.say(captureProblem != null ? captureProblem : "Running the model…");
            return;
        }
        Optional<LayerOutput> out = outputOf(selected);
        if (out.isEmpty()) {
            String spatial = captured.activations().layers().stream().map(l -> l.layer().name()).collect(Collectors.joining(", "));
            mapsTab.say(selected.name() + " (" + selected.op() + ") has no feature maps"
                    + selected.outputShape().map(s -> ": its output " + s + " is not an image-like C×H×W map").orElse("") + ".\n"
                    + (spatial.isEmpty() ? "This model has no layers with feature maps." : "Layers with feature maps: " + spatial + "."));
            prefetchNeighbours(ViewTab.FEATURE_MAPS);
            return;
        }
        Captured c = captured;
        LayerOutput layerOut = out.get();
        String layer = selected.name();
        RenderKey key = mapsKey(c, layer);
        ShownGrid cached = renders.get(key);
        if (cached != null) {
            mapsLane.invalidate();
            mapsTab.show(cached);
            prefetchNeighbours(ViewTab.FEATURE_MAPS);
            return;
        }
        background.submit(mapsLane, "Drawing the feature maps of " + layer + "…", drawMaps(c, layerOut, layer), g -> {
            renders.put(key, g);
            if (currentTab() == ViewTab.FEATURE_MAPS) {
                mapsTab.show(g);
                prefetchNeighbours(ViewTab.FEATURE_MAPS);
            }
        }, failure -> mapsTab.say("Cannot draw the feature maps of " + layer + ":\n" + message(failure)));
    }

    /** The work of drawing one layer's feature maps with the current settings. */
    private Callable<ShownGrid> drawMaps(Captured c, LayerOutput layerOut, String layer) {
        ChannelSelection channels = settings.channels();
        GridStyle style = GridStyle.featureMaps().withColormap(settings.colormap()).withNormalization(settings.normalization());
        return () -> {
            FeatureMaps maps = c.maps().computeIfAbsent(layerOut.layer().name(), n -> layerOut.featureMaps(0));
            List<Integer> chosen = switch (channels.mode()) {
                case ALL -> IntStream.range(0, maps.channels()).boxed().toList();
                case TOP_MEAN -> GridRenderer.topChannels(maps, channels.count(), false);
                case TOP_MAX -> GridRenderer.topChannels(maps, channels.count(), true);
            };
            // A layer can show another's output (a conv is captured after its activation, so the ReLU
            // shows the same tensor); the caption names the layer selected.
            FeatureMaps named = maps.layer().equals(layer) ? maps : new FeatureMaps(layer, maps.tensor(), maps.maps(), maps.stats());
            RenderedGrid grid = GridRenderer.renderFeatureMaps(named, style, chosen);
            return new ShownGrid(layer, grid, new ShownGrid.MapValues(maps));
        };
    }

    private RenderKey mapsKey(Captured c, String layer) {
        return new RenderKey(c.source(), layer, ViewTab.FEATURE_MAPS, settings.colormap(), settings.normalization(), settings.channels(), null);
    }

    /**
     * Draws, at low priority, the grids of the nearest layers above and below the selected one in the
     * list that have a picture on this tab, so that stepping with the arrow keys finds them drawn.
     * This work never delays {@link #whenIdle()} and never changes what is shown: it only fills the
     * cache.
     */
    private void prefetchNeighbours(ViewTab tab) {
        if (model == null || selected == null || (tab == ViewTab.FEATURE_MAPS && captured == null)) {
            return;
        }
        List<LayerInfo> visible = layerList.visibleLayers();
        int i = visible.indexOf(selected);
        if (i < 0) {
            return;
        }
        prefetcher.getQueue().clear(); // only the newest neighbours matter
        prefetching.clear();
        Captured c = captured;
        long source = modelSource;
        for (int step : new int[] {1, -1}) {
            for (int j = i + step; j >= 0 && j < visible.size(); j += step) {
                LayerInfo l = visible.get(j);
                Callable<ShownGrid> work;
                RenderKey key;
                if (tab == ViewTab.FILTERS) {
                    if (!l.kind().hasFilters()) {
                        continue;
                    }
                    key = filtersKey(l.name());
                    work = drawFilters(l.name());
                } else {
                    Optional<LayerOutput> out = outputOf(l);
                    if (out.isEmpty()) {
                        continue;
                    }
                    key = mapsKey(c, l.name());
                    work = drawMaps(c, out.get(), l.name());
                }
                if (!renders.contains(key) && prefetching.add(key)) {
                    prefetcher.execute(() -> prefetch(key, work, c, source));
                }
                break;
            }
        }
        releasePrefetchWaiters();
    }

    /** On the prefetch thread: draws, then hands the grid to the cache if it still belongs to what is shown. */
    private void prefetch(RenderKey key, Callable<ShownGrid> work, Captured c, long source) {
        prefetchRunning.lock();
        try {
            if (modelSource != source) {
                SwingUtilities.invokeLater(() -> prefetched(key));
                return; // the model was replaced (and may be closed)
            }
            ShownGrid g = work.call();
            SwingUtilities.invokeLater(() -> {
                boolean current = key.tab() == ViewTab.FILTERS ? modelSource == source : captured == c;
                if (current && !renders.contains(key)) {
                    renders.put(key, g);
                }
                prefetched(key);
            });
        } catch (Exception | OutOfMemoryError e) {
            // A neighbour that cannot be drawn is reported when the person selects it.
            SwingUtilities.invokeLater(() -> prefetched(key));
            LOG.debug("prefetching {} failed", key, e);
        } finally {
            prefetchRunning.unlock();
        }
    }

    private void prefetched(RenderKey key) {
        prefetching.remove(key);
        releasePrefetchWaiters();
    }

    private void releasePrefetchWaiters() {
        if (prefetching.isEmpty()) {
            List<CompletableFuture<Void>> done = new ArrayList<>(prefetchWaiters);
            prefetchWaiters.clear();
            done.forEach(f -> f.complete(null));
        }
    }

    /** For tests: completes when the neighbours asked for last are drawn (or could not be). */
    CompletableFuture<Void> whenPrefetched() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        SwingUtilities.invokeLater(() -> {
            if (prefetching.isEmpty()) {
                f.complete(null);
            } else {
                prefetchWaiters.add(f);
            }
        });
        return f;
    }

    private static ThreadPoolExecutor prefetcher() {
        ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "filterscope-viewer-prefetch");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /**
     * The captured output that shows {@code layer}: its own, or that of the layer whose picture is the
     * same tensor (a Relu fused into the conv before it is shown with the conv's post-activation maps).
     */
    private Optional<LayerOutput> outputOf(LayerInfo layer) {
        Activations act = captured.activations();
        return act.layer(layer.name()).filter(LayerOutput::isSpatial)
                .or(() -> act.layers().stream().filter(o -> o.isSpatial() && o.tensor().equals(layer.outputTensor())).findFirst());
    }

    private Optional<ShownGrid> currentGrid() {
        return switch (currentTab()) {
            case FILTERS -> filtersTab.grid();
            case FEATURE_MAPS -> mapsTab.grid();
            case MODEL -> Optional.empty();
        };
    }

    private void zoomBy(double factor) {
        setSettings(settings.withZoom(settings.zoom() * factor));
    }

    // ------------------------------------------------------------------ tiles, popup, errors

    /**
     * Drops everything pending. Whatever was waiting for it says so, rather than keep showing a
     * picture that no longer matches the settings.
     */
    private void cancel() {
        boolean capture = captureLane.waiting();
        boolean filters = filtersLane.waiting();
        boolean maps = mapsLane.waiting();
        boolean hash = hashLane.waiting();
        background.cancelAll(List.of(captureLane, filtersLane, mapsLane, hashLane, retireLane));
        if (capture) {
            captureProblem = "The model run was cancelled; choose the preset or the image again to run it.";
            preview.setSeen(null, "");
            bars.clear("Cancelled");
        }
        if (filters) {
            filtersTab.say("Drawing cancelled; select the layer again to draw it.");
        }
        if (capture || maps) {
            mapsTab.say(capture ? captureProblem : "Drawing cancelled; select the layer again to draw it.");
        }
        if (hash) {
            modelInfo.setSha256("cancelled");
        }
    }

    private void inspect(ShownGrid grid, RenderedGrid.Tile tile) {
        closeInspector();
        inspector = new TileInspector(SwingUtilities.getWindowAncestor(this), grid, tile);
        inspector.setVisible(true);
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
            JFileChooser chooser = new JFileChooser();
            chooser.setFileFilter(new FileNameExtensionFilter("PNG images", "png"));
            chooser.setSelectedFile(new java.io.File(io.filterscope.Names.sanitize(selected == null ? "view" : selected.name()) + ".png"));
            if (chooser.showSaveDialog(this) == JFileChooser.APPROVE_OPTION) {
                Path p = chooser.getSelectedFile().toPath();
                if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                    p = p.resolveSibling(p.getFileName() + ".png");
                }
                try {
                    saveCurrentView(p);
                    status.say("Saved " + p);
                } catch (RuntimeException ex) {
                    reportError(ex);
                }
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
        return tab == ViewTab.FILTERS ? filtersTab : mapsTab;
    }

    PredictionBars predictionBars() {
        return bars;
    }

    InputPreview inputPreview() {
        return preview;
    }

    ModelInfo modelInfo() {
        return modelInfo;
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
