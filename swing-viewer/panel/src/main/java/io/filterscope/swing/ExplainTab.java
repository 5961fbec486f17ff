package io.filterscope.swing;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.ExplainRequest.Occlusion;
import io.filterscope.explain.ExplainRequest.SmoothGrad;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Faithfulness;
import io.filterscope.explain.Method;
import io.filterscope.explain.Progress;
import io.filterscope.model.Capability;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.predict.ImageNetClasses;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.render.Colormap;
import io.filterscope.render.Paper;
import io.filterscope.tensor.Tensor;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.ButtonGroup;
import javax.swing.DefaultListCellRenderer;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JSlider;
import javax.swing.JSpinner;
import javax.swing.JToggleButton;
import javax.swing.SpinnerNumberModel;
import javax.swing.SwingUtilities;

/**
 * The Explain tab: which parts of the input drove the model's decision, as a heatmap over the input
 * as the model saw it and the heatmap alone, computed by the api's {@link Explainer} for the
 * panel's model and image. Its controls choose the method, the layer (default: the last layer with
 * feature maps), the class (default: the top-1 prediction; any of the top five), the colormap and the
 * opacity, and, shown only for their method, Score-CAM's channel count, occlusion's window, stride
 * and baseline value, and SmoothGrad's noise level and samples; below them a line names what is
 * shown and its score, and a small chart draws the heatmap's faithfulness: the deletion and
 * insertion curves with their areas (Petsiuk et al. 2018).
 *
 * <p>Methods that need gradients are offered only when the model reports
 * {@link Capability#GRADIENTS}, and Ablation-CAM only when it reports
 * {@link Capability#RUN_FROM_LAYER}; otherwise they are disabled and say why and what to use instead. A
 * request the model cannot serve (a class activation map at a layer without feature maps, a class
 * out of range) is shown as a message in the tab. The work runs in the background with the panel's
 * progress bar and Cancel; explanations and faithfulness curves are kept, so changing the colormap
 * or the opacity only redraws, without running the model again.
 *
 * <pre>{@code
 * panel.addTab(new ExplainTab());
 * }</pre>
 *
 * <p>Use it on the event dispatch thread. One instance belongs to one panel.
 */
public final class ExplainTab extends PanelTab {
    /** Classes offered in the class box: the top five, as the predictions beside the picture. */
    static final int CLASSES_OFFERED = FilterScopePanel.TOP_K;
    /** Explanations and faithfulness curves kept, most recent first out (each a few hundred kB at most). */
    private static final int KEPT = 24;

    // The controls; package-private for tests.
    final Map<Method, JToggleButton> methods = new EnumMap<>(Method.class);
    final JComboBox<LayerChoice> layer = new JComboBox<>();
    final JComboBox<ClassChoice> classes = new JComboBox<>();
    final JComboBox<Colormap> colormap = new JComboBox<>(Colormap.values());
    final JSlider opacity = new JSlider(0, 100, 50);
    final JSpinner topChannels = new JSpinner(new SpinnerNumberModel(0, 0, 65536, 16));
    final JSpinner occlusionWindow = new JSpinner(new SpinnerNumberModel(0, 0, 4096, 1));
    final JSpinner occlusionStride = new JSpinner(new SpinnerNumberModel(0, 0, 4096, 1));
    final JSpinner occlusionBaseline = new JSpinner(new SpinnerNumberModel(0.0, -1e6, 1e6, 0.1));
    final JSpinner smoothGradNoise = new JSpinner(new SpinnerNumberModel(0.15, 0.0, 10.0, 0.05));
    final JSpinner smoothGradSamples = new JSpinner(new SpinnerNumberModel(25, 1, 10_000, 5));
    /** The controls of one method each, shown only while it is chosen. */
    final JPanel scoreCamControls = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
    final JPanel occlusionControls = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
    final JPanel smoothGradControls = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
    final JCheckBox faithfulness = new JCheckBox("Faithfulness");
    final JLabel info = new JLabel(" ");
    final FaithfulnessChart chart = new FaithfulnessChart();
    private final JPanel controls = new JPanel(new WrapLayout(FlowLayout.LEFT, 6, 2));
    private final JPanel toolbar = new JPanel();

