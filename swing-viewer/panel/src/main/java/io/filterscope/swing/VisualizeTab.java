package io.filterscope.swing;

import com.google.common.base.Preconditions;
import io.filterscope.explain.Progress;
import io.filterscope.model.Capability;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.tensor.Shape;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JSpinner;
import javax.swing.SpinnerNumberModel;

/**
 * The "What excites it" tab: the image that excites one channel of the layer selected in the layer
 * list most, found by the api's {@link FeatureVisualizer} (gradient ascent on a Fourier-parameterised
 * image with jitter, scale and rotation, as Lucid does). Its controls choose the channel, the number
 * of steps and the seed; the image is optimised in the background with the panel's progress bar and
 * Cancel, and kept, so returning to a channel shows it at once. Select a layer on the Filters or
 * Feature maps tab (or in the list) and open this tab to see what its channels respond to.
 *
 * <p>Needs {@link Capability#GRADIENTS}; on a model without them the tab says so. Works without an
 * image: the picture depends on the model alone.
 *
 * <pre>{@code
 * panel.addTab(new VisualizeTab());
 * }</pre>
 *
 * <p>Use it on the event dispatch thread. One instance belongs to one panel.
 */
public final class VisualizeTab extends PanelTab {
    /** Images kept per model (each a few hundred kB at most). */
    private static final int KEPT = 32;

    /**
     * What the tab optimises for the selected layer.
     *
     * @param channel the layer's channel whose mean activation is maximised
     * @param steps   gradient ascent steps
     * @param seed    seeds the start image and the transforms: the same seed gives the same image
     */
    public record Settings(int channel, int steps, long seed) {
        public Settings {
            Preconditions.checkArgument(channel >= 0, "channel must be >= 0, got %s", channel);
            Preconditions.checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
        }

        /** Channel 0, 128 steps, seed 0. */
        public static Settings defaults() {
            return new Settings(0, 128, 0);
        }

        /** The api's request for this channel of {@code layer}: its defaults, with these steps and seed. */
        public VisualizeRequest request(String layer) {
            return VisualizeRequest.channel(layer, channel).withSteps(steps).withSeed(seed);
        }
    }

    // The controls; package-private for tests.
    final JSpinner channel = new JSpinner(new SpinnerNumberModel(0, 0, 1 << 20, 1));
    final JSpinner steps = new JSpinner(new SpinnerNumberModel(128, 1, 100_000, 16));
    final JSpinner seed = new JSpinner(new SpinnerNumberModel(0, 0, Integer.MAX_VALUE, 1));
    final JLabel info = new JLabel(" ");
    private final JPanel toolbar = new JPanel();

