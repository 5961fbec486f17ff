package io.filterscope.swing;

import java.util.Objects;
import javax.swing.JComponent;

/**
 * A tab of the host application's own in a {@link FilterScopePanel}, after Filters, Feature maps and
 * Model: an explanation of the prediction, a model's dataset examples, a statistic of your own. It
 * says <em>what</em> to show for the panel's {@link PanelState}; the panel does the rest as for its
 * own tabs: it asks again whenever the model, image, preset, layer or settings change, runs the
 * drawing in the background with the status line's progress and Cancel (a newer request supersedes
 * an older one, and {@link FilterScopePanel#whenIdle()} waits for it), keeps drawn pictures under the
 * tab's keys, draws the neighbouring layers ahead at low priority, and gives the picture zoom,
 * tooltips, the tile window, Save view as PNG and Copy.
 *
 * <pre>{@code
 * panel.addTab(new PanelTab("Strongest channel") {
 *     public TabContent content(PanelState s) {
 *         Optional<LayerOutput> out = s.layer().flatMap(l -> s.activations().flatMap(a -> a.layer(l.name())))
 *                 .filter(LayerOutput::isSpatial);
 *         if (out.isEmpty()) {
 *             return TabContent.message("Select a layer with feature maps.");
 *         }
 *         LayerOutput o = out.get();
 *         // The key holds everything the picture depends on besides the model: the run and the layer.
 *         return TabContent.drawing(List.of(s.runId().getAsLong(), o.layer().name()), "Drawing…", () -> {
 *             FeatureMaps maps = o.featureMaps(0);
 *             return ShownGrid.of(maps, GridStyle.featureMaps(), GridRenderer.topChannels(maps, 1, true));
 *         });
 *     }
 * });
 * }</pre>
 *
 * <p>Long work (an explanation, a folder of images) uses
 * {@link TabContent#drawing(Object, String, TabContent.Work)}: its {@link TabContent.Progress} moves the
 * status line's bar and says when the picture is no longer wanted (Cancel, a newer request, another
 * model), so the work can stop early.
 *
 * <p>A tab with settings of its own (a method, a class, an opacity) returns them from
 * {@link #toolbar()}, shown above its picture, and calls {@link #refresh()} when they change.
 * {@link #content} and {@link #toolbar()} are called on the event dispatch thread; only a
 * {@link TabContent.Drawing}'s work runs in the background. One instance belongs to one panel.
 */
public abstract class PanelTab {
    private final String title;
    /** Set by the panel when the tab is added. */
    private Runnable refresh;

    /** @param title the tab's title */
    protected PanelTab(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    /** The tab's title. */
    public final String title() {
        return title;
    }

    /**
     * What to show for the panel's state: a {@linkplain TabContent#message message} (why there is no
     * picture, or what to do), or a {@linkplain TabContent#drawing drawing} run in the background
     * unless a picture is kept under its key. Called on the event dispatch thread, also for
     * neighbouring layers ({@link PanelState#layer()} is then another layer) when the panel draws
     * ahead; it must be cheap and must not change what the tab shows.
     */
    public abstract TabContent content(PanelState state);

    /** Controls of the tab's own, shown above its picture; {@code null} (the default) for none. Called once. */
    public JComponent toolbar() {
        return null;
    }

    /**
     * Whether the panel may draw this tab's pictures of the layers above and below the selected
     * one ahead of time, at low priority, so stepping through layers finds them drawn. True by
     * default; a tab whose pictures are expensive (an explanation) returns false.
     */
    public boolean drawsAhead() {
        return true;
    }

    /**
     * Asks the panel for this tab's {@link #content} again, e.g. after one of its own controls
     * changed; the picture is redrawn unless one is kept under the new key. On the event dispatch
     * thread; nothing happens before the tab is added to a panel.
     */
    protected final void refresh() {
        if (refresh != null) {
            refresh.run();
        }
    }

    /** Called by the panel that adds the tab. */
    final void attach(Runnable refresh) {
        if (this.refresh != null) {
            throw new IllegalStateException("the tab '" + title + "' is already in a panel");
        }
        this.refresh = refresh;
    }
}