    private ExplainSettings settings = ExplainSettings.defaults();
    /** True while the controls are filled in from code, so their listeners do nothing. */
    private boolean syncing;
    /** The model the controls were filled for; compared by identity. */
    private Model syncedModel;
    /** The run (model on image) the class box was filled for, and the labels it used. */
    private long syncedRun = -1;
    private List<String> syncedLabels = List.of();
    /** The method was switched to Score-CAM because the model has no gradients; switched back for one that has. */
    private boolean methodFallback;
    /** What the tab explains now (the state's run, method, layer and class), or null when it shows a message. */
    private Target current;

    /** Explanations and faithfulness curves computed, by what they explain; any thread. */
    private final Map<Target, Explanation> explanations = lru();
    private final Map<Target, Faithfulness> curves = lru();
    /** Requests the model refused while computing (e.g. a backward pass without an operator): shown again as a message, not rerun. */
    private final Map<Target, String> refusals = lru();
    /** The target whose explanation or curves a background drawing is computing; null when none. */
    private volatile Target computing;
    /** A colormap, opacity or faithfulness change waits for the running computation rather than restarting it. */
    private boolean refreshWhenComputed;

    /**
     * What one explanation explains: everything the heatmap depends on besides the model. A method's
     * own settings are kept only for that method (the api's defaults for the others), so changing
     * occlusion's window does not recompute a Grad-CAM.
     */
    record Target(long run, Method method, String layer, int classIndex, int topChannels, Occlusion occlusion, SmoothGrad smoothGrad) {
        static Target of(long run, Method method, String layer, int classIndex, ExplainSettings s) {
            Occlusion auto = Occlusion.auto();
            SmoothGrad plain = SmoothGrad.defaults();
            return switch (method) {
                case SCORE_CAM -> new Target(run, method, layer, classIndex, s.topChannels(), auto, plain);
                case OCCLUSION -> new Target(run, method, layer, classIndex, 0, s.occlusion(), plain);
                case SMOOTH_GRAD -> new Target(run, method, layer, classIndex, 0, auto, s.smoothGrad());
                case GRAD_CAM, GRAD_CAM_PLUS_PLUS, LAYER_CAM, ABLATION_CAM, SALIENCY -> new Target(run, method, layer, classIndex, 0, auto, plain);
            };
        }

        ExplainRequest request() {
            ExplainRequest r = ExplainRequest.of(method).forOutput(classIndex);
            if (method.isCam()) {
                r = r.atLayer(layer);
            }
            return r.withTopChannels(topChannels).withOcclusion(occlusion).withSmoothGrad(smoothGrad);
        }

        /** What the request's own settings are, for the info line and the title; empty for methods without any. */
        String parameters() {
            return switch (method) {
                case SCORE_CAM -> topChannels == 0 ? "" : " (top " + topChannels + " channels)";
                case OCCLUSION -> " (window " + (occlusion.window() == 0 ? "auto" : occlusion.window() + " px") + ", stride "
                        + (occlusion.stride() == 0 ? "auto" : occlusion.stride() + " px") + ", baseline "
                        + ShownGrid.format(occlusion.baseline()) + ")";
                case SMOOTH_GRAD -> String.format(Locale.ROOT, " (noise %.2f, %d samples)", smoothGrad.noise(), smoothGrad.samples());
                case GRAD_CAM, GRAD_CAM_PLUS_PLUS, LAYER_CAM, ABLATION_CAM, SALIENCY -> "";
            };
        }
    }

    /** What one picture shows: the explanation, how it is coloured, and whether its curves are computed. */
    private record PictureKey(Target target, Colormap colormap, float opacity, boolean faithfulness) {
    }

