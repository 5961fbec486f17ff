package io.filterscope.swing;

import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridCanvas;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Normalization;
import io.filterscope.render.Paper;
import io.filterscope.render.RenderedGrid;
import io.filterscope.stats.LayerWeightStats;
import io.filterscope.stats.WeightStats;
import io.filterscope.io.ImageFolder;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.stats.Activity;
import java.awt.FlowLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import javax.swing.JButton;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JPanel;

/**
 * The Filters tab: the selected conv layer's weights, one tile per filter and input channel, with
 * the layer's weight statistics: dead and near-duplicate filters outlined, each filter's L2 norm in
 * its tooltip and a summary line above the grid. With a folder of images chosen (Activity folder…),
 * the filters never active over it are outlined too: the folder is run in the background, with the
 * status line's progress and Cancel, a batch at a time, once per model, layer and preset (the
 * per-channel maxima are kept, a few layers' worth).
 */
final class FiltersSource extends GridSource {
    /** Per-channel maxima kept, one per model, folder, layer and preset: each is only a float per channel. */
    private static final int KEPT = 16;

    /** Everything a layer's activity over a folder depends on. */
    private record ActivityKey(long modelSource, Path folder, String layer, Preprocessing prep) {
    }

    private final Map<ActivityKey, Activity> activities = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ActivityKey, Activity> eldest) {
            return size() > KEPT;
        }
    };
    private final JButton choose;
    private final JButton clear;
    private final JLabel folderLabel;
    private Path folder;
    /** Set by the panel: the tab's content changed (a folder was chosen or cleared). */
    private Runnable changed = () -> { };
    /** The api's defaults, as {@code filterscope stats} uses them. */
    static final WeightStats.Settings STATS = WeightStats.Settings.defaults();

    /**
     * Grids larger than this are shown piece by piece (only what is on screen is painted): a
     * 512 × 512 × 3 × 3 layer's grid has 65 million pixels, 0.2 to 1 s to paint whole. Smaller ones
     * (the bundled model's largest, 64 × 32 × 3 × 3, has about 5) are painted whole, cached and fitted.
     * Such wide layers also go without the weight statistics: their near-duplicate search alone
     * (every pair of 512 filters) would cost more than the first picture may.
     */
    static final long PIECEWISE_PIXELS = 16L << 20;

    /** The filter grid with the bank's weight statistics drawn in and told. */
    static ShownGrid withWeightStats(String layer, FilterBank bank, RenderedGrid grid) {
        LayerWeightStats stats = WeightStats.of(bank, STATS);
        Map<Integer, FilterBadges.Badge> badges = FilterBadges.badges(stats);
        return new ShownGrid(layer, FilterBadges.outline(grid, badges),
                new FilterBadges.Values(bank, stats, badges, FilterBadges.summary(stats, STATS)));
    }

    /** The filter grid with the weight statistics and the filters never active over a folder. */
    static ShownGrid withWeightStats(String layer, FilterBank bank, RenderedGrid grid, FilterBadges.FolderActivity activity) {
        LayerWeightStats stats = WeightStats.of(bank, STATS);
        Map<Integer, FilterBadges.Badge> badges = FilterBadges.badges(stats, activity);
        return new ShownGrid(layer, FilterBadges.outline(grid, badges),
                new FilterBadges.Values(bank, stats, badges, FilterBadges.summary(stats, STATS, activity), activity.images()));
    }


    /**
     * What a filter grid depends on: {@code order} is how a depth-3 filter's channels map to
     * colours, which follows the preset. Filters do not depend on the image.
     */
    private record Key(long modelSource, String layer, Colormap colormap, Normalization normalization, ChannelOrder order, Paper paper,
                       Path folder, Preprocessing prep) {
    }

    /** The layer's per-channel maxima over the folder, kept or run now; off the event dispatch thread. */
    private Activity activity(Model m, ActivityKey key, TabContent.Progress progress) {
        synchronized (activities) {
            Activity kept = activities.get(key);
            if (kept != null) {
                return kept;
            }
        }
        ImageFolder f = ImageFolder.of(key.folder());
        Activity a = Activity.scan(m, List.of(key.layer()), f.files(), key.prep(), FreeSize.DEFAULT, 32, new ImageBatches.Listener() {
            @Override
            public void progress(int done, int total) {
                // After each batch: stop when the picture is no longer wanted (Cancel, another layer or model).
                if (progress.cancelled()) {
                    throw new CancellationException("no longer wanted");
                }
                progress.report(total == 0 ? 1 : (double) done / total);
            }
        });
        synchronized (activities) {
            activities.put(key, a);
        }
        return a;
    }

    FiltersSource() {
        this(new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 2)));
    }

    private FiltersSource(JPanel bar) {
        super(ViewTab.FILTERS, "Filters", "filters", bar);
        choose = new JButton("Activity folder…");
        clear = new JButton("Clear");
        folderLabel = new JLabel("no folder: dead filters by norm only");
        choose.setName("filters-folder");
        clear.setName("filters-folder-clear");
        choose.setToolTipText("Choose a folder of images: filters never active on any of them (post-activation map never above 0)"
                + " are outlined in purple");
        clear.setEnabled(false);
        bar.add(choose);
        bar.add(folderLabel);
        bar.add(clear);
        choose.addActionListener(e -> {
            JFileChooser chooser = new JFileChooser(folder == null ? null : folder.toFile());
            chooser.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
            if (chooser.showOpenDialog(choose) == JFileChooser.APPROVE_OPTION) {
                setFolder(chooser.getSelectedFile().toPath());
            }
        });
        clear.addActionListener(e -> setFolder(null));
    }

    /** Set by the panel: called on the event dispatch thread when the tab's content changed. */
    void onChange(Runnable changed) {
        this.changed = changed;
    }

    /** Runs the images of {@code dir} (and its subfolders) for never-active filters, or none with {@code null}. On the event dispatch thread. */
    void setFolder(Path dir) {
        folder = dir == null ? null : dir.toAbsolutePath().normalize();
        folderLabel.setText(folder == null ? "no folder: dead filters by norm only" : "never active over " + folder.getFileName());
        folderLabel.setToolTipText(folder == null ? null : folder.toString());
        clear.setEnabled(folder != null);
        changed.run();
    }

    /** The folder the filters' activity is run over, if one was chosen. */
    Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    /** With a folder, drawing the neighbouring layers ahead would run the folder for each of them. */
    @Override
    public boolean drawsAhead() {
        return folder == null;
    }

    @Override
    public Content content(Scene s) {
        if (s.model() == null) {
            return new Content.Message("Open a model to see its filters.");
        }
        LayerInfo selected = s.layer();
        if (selected == null) {
            return new Content.Message("Select a layer on the left.");
        }
        if (!selected.kind().hasFilters()) {
            List<String> withFilters = s.model().layers().stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).toList();
            return new Content.Message(selected.name() + " (" + selected.op() + ") has no filters.\n"
                    + (withFilters.isEmpty() ? "This model has no convolution layers."
                    : "Layers with filters: " + String.join(", ", withFilters) + "."));
        }
        String layer = selected.name();
        Model m = s.model();
        GridStyle style = GridStyle.filters().withColormap(s.settings().colormap()).withNormalization(s.settings().normalization())
                .withPaper(s.paper());
        ChannelOrder order = s.channelOrder();
        long source = s.modelSource();
        Path dir = folder;
        if (dir == null) {
            return new Content.Drawing(new Key(source, layer, style.colormap(), style.normalization(), order, style.paper(), null, null),
                    "Drawing the filters of " + layer + "…", "Cannot draw the filters of " + layer, () -> {
                        FilterBank bank = m.filters(layer);
                        GridCanvas canvas = GridRenderer.layOutFilters(bank, style, order);
                        if ((long) canvas.width() * canvas.height() > PIECEWISE_PIXELS) {
                            return ShownGrid.piecewise(layer, canvas, new ShownGrid.FilterValues(bank));
                        }
                        return withWeightStats(layer, bank, canvas.render());
                    }, now -> now.modelSource() == source);
        }
        Preprocessing prep = Preprocessing.forModel(m.metadata(), Optional.ofNullable(s.settings().preset()));
        ActivityKey activityKey = new ActivityKey(source, dir, layer, prep);
        return new Content.Drawing(new Key(source, layer, style.colormap(), style.normalization(), order, style.paper(), dir, prep),
                "Running the images of " + dir.getFileName() + " through " + layer + "…", "Cannot draw the filters of " + layer, progress -> {
                    FilterBank bank = m.filters(layer);
                    GridCanvas canvas = GridRenderer.layOutFilters(bank, style, order);
                    if ((long) canvas.width() * canvas.height() > PIECEWISE_PIXELS) {
                        return ShownGrid.piecewise(layer, canvas, new ShownGrid.FilterValues(bank));
                    }
                    Activity a = activity(m, activityKey, progress);
                    return withWeightStats(layer, bank, canvas.render(),
                            new FilterBadges.FolderActivity(dir.getFileName().toString(), a.images(), a.neverActive(layer)));
                }, now -> now.modelSource() == source);
    }
}
