package io.filterscope.swing;

import io.filterscope.examples.ExampleImages;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.ScoreKind;
import io.filterscope.examples.TopExamples;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.render.ExampleGrid;
import java.awt.FlowLayout;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JSpinner;
import javax.swing.SpinnerNumberModel;

/**
 * A tab that shows a folder's dataset examples for the selected layer: for each channel, the images
 * that activate it most (by the maximum over positions, or the mean), whole with the patch under the
 * strongest response outlined, or the patches alone. The ranking runs in the background through
 * {@link ExampleSearch} (forward only, any backend), with the status line's progress and Cancel,
 * a batch of images in memory at a time, so a folder of thousands of images is fine; the ranking
 * of the last few layers and settings is kept (scores only), so switching between images and
 * patches does not run the folder again.
 *
 * <pre>{@code
 * DatasetExamplesTab examples = new DatasetExamplesTab();
 * panel.addTab(examples);
 * examples.setFolder(Path.of("images"));   // or the tab's Folder… button
 * }</pre>
 */
public final class DatasetExamplesTab extends PanelTab {
    /** Rankings kept, one per folder, layer, preset and settings: each is only channels × k scores. */
    private static final int KEPT = 8;

    /** Everything a ranking depends on, besides the model (the panel keeps pictures per model). */
    private record SearchKey(long model, Path folder, String layer, Preprocessing prep, ScoreKind score, int k) {
    }

    /** Everything a picture depends on. */
    private record PictureKey(Path folder, String layer, Preprocessing prep, ScoreKind score, int k, boolean patches) {
    }

    /** A folder's ranking with what it took. */
    private record Ranking(TopExamples top, int images, int skipped) {
    }