    /** An entry of the layer box. */
    record LayerChoice(String name, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** An entry of the class box. */
    record ClassChoice(int index, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** The Explain tab, with {@link ExplainSettings#defaults()}. */
    public ExplainTab() {
        super("Explain");
        ButtonGroup group = new ButtonGroup();
        // One flow of controls that wraps at the tab's width, each label kept with its control.
        controls.setAlignmentX(Component.LEFT_ALIGNMENT);
        controls.add(new JLabel("Method"));
        for (Method m : Method.values()) {
            JToggleButton b = new JToggleButton(displayName(m));
            b.setName("explain-" + m.id());
            b.setToolTipText(describe(m));
            b.addActionListener(e -> {
                if (!syncing) {
                    methodFallback = false;
                    change(settings.withMethod(m));
                }
            });
            group.add(b);
            methods.put(m, b);
            controls.add(b);
        }

        layer.setName("explain-layer");
        layer.setToolTipText("The layer whose feature maps a class activation map weighs (default: the last with feature maps)");
        layer.addActionListener(e -> {
            if (!syncing && layer.getSelectedItem() instanceof LayerChoice c) {
                change(settings.atLayer(c.name()));
            }
        });
        classes.setName("explain-class");
        classes.setToolTipText("The class to explain: the top-1 prediction, or another of the top " + CLASSES_OFFERED);
        classes.addActionListener(e -> {
            if (!syncing && classes.getSelectedItem() instanceof ClassChoice c) {
                // The first entry is the top-1 prediction: it follows the prediction from image to image.
                change(settings.forClass(classes.getSelectedIndex() == 0 ? null : c.index()));
            }
        });
        topChannels.setName("explain-top-channels");
        topChannels.setToolTipText("Score-CAM: use only this many channels, those that vary most over the map (faster); 0 uses all");
        ((JSpinner.DefaultEditor) topChannels.getEditor()).getTextField().setColumns(4);
        topChannels.addChangeListener(e -> {
            if (!syncing) {
                change(settings.withTopChannels((Integer) topChannels.getValue()));
            }
        });
        occlusionWindow.setName("explain-occlusion-window");
        occlusionWindow.setToolTipText("Occlusion: side of the square covered, in input pixels; 0 picks an eighth of the shorter side");
        occlusionStride.setName("explain-occlusion-stride");
        occlusionStride.setToolTipText("Occlusion: step between windows, in input pixels; 0 picks half the window");
        occlusionBaseline.setName("explain-occlusion-baseline");
        occlusionBaseline.setToolTipText("Occlusion: the value written into the covered pixels, in the model's input units"
                + " (after normalisation; 0 is the mean of a mean-centred input)");
        smoothGradNoise.setName("explain-smoothgrad-noise");
        smoothGradNoise.setToolTipText("SmoothGrad: standard deviation of the noise as a fraction of the input's value range"
                + " (the paper suggests 0.1 to 0.2)");
        smoothGradSamples.setName("explain-smoothgrad-samples");
        smoothGradSamples.setToolTipText("SmoothGrad: how many noisy copies to average (one gradient each)");
        for (JSpinner spinner : List.of(occlusionWindow, occlusionStride, occlusionBaseline, smoothGradNoise, smoothGradSamples)) {
            ((JSpinner.DefaultEditor) spinner.getEditor()).getTextField().setColumns(4);
            spinner.addChangeListener(e -> {
                if (!syncing) {
                    change(settings.withOcclusion(occlusionFromControls()).withSmoothGrad(smoothGradFromControls()));
                }
            });
        }
        controls.add(labelled("Layer", layer));
        controls.add(labelled("Class", classes));
        scoreCamControls.add(labelled("Score-CAM channels", topChannels));
        occlusionControls.add(labelled("Window", occlusionWindow));
        occlusionControls.add(labelled("Stride", occlusionStride));
        occlusionControls.add(labelled("Baseline", occlusionBaseline));
        smoothGradControls.add(labelled("Noise", smoothGradNoise));
        smoothGradControls.add(labelled("Samples", smoothGradSamples));
        scoreCamControls.setName("explain-scorecam-controls");
        occlusionControls.setName("explain-occlusion-controls");
        smoothGradControls.setName("explain-smoothgrad-controls");
        controls.add(scoreCamControls);
        controls.add(occlusionControls);
        controls.add(smoothGradControls);

        colormap.setName("explain-colormap");
        colormap.setToolTipText("Colours of the heatmap");
        colormap.setRenderer(new DefaultListCellRenderer() {
            @Override
            public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected, boolean focus) {
                Object text = value instanceof Colormap c ? c.name().toLowerCase(Locale.ROOT) : value;
                return super.getListCellRendererComponent(list, text, index, selected, focus);
            }
        });
        colormap.addActionListener(e -> {
            if (!syncing && colormap.getSelectedItem() instanceof Colormap c) {
                restyle(settings.withColormap(c));
            }
        });
        opacity.setName("explain-opacity");
        opacity.setToolTipText("How strongly the heatmap covers the image: 0 shows the image only, 100 the heatmap only");
        opacity.addChangeListener(e -> {
            if (!syncing) {
                restyle(settings.withOpacity(opacity.getValue() / 100f));
            }
        });
        faithfulness.setName("explain-faithfulness");
        faithfulness.setToolTipText("<html>Deletion and insertion curves (Petsiuk et al. 2018): the class's probability as the pixels the"
                + " map ranks highest<br>are removed (a faithful map makes it fall fast: low area) or put back into a blank input"
                + " (it rises fast: high area).<br>About a hundred more runs of the model.</html>");
        faithfulness.addActionListener(e -> {
            if (!syncing) {
                restyle(settings.withFaithfulness(faithfulness.isSelected()));
            }
        });
        opacity.setPreferredSize(new java.awt.Dimension(140, opacity.getPreferredSize().height));
        controls.add(labelled("Colormap", colormap));
        controls.add(labelled("Opacity", opacity));
        controls.add(faithfulness);

        info.setName("explain-info");
        info.setBorder(BorderFactory.createEmptyBorder(2, 6, 4, 6));
        info.setAlignmentX(Component.LEFT_ALIGNMENT);
        toolbar.setLayout(new BoxLayout(toolbar, BoxLayout.Y_AXIS));
        toolbar.add(controls);
        toolbar.add(info);
        toolbar.add(chart);
        // The wrapped rows' height follows the width: lay out again when the tab is resized.
        toolbar.addComponentListener(new java.awt.event.ComponentAdapter() {
            @Override
            public void componentResized(java.awt.event.ComponentEvent e) {
                if (controls.getPreferredSize().height != controls.getHeight()) {
                    toolbar.revalidate();
                }
            }
        });
        toolbar.setName("explain-toolbar");
        showControls();
    }

    @Override
    public JComponent toolbar() {
        return toolbar;
    }

    /** Explanations are expensive: never drawn ahead for neighbouring layers (the tab does not follow the layer list anyway). */
    @Override
    public boolean drawsAhead() {
        return false;
    }

    /** The settings the controls show. */
    public ExplainSettings settings() {
        return settings;
    }

    /**
     * Applies new settings as the controls would: the picture is redrawn, and the model runs again
     * only when the method, layer, class or Score-CAM channels changed (or the faithfulness curves
     * were asked for and not yet computed).
     */
    public void setSettings(ExplainSettings s) {
        Objects.requireNonNull(s, "settings");
        methodFallback = false;
        change(s);
    }

    /** The explanation shown now, if the tab shows one: the heatmap as the api's {@link Explainer} gave it. */
    public Optional<Explanation> shownExplanation() {
        return current == null ? Optional.empty() : Optional.ofNullable(explanations.get(current));
    }

    /** The faithfulness curves the chart draws now, if it draws any: those of the explanation shown. */
    Optional<Faithfulness> chartedFaithfulness() {
        return chart.isVisible() ? chart.curves() : Optional.empty();
    }

    /** The faithfulness curves of the explanation shown now, if they are computed. */
    public Optional<Faithfulness> shownFaithfulness() {
        return current == null || !settings.faithfulness() ? Optional.empty() : Optional.ofNullable(curves.get(current));
    }

    // ------------------------------------------------------------------ what to show

    @Override
    public TabContent content(PanelState s) {
        Model model = s.model().orElse(null);
        syncModel(model);
        current = null;
        if (model == null) {
            return say("Open a model to see which parts of an image drove its prediction.");
        }
        if (s.image().isEmpty()) {
            return say("Open an image: this tab shows which parts of it drove the model's prediction.");
        }
        if (s.runId().isEmpty()) {
            return say(s.runProblem().orElse("Running the model…"));
        }
        if (s.input().isEmpty() || s.preprocessing().isEmpty() || s.activations().isEmpty()) {
            return say("The model's input is not an image; explanations need one.");
        }
        long run = s.runId().getAsLong();
        Tensor output = s.activations().get().output();
        List<String> labels = labels(s.labels(), output);
        List<Prediction> ranked;
        try {
            ranked = Predictions.topK(output, 0, labels, classCount(output));
        } catch (FilterScopeException e) {
            return say("Cannot explain this model's output: " + e.getMessage());
        }
        syncRun(run, ranked, labels);

        Method method = settings.method();
        if (!allows(model, method)) {
            return say(unavailable(model, method));
        }
        String layerName = "";
        if (method.isCam()) {
            Optional<String> problem = Optional.empty();
            try {
                LayerInfo l = settings.layer().map(model::layer).orElseGet(() -> new Explainer(model).defaultLayer());
                layerName = l.name();
                if (!l.hasSpatialOutput()) {
                    problem = Optional.of("Layer '" + l.name() + "' outputs " + l.outputShape().map(Object::toString).orElse("no known shape")
                            + ", not feature maps (N×C×H×W), so " + displayName(method) + " cannot be computed at it.\n"
                            + "Choose a layer with feature maps, or Occlusion" + (hasGradients(model) ? ", Saliency or SmoothGrad" : "")
                            + ", which work on the input's pixels.");
                }
            } catch (FilterScopeException e) {
                problem = Optional.of(e.getMessage());
            }
            if (problem.isPresent()) {
                return say(problem.get());
            }
        }
        int k = settings.classIndex().orElse(ranked.get(0).index());
        if (k >= ranked.size()) {
            return say("Class " + k + " is out of range: the model has " + ranked.size() + " outputs (0 to " + (ranked.size() - 1) + ").");
        }
        Target target = Target.of(run, method, layerName, k, settings);
        String refused = refusals.get(target);
        if (refused != null) {
            return say(refused);
        }
        current = target;
        Prediction explained = ranked.stream().filter(p -> p.index() == k).findFirst().orElseThrow();
        showInfo(target, explained);

        PictureKey key = new PictureKey(target, settings.colormap(), settings.opacity(), settings.faithfulness());
        Tensor input = s.input().get();
        BufferedImage image = s.image().get();
        Preprocessing sized = s.preprocessing().get().forImage(image.getHeight(), image.getWidth(), FreeSize.DEFAULT);
        Paper paper = s.paper();
        boolean ready = explanations.containsKey(target) && (!key.faithfulness() || curves.containsKey(target));
        String what = ready ? "Drawing the explanation…"
                : "Explaining " + className(explained) + " with " + displayName(method) + (method.isCam() ? " at " + layerName : "") + "…";
        return TabContent.drawing(key, what, progress -> draw(model, input, sized, paper, key, explained, progress));
    }

    /** The background work: the explanation and its curves (kept), then the picture. */
    private ShownGrid draw(Model model, Tensor input, Preprocessing sized, Paper paper, PictureKey key, Prediction explained,
                           TabContent.Progress progress) {
        Target t = key.target();
        Explanation e = explanations.get(t);
        Faithfulness f = key.faithfulness() ? curves.get(t) : null;
        boolean computes = e == null || (key.faithfulness() && f == null);
        if (computes) {
            computing = t;
        }
        boolean done = false;
        try {
            Explainer explainer = new Explainer(model);
            double split = e == null && key.faithfulness() && f == null ? 0.6 : 1;
            if (e == null) {
                e = explainer.explain(input, t.request(), phase(progress, 0, split));
                explanations.put(t, e);
            }
            if (key.faithfulness() && f == null) {
                f = explainer.faithfulness(input, e, phase(progress, split == 1 ? 0 : split, 1));
                curves.put(t, f);
            }
            BufferedImage seen = Preprocessor.toImage(input, sized);
            ShownGrid picture = ExplainPicture.draw(e, seen, key.colormap(), key.opacity(), paper,
                    displayName(t.method()) + t.parameters() + (t.method().isCam() ? " at " + t.layer() : "") + ", " + className(explained));
            done = true;
            return picture;
        } catch (FilterScopeException refused) {
            // Shown by the panel this once (and told to its error handler); asked again, the tab says it without running.
            if (refused.kind() == ErrorKind.UNSUPPORTED || refused.kind() == ErrorKind.INVALID_ARGUMENT
                    || refused.kind() == ErrorKind.UNKNOWN_LAYER) {
                refusals.put(t, refused.getMessage());
            }
            throw refused;
        } finally {
            if (computes) {
                computing = null;
            }
            boolean succeeded = done;
            SwingUtilities.invokeLater(() -> computed(t, explained, succeeded));
        }
    }

    /** On the EDT after a drawing: the info line follows, and a restyle that waited for it is applied. */
    private void computed(Target t, Prediction explained, boolean succeeded) {
        if (t.equals(current)) {
            showInfo(t, explained);
        }
        boolean again = refreshWhenComputed && succeeded;
        refreshWhenComputed = false;
        if (again) {
            refresh();
        }
    }

    /** A message in place of the picture; the info line is cleared. */
    private TabContent say(String text) {
        info.setText(" ");
        chart.show(null);
        return TabContent.message(text);
    }

    /** The info line: what is shown, its score and, once computed, its faithfulness. */
    private void showInfo(Target t, Prediction p) {
        StringBuilder sb = new StringBuilder("<html>").append(displayName(t.method())).append(GridView.escape(t.parameters()));
        if (t.method().isCam()) {
            sb.append(" at <b>").append(GridView.escape(t.layer())).append("</b>");
        }
        sb.append(" for <b>").append(GridView.escape(className(p))).append("</b>, score ").append(ShownGrid.format(p.score()))
                .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * p.probability()));
        Explanation e = explanations.get(t);
        if (e != null && isFlat(e)) {
            sb.append(" · the map is the same everywhere: nothing here raises this class's score");
        }
        Faithfulness f = settings.faithfulness() ? curves.get(t) : null;
        if (f != null) {
            sb.append(String.format(Locale.ROOT, " · faithfulness: deletion AUC %.3f (lower is better), insertion AUC %.3f (higher is better)",
                    f.deletionArea(), f.insertionArea()));
        } else if (settings.faithfulness()) {
            sb.append(" · faithfulness: computing…");
        }
        info.setText(sb.append("</html>").toString());
        chart.show(f);
    }

