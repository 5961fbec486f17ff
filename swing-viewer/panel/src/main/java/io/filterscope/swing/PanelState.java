package io.filterscope.swing;

import io.filterscope.model.Activations;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.render.Paper;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link FilterScopePanel} shows, as a {@link PanelTab} sees it: the model, the image, the
 * selected layer, the settings, and the model's run on the image (one run per image and preset,
 * with every spatial layer captured). Taken on the event dispatch thread and never changed, so a
 * tab's background work may use the values it took from it. The model is the panel's: use it in
 * the work the panel runs, never after {@link FilterScopePanel#whenIdle()} following its replacement.
 */
public final class PanelState {
    private final Scene scene;

    PanelState(Scene scene) {
        this.scene = scene;
    }

    /** The model shown, if any. */
    public Optional<Model> model() {
        return Optional.ofNullable(scene.model());
    }

    /** The input image as given, if any. */
    public Optional<BufferedImage> image() {
        return Optional.ofNullable(scene.image());
    }

    /** The selected layer; another layer when the panel asks for a picture to draw ahead. */
    public Optional<LayerInfo> layer() {
        return Optional.ofNullable(scene.layer());
    }

    /** The toolbar's settings (colormap, normalization, channels, zoom, preset). */
    public ViewSettings settings() {
        return scene.settings();
    }

    /**
     * What the panel draws its grids on: {@link Paper#WHITE} in a light look and feel, the theme's
     * background and text colours in a dark one. Draw with {@code style.withPaper(state.paper())}
     * so a tab's pictures match the others (the panel keeps pictures per paper).
     */
    public Paper paper() {
        return scene.paper();
    }

    /** The class names given with {@link FilterScopePanel#setLabels}; empty when none were. */
    public List<String> labels() {
        return scene.labels();
    }

    /**
     * Identifies the model's run on the image: equal for the same run, different after another
     * image or preset. Put it in a drawing's key when the picture depends on the image. Empty while
     * the model runs, or when it could not (see {@link #runProblem()}).
     */
    public OptionalLong runId() {
        return scene.capture() == null ? OptionalLong.empty() : OptionalLong.of(scene.capture().source());
    }

    /**
     * The run's outputs: every spatial layer and the model's output (the prediction). The panel owns
     * them and draws from them for as long as the run is shown, and a tab's work may still read them
     * after a newer run: never close them (closing would make every read of them throw).
     */
    public Optional<Activations> activations() {
        return Optional.ofNullable(scene.capture()).map(Capture::activations);
    }

    /** The tensor the model ran on: the image after preprocessing, batch 1, in the model's layout. */
    public Optional<Tensor> input() {
        return Optional.ofNullable(scene.capture()).map(Capture::input);
    }

    /**
     * How the preset turns an image into the model's input; for a model with a free height and
     * width, {@link #input()} has the size chosen for this image.
     */
    public Optional<Preprocessing> preprocessing() {
        return Optional.ofNullable(scene.capture()).map(Capture::preprocessing);
    }

    /** Why there is no run when the model failed on the image or the person cancelled it; empty otherwise. */
    public Optional<String> runProblem() {
        return Optional.ofNullable(scene.captureProblem());
    }
}