    private final Map<SearchKey, Ranking> rankings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SearchKey, Ranking> eldest) {
            return size() > KEPT;
        }
    };
    private final JButton choose = new JButton("Folder…");
    private final JLabel folderLabel = new JLabel("no folder");
    private final JSpinner top = new JSpinner(new SpinnerNumberModel(5, 1, 25, 1));
    private final JComboBox<String> score = new JComboBox<>(new String[] {ScoreKind.MAX.id(), ScoreKind.MEAN.id()});
    private final JCheckBox patches = new JCheckBox("Patches");
    private Path folder;
    /** The model last shown, weakly (the host closes it), and a number that changes with it. */
    private java.lang.ref.WeakReference<Model> shownModel = new java.lang.ref.WeakReference<>(null);
    private long modelNumber;

    /** A tab titled "Dataset examples", with no folder chosen yet. */
    public DatasetExamplesTab() {
        super("Dataset examples");
        choose.setName("examples-folder");
        top.setName("examples-top");
        score.setName("examples-score");
        patches.setName("examples-patches");
        choose.setToolTipText("Choose a folder of images to rank for each channel of the selected layer");
        top.setToolTipText("Images shown per channel");
        score.setToolTipText("A channel's score for an image: its largest activation (max) or its mean over positions");
        patches.setToolTipText("Show the input patch under each channel's strongest response instead of the whole image");
        choose.addActionListener(e -> {
            JFileChooser chooser = new JFileChooser(folder == null ? null : folder.toFile());
            chooser.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
            if (chooser.showOpenDialog(choose) == JFileChooser.APPROVE_OPTION) {
                setFolder(chooser.getSelectedFile().toPath());
            }
        });
        top.addChangeListener(e -> refresh());
        score.addActionListener(e -> refresh());
        patches.addActionListener(e -> refresh());
    }

    /** Ranks the images of {@code dir} (and its subfolders), or none with {@code null}. On the event dispatch thread. */
    public void setFolder(Path dir) {
        folder = dir == null ? null : dir.toAbsolutePath().normalize();
        folderLabel.setText(folder == null ? "no folder" : folder.getFileName().toString());
        folderLabel.setToolTipText(folder == null ? null : folder.toString());
        refresh();
    }

    /** The folder whose images are ranked, if one was chosen. */
    public Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    @Override
    public JComponent toolbar() {
        JPanel bar = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 2));
        bar.add(choose);
        bar.add(folderLabel);
        bar.add(new JLabel("Top"));
        bar.add(top);
        bar.add(new JLabel("by"));
        bar.add(score);
        bar.add(patches);
        return bar;
    }

    /** A folder is run once per layer and settings: drawing the neighbouring layers ahead would run it again for each. */
    @Override
    public boolean drawsAhead() {
        return false;
    }

    @Override
    public TabContent content(PanelState state) {
        Optional<Model> model = state.model();
        if (model.isEmpty()) {
            return TabContent.message("Open a model to rank a folder of images for its channels.");
        }
        if (folder == null) {
            return TabContent.message("Choose a folder of images (Folder…) to see, for each channel of the selected layer,\n"
                    + "the images that activate it most and the patch under its strongest response.");
        }
        Optional<LayerInfo> layer = state.layer();
        if (layer.isEmpty() || layer.get().outputShape().isPresent() && !layer.get().hasSpatialOutput()) {
            return TabContent.message((layer.isEmpty() ? "Select a layer" : layer.get().name() + " has no feature maps; select a layer")
                    + " with feature maps (N×C×H×W) on the left.");
        }
        Model m = model.get();
        if (shownModel.get() != m) {
            // Rankings of another model are of no more use: let them go.
            shownModel = new java.lang.ref.WeakReference<>(m);
            modelNumber++;
            synchronized (rankings) {
                rankings.clear();
            }
        }
        String name = layer.get().name();
        Preprocessing prep = Preprocessing.forModel(m.metadata(), Optional.ofNullable(state.settings().preset()));
        Path dir = folder;
        int k = (Integer) top.getValue();
        ScoreKind kind = ScoreKind.parse((String) score.getSelectedItem());
        boolean showPatches = patches.isSelected();
        SearchKey searchKey = new SearchKey(modelNumber, dir, name, prep, kind, k);
        return TabContent.drawing(new PictureKey(dir, name, prep, kind, k, showPatches),
                "Ranking the images of " + dir.getFileName() + " for " + name + "…",
                progress -> draw(m, searchKey, showPatches, progress));
    }

    /** Runs (or finds) the ranking and draws its grid; off the event dispatch thread. */
    private ShownGrid draw(Model m, SearchKey key, boolean showPatches, TabContent.Progress progress) {
        Ranking r = ranking(m, key, progress);
        ImageFolder f = ImageFolder.of(key.folder());
        ExampleImages images = new ExampleImages(m, key.layer(), n -> f.dir().resolve(n), key.prep(), FreeSize.DEFAULT);
        TopExamples found = r.top();
        int[] size = found.channelCount() == 0 || found.channel(0).isEmpty() ? new int[] {key.prep().height(), key.prep().width()}
                : images.inputSize(found.channel(0).get(0).image());
        String caption = caption(key, r, showPatches);
        ExampleGrid.Content content = showPatches ? ExampleGrid.Content.PATCHES : ExampleGrid.Content.IMAGES;
        BufferedImage grid = ExampleGrid.draw(found, images::view, images::patch, content, ExampleGrid.tileFor(size[0], size[1]), caption);
        return ShownGrid.picture(key.layer(), grid);
    }

    /** The caption over a grid, as the command line's {@code examples} writes it. */
    static String caption(String layer, int k, int images, ScoreKind score, int skipped, boolean patches) {
        return String.format(Locale.ROOT, "%s: top %d of %,d images per channel by %s activation%s%s", layer, k, images, score.id(),
                skipped > 0 ? " (" + skipped + " unreadable skipped)" : "", patches ? ", patches under the strongest response" : "");
    }

    private static String caption(SearchKey key, Ranking r, boolean patches) {
        return caption(key.layer(), key.k(), r.images(), key.score(), r.skipped(), patches);
    }

    private Ranking ranking(Model m, SearchKey key, TabContent.Progress progress) {
        synchronized (rankings) {
            Ranking kept = rankings.get(key);
            if (kept != null) {
                return kept;
            }
        }
        ImageFolder f = ImageFolder.of(key.folder());
        int[] skipped = {0};
        ExampleSearch.Result result = ExampleSearch.run(m, f.files(), f::name, key.prep(),
                new ExampleSearch.Settings(key.layer(), key.score(), key.k(), 32, FreeSize.DEFAULT), new ExampleSearch.Listener() {
                    @Override
                    public void progress(int done, int total) {
                        // After each batch: stop when the picture is no longer wanted (Cancel, another layer or model).
                        if (progress.cancelled()) {
                            throw new CancellationException("no longer wanted");
                        }
                        progress.report(total == 0 ? 1 : (double) done / total);
                    }

                    @Override
                    public void skipped(Path file, String reason) {
                        skipped[0]++;
                    }
                });
        Ranking r = new Ranking(result.top(), result.images(), skipped[0]);
        synchronized (rankings) {
            rankings.put(key, r);
        }
        return r;
    }

    /** How many rankings are kept (for tests of the bound). */
    int keptRankings() {
        synchronized (rankings) {
            return rankings.size();
        }
    }
}