    private static boolean isFlat(Explanation e) {
        float[] v = e.heatmap().values().toArray();
        for (float x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }

    /** A part of the drawing's progress, from {@code from} to {@code to}; cancelled when the drawing is no longer wanted. */
    private static Progress phase(TabContent.Progress progress, double from, double to) {
        return Progress.of((done, total) -> progress.report(from + (to - from) * done / Math.max(1, total)), progress::cancelled);
    }

    // ------------------------------------------------------------------ controls

    /** New settings that may need the model: shown, and the picture asked for again. */
    private void change(ExplainSettings s) {
        settings = s;
        showControls();
        refresh();
    }

    /**
     * New settings that only change how the explanation is drawn (or add its curves): while the
     * explanation shown is still being computed, the new look waits for it instead of starting it over.
     */
    private void restyle(ExplainSettings s) {
        settings = s;
        showControls();
        Target busy = computing;
        if (busy != null && busy.equals(current)) {
            refreshWhenComputed = true;
        } else {
            refresh();
        }
    }

    /** The controls show {@link #settings}, and which methods and choices the model allows. */
    private void showControls() {
        syncing = true;
        try {
            boolean gradients = syncedModel != null && hasGradients(syncedModel);
            for (Map.Entry<Method, JToggleButton> m : methods.entrySet()) {
                JToggleButton b = m.getValue();
                boolean allowed = syncedModel == null || allows(syncedModel, m.getKey());
                b.setEnabled(allowed);
                b.setToolTipText(allowed ? describe(m.getKey()) : unavailable(syncedModel, m.getKey()));
                b.setSelected(m.getKey() == settings.method());
            }
            boolean cam = settings.method().isCam();
            layer.setEnabled(cam && layer.getItemCount() > 0);
            String wanted = settings.layer().orElse(layer.getItemCount() > 0 ? layer.getItemAt(0).name() : null);
            for (int i = 0; i < layer.getItemCount(); i++) {
                if (layer.getItemAt(i).name().equals(wanted)) {
                    layer.setSelectedIndex(i);
                }
            }
            if (settings.layer().isPresent() && !settings.layer().get().equals(layerName(layer.getSelectedItem()))) {
                // A layer set from code that the box does not offer (no feature maps): shown, so the message has a visible cause.
                layer.addItem(new LayerChoice(settings.layer().get(), settings.layer().get() + " (no feature maps)"));
                layer.setSelectedIndex(layer.getItemCount() - 1);
            }
            selectClass();
            JComponent own = switch (settings.method()) {
                case SCORE_CAM -> scoreCamControls;
                case OCCLUSION -> occlusionControls;
                case SMOOTH_GRAD -> smoothGradControls;
                case GRAD_CAM, GRAD_CAM_PLUS_PLUS, LAYER_CAM, ABLATION_CAM, SALIENCY -> null;
            };
            boolean moved = false;
            for (JComponent group : List.of(scoreCamControls, occlusionControls, smoothGradControls)) {
                moved |= group.isVisible() != (group == own);
                group.setVisible(group == own);
            }
            if (moved) {
                controls.revalidate();
            }
            topChannels.setValue(settings.topChannels());
            occlusionWindow.setValue(settings.occlusion().window());
            occlusionStride.setValue(settings.occlusion().stride());
            occlusionBaseline.setValue((double) settings.occlusion().baseline());
            smoothGradNoise.setValue((double) settings.smoothGrad().noise());
            smoothGradSamples.setValue(settings.smoothGrad().samples());
            colormap.setSelectedItem(settings.colormap());
            opacity.setValue(Math.round(settings.opacity() * 100));
            faithfulness.setSelected(settings.faithfulness());
        } finally {
            syncing = false;
        }
    }

    private Occlusion occlusionFromControls() {
        return new Occlusion((Integer) occlusionWindow.getValue(), (Integer) occlusionStride.getValue(),
                ((Number) occlusionBaseline.getValue()).floatValue());
    }

    /** SmoothGrad's settings from its controls; the seed stays as set, so the same controls give the same map. */
    private SmoothGrad smoothGradFromControls() {
        return new SmoothGrad(((Number) smoothGradNoise.getValue()).floatValue(), (Integer) smoothGradSamples.getValue(),
                settings.smoothGrad().seed());
    }

    private static String layerName(Object choice) {
        return choice instanceof LayerChoice c ? c.name() : null;
    }

    private void selectClass() {
        if (classes.getItemCount() == 0) {
            return;
        }
        if (settings.classIndex().isEmpty()) {
            classes.setSelectedIndex(0);
            return;
        }
        int k = settings.classIndex().getAsInt();
        for (int i = 0; i < classes.getItemCount(); i++) {
            if (classes.getItemAt(i).index() == k) {
                classes.setSelectedIndex(i);
                return;
            }
        }
    }

    /** A new model: the layer box lists its layers with feature maps, and the methods it allows are enabled. */
    private void syncModel(Model model) {
        if (model == syncedModel) {
            return;
        }
        syncedModel = model;
        syncedRun = -1;
        explanations.clear();
        curves.clear();
        refusals.clear();
        syncing = true;
        try {
            layer.removeAllItems();
            classes.removeAllItems();
            if (model != null) {
                String fallback = null;
                try {
                    fallback = new Explainer(model).defaultLayer().name();
                } catch (FilterScopeException e) {
                    // No layer with feature maps: the box stays empty, CAMs say why.
                }
                List<LayerChoice> choices = new ArrayList<>();
                for (LayerInfo l : model.layers()) {
                    if (l.hasSpatialOutput()) {
                        String shape = l.outputShape().map(Object::toString).orElse("");
                        choices.add(new LayerChoice(l.name(), l.name() + "  " + shape + (l.name().equals(fallback) ? "  (default)" : "")));
                    }
                }
                // The default first, the rest from the output back: CAMs are mostly wanted near the output.
                String first = fallback;
                choices.sort((a, b) -> a.name().equals(first) ? -1 : b.name().equals(first) ? 1 : 0);
                if (choices.size() > 1) {
                    Collections.reverse(choices.subList(1, choices.size()));
                }
                choices.forEach(layer::addItem);
            }
        } finally {
            syncing = false;
        }
        ExplainSettings s = settings.atLayer(null).forClass(null);
        if (model != null) {
            boolean gradients = hasGradients(model);
            if (!allows(model, s.method())) {
                s = s.withMethod(Method.SCORE_CAM);
                methodFallback = true;
            } else if (methodFallback && gradients) {
                s = s.withMethod(ExplainSettings.defaults().method());
                methodFallback = false;
            }
        }
        settings = s;
        showControls();
    }

    /** A new run (or new labels): the class box offers the top classes of this image. */
    private void syncRun(long run, List<Prediction> ranked, List<String> labels) {
        if (run == syncedRun && labels.equals(syncedLabels)) {
            return;
        }
        syncedRun = run;
        syncedLabels = labels;
        syncing = true;
        try {
            classes.removeAllItems();
            for (int i = 0; i < Math.min(CLASSES_OFFERED, ranked.size()); i++) {
                Prediction p = ranked.get(i);
                classes.addItem(new ClassChoice(p.index(), (i == 0 ? "top-1: " : "") + className(p)
                        + String.format(Locale.ROOT, "  %.1f%%", 100.0 * p.probability())));
            }
            OptionalInt k = settings.classIndex();
            if (k.isPresent() && ranked.stream().limit(CLASSES_OFFERED).noneMatch(p -> p.index() == k.getAsInt())) {
                // A class chosen for an earlier image that is not among this one's top: still offered, with its probability here.
                ranked.stream().filter(p -> p.index() == k.getAsInt()).findFirst().ifPresent(p -> classes.addItem(new ClassChoice(p.index(),
                        className(p) + String.format(Locale.ROOT, "  %.1f%%", 100.0 * p.probability()))));
            }
        } finally {
            syncing = false;
        }
        showControls();
    }

    // ------------------------------------------------------------------ words

    /** The name people know a method by. */
    static String displayName(Method m) {
        return switch (m) {
            case GRAD_CAM -> "Grad-CAM";
            case GRAD_CAM_PLUS_PLUS -> "Grad-CAM++";
            case LAYER_CAM -> "LayerCAM";
            case SCORE_CAM -> "Score-CAM";
            case ABLATION_CAM -> "Ablation-CAM";
            case OCCLUSION -> "Occlusion";
            case SALIENCY -> "Saliency";
            case SMOOTH_GRAD -> "SmoothGrad";
        };
    }

    private static String describe(Method m) {
        String what = switch (m) {
            case GRAD_CAM -> "the layer's channels weighed by their mean gradient (Selvaraju et al. 2017)";
            case GRAD_CAM_PLUS_PLUS -> "pixel-wise weights from the gradient's second and third powers (Chattopadhay et al. 2018)";
            case LAYER_CAM -> "each position weighed by its own positive gradient (Jiang et al. 2021)";
            case SCORE_CAM -> "channels weighed by the class probability of the input masked by them (Wang et al. 2020);"
                    + " one run of the model per channel";
            case ABLATION_CAM -> "channels weighed by how much the class score drops when each is zeroed (Ramaswamy and Desai 2020);"
                    + " the network after the layer runs once per channel";
            case OCCLUSION -> "how much the score drops when a square of the input is covered (Zeiler and Fergus 2014);"
                    + " one run per window position";
            case SALIENCY -> "the largest absolute gradient of the class score over the input's channels (Simonyan et al. 2014)";
            case SMOOTH_GRAD -> "saliency averaged over noisy copies of the input (Smilkov et al. 2017); one gradient per copy";
        };
        return displayName(m) + ": " + what + (m.needsGradients() ? "; needs gradients" : "; forward passes only, any model");
    }

    /** Whether the model can compute method {@code m} at all (layers aside). */
    private static boolean allows(Model model, Method m) {
        if (m.needsGradients()) {
            return hasGradients(model);
        }
        return m != Method.ABLATION_CAM || model.capabilities().contains(Capability.RUN_FROM_LAYER);
    }

    /** Why the model cannot compute method {@code m}, and what to use instead. */
    private static String unavailable(Model model, Method m) {
        if (m.needsGradients()) {
            return noGradients(model, m);
        }
        String backend = model == null ? "this" : "the " + model.metadata().format();
        return displayName(m) + " runs the network from a layer, which " + backend + " backend cannot do for this model;"
                + " use Score-CAM or Occlusion.";
    }

    private static String noGradients(Model model, Method m) {
        String backend = model == null ? "this" : "the " + model.metadata().format();
        return displayName(m) + " needs gradients, which " + backend + " backend cannot compute for this model;"
                + " use Score-CAM or Occlusion, which need forward passes only.";
    }

    private static boolean hasGradients(Model model) {
        return model.capabilities().contains(Capability.GRADIENTS);
    }

    private static String className(Prediction p) {
        return p.label() == null || p.label().isBlank() || p.label().equals("class " + p.index()) ? "class " + p.index()
                : p.index() + " " + p.label();
    }

    /** The labels given to the panel; for a 1,000-way output without any, ImageNet's, as the predictions beside the picture. */
    private static List<String> labels(List<String> given, Tensor output) {
        return given.isEmpty() ? ImageNetClasses.forClasses(classCount(output)).orElse(given) : given;
    }

    private static int classCount(Tensor output) {
        long n = output.shape().rank() <= 1 ? output.size() : output.size() / Math.max(1, output.shape().dim(0));
        return (int) n;
    }

    /** A label and its control, kept on one row when the controls wrap. */
    private static JPanel labelled(String text, JComponent control) {
        JPanel p = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 0));
        p.add(new JLabel(text));
        p.add(control);
        return p;
    }

    private static <K, V> Map<K, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > KEPT;
            }
        });
    }
}