    private Settings settings = Settings.defaults();
    private boolean syncing;
    private Model syncedModel;
    /** What is shown now, or null when the tab shows a message. */
    private Key current;
    /** Images optimised for the model shown, by what they are of; any thread. */
    private final Map<Key, Visualization> kept = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Visualization> eldest) {
            return size() > KEPT;
        }
    });

    /** What one image is of: everything it depends on besides the model. */
    private record Key(String layer, Settings settings) {
    }

    /** The tab, with {@link Settings#defaults()}. */
    public VisualizeTab() {
        super("What excites it");
        channel.setName("visualize-channel");
        channel.setToolTipText("The channel of the selected layer whose mean activation the image maximises");
        steps.setName("visualize-steps");
        steps.setToolTipText("Gradient ascent steps: one backward pass of the model each");
        seed.setName("visualize-seed");
        seed.setToolTipText("Seeds the start image and the random jitter, scale and rotation: the same seed gives the same image");
        for (JSpinner s : new JSpinner[] {channel, steps, seed}) {
            ((JSpinner.DefaultEditor) s.getEditor()).getTextField().setColumns(5);
            s.addChangeListener(e -> {
                if (!syncing) {
                    change(new Settings((Integer) channel.getValue(), (Integer) steps.getValue(), (Integer) seed.getValue()));
                }
            });
        }
        JPanel controls = new JPanel(new WrapLayout(FlowLayout.LEFT, 6, 2));
        controls.setAlignmentX(Component.LEFT_ALIGNMENT);
        controls.add(labelled("Channel", channel));
        controls.add(labelled("Steps", steps));
        controls.add(labelled("Seed", seed));
        info.setName("visualize-info");
        info.setBorder(BorderFactory.createEmptyBorder(2, 6, 4, 6));
        info.setAlignmentX(Component.LEFT_ALIGNMENT);
        toolbar.setLayout(new BoxLayout(toolbar, BoxLayout.Y_AXIS));
        toolbar.setName("visualize-toolbar");
        toolbar.add(controls);
        toolbar.add(info);
        showControls();
    }

    @Override
    public JComponent toolbar() {
        return toolbar;
    }

    /** Optimising is expensive: never done ahead for neighbouring layers. */
    @Override
    public boolean drawsAhead() {
        return false;
    }

    /** The settings the controls show. */
    public Settings settings() {
        return settings;
    }

    /** Applies new settings as the controls would; the image is optimised unless it is kept. */
    public void setSettings(Settings s) {
        change(Objects.requireNonNull(s, "settings"));
    }

    /** The optimised image shown now, as the api's {@link FeatureVisualizer} gave it, if the tab shows one. */
    public Optional<Visualization> shownVisualization() {
        return current == null ? Optional.empty() : Optional.ofNullable(kept.get(current));
    }

    @Override
    public TabContent content(PanelState s) {
        Model model = s.model().orElse(null);
        if (model != syncedModel) {
            syncedModel = model;
            kept.clear();
        }
        current = null;
        info.setText(" ");
        if (model == null) {
            return TabContent.message("Open a model, select a layer, and this tab shows the image that excites a channel of it most.");
        }
        if (!model.capabilities().contains(Capability.GRADIENTS)) {
            return TabContent.message("Finding the image that excites a channel needs gradients, which the " + model.metadata().format()
                    + " backend cannot compute for this model.");
        }
        Optional<LayerInfo> selected = s.layer();
        if (selected.isEmpty()) {
            return TabContent.message("Select a layer (on the Filters or Feature maps tab, or in the list): this tab shows the image that"
                    + " excites one of its channels most.");
        }
        LayerInfo layer = selected.get();
        Optional<Shape> out = layer.outputShape();
        if (out.isEmpty() || (out.get().rank() != 4 && out.get().rank() != 2)) {
            return TabContent.message("Layer '" + layer.name() + "' outputs " + out.map(Object::toString).orElse("no known shape")
                    + "; the image that excites a channel needs channels (an N×C×H×W or N×C output). Select another layer.");
        }
        long channels = out.get().dim(1);
        syncChannels(channels);
        if (channels > 0 && settings.channel() >= channels) {
            return TabContent.message("Channel " + settings.channel() + " is out of range: layer '" + layer.name() + "' has " + channels
                    + " channels (0 to " + (channels - 1) + ").");
        }
        Key key = new Key(layer.name(), settings);
        current = key;
        String what = "channel " + settings.channel() + " of " + layer.name();
        info.setText("<html>The image that excites <b>" + GridView.escape(what) + "</b> most, after " + settings.steps() + " steps (seed "
                + settings.seed() + ")</html>");
        return TabContent.drawing(key, kept.containsKey(key) ? "Drawing the image…" : "Finding the image that excites " + what + "…",
                progress -> draw(model, key, progress));
    }

    /** The background work: the optimised image (kept), enlarged by a whole factor as the Explain tab enlarges small inputs. */
    private ShownGrid draw(Model model, Key key, TabContent.Progress progress) {
        Visualization v = kept.get(key);
        if (v == null) {
            Progress steps = Progress.of((done, total) -> progress.report(done / (double) Math.max(1, total)), progress::cancelled);
            v = new FeatureVisualizer(model).visualize(key.settings().request(key.layer()), steps);
            kept.put(key, v);
        }
        BufferedImage picture = v.picture();
        BufferedImage shown = ExplainPicture.enlarge(picture, ExplainPicture.scale(picture.getHeight(), picture.getWidth()));
        return ShownGrid.picture("What excites channel " + key.settings().channel() + " of " + key.layer(), shown);
    }

    private void change(Settings s) {
        settings = s;
        showControls();
        refresh();
    }

    private void showControls() {
        syncing = true;
        try {
            channel.setValue(settings.channel());
            steps.setValue(settings.steps());
            seed.setValue((int) Math.min(Integer.MAX_VALUE, Math.max(0, settings.seed())));
        } finally {
            syncing = false;
        }
    }

    /** The channel box offers the layer's channels (any number when the layer's channel count is not known). */
    private void syncChannels(long channels) {
        syncing = true;
        try {
            SpinnerNumberModel m = (SpinnerNumberModel) channel.getModel();
            m.setMaximum(channels > 0 ? (int) Math.max(channels - 1, settings.channel()) : 1 << 20);
        } finally {
            syncing = false;
        }
    }

    private static JPanel labelled(String text, JComponent control) {
        JPanel p = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 0));
        p.add(new JLabel(text));
        p.add(control);
        return p;
    }
}
