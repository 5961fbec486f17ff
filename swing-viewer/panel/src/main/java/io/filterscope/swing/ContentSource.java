package io.filterscope.swing;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import javax.swing.JComponent;

/**
 * One tab in the middle of a {@link FilterScopePanel}, as the panel's core sees it: what it shows for the panel's {@link Scene},
 * how that is drawn, and under which key a drawn picture is cached. The panel's core does the rest
 * for every source alike: it asks the tab in front for its {@link Content} whenever the scene
 * changes, shows a cached grid or runs the drawing on the source's {@link Background.Lane}, and,
 * at low priority, draws ahead the nearest layers above and below that have a picture on this tab.
 *
 * <p>The panel's own tabs are sources; a host's (or a later built-in) tab is a public {@link PanelTab},
 * which the panel wraps in one ({@link HostTabSource}); see docs/design.md. Methods are called on the event dispatch
 * thread; only a {@link Content.Drawing}'s work runs in the background.
 */
interface ContentSource {

    /** What a source shows for a scene. */
    sealed interface Content permits Content.Message, Content.Drawing, Content.Fixed {
        /** A plain message in place of a picture: why there is none, or what to do. */
        record Message(String text) implements Content {
        }

        /**
         * A grid to draw, unless one is cached under {@code key}.
         *
         * @param key     everything the picture depends on (a record; equal keys mean equal pictures)
         * @param what    the status line while it is drawn, e.g. "Drawing the filters of conv1…"
         * @param cannot  the message's first line when drawing fails, e.g. "Cannot draw the filters of conv1"
         * @param work    the drawing, run in the background; it must use only what it captured
         * @param current whether a picture drawn ahead for the scene it was made for still belongs to
         *                {@code now}, the scene when it is done (else it is not cached)
         */
        record Drawing(Object key, String what, String cannot, TabContent.Work work, Predicate<Scene> current)
                implements Content {
            /** A drawing whose work neither reports progress nor stops early. */
            Drawing(Object key, String what, String cannot, Callable<ShownGrid> work, Predicate<Scene> current) {
                this(key, what, cannot, progress -> work.call(), current);
            }
        }

        /** The source keeps its own content up to date (the Model tab is filled when the model is set). */
        record Fixed() implements Content {
        }
    }

    /** The public name of this tab; null for a tab that has none yet (a package-internal one). */
    ViewTab tab();

    /** The tab's title. */
    String title();

    /** What the tab shows. */
    JComponent component();

    /** Whether the panel may draw the neighbouring layers' pictures ahead, at low priority. */
    default boolean drawsAhead() {
        return true;
    }

    /** The lane of this source's background work: a newer request supersedes an older one. */
    Background.Lane lane();

    /** What to show for {@code scene}; cheap, slow work goes into a {@link Content.Drawing}. */
    Content content(Scene scene);

    /** Shows a message in place of a picture. */
    void say(String text);

    /** Shows a grid drawn for this source's latest {@link Content.Drawing}. */
    default void show(ShownGrid grid) {
        throw new UnsupportedOperationException(title() + " shows no grids");
    }

    /** The grid on screen, if this tab shows one (what Save and Copy take). */
    default Optional<ShownGrid> grid() {
        return Optional.empty();
    }

    /** The grid view, if this tab has one: the panel wires zoom, tile clicks and the popup menu to it. */
    default Optional<GridView> gridView() {
        return Optional.empty();
    }

    /**
     * The model changed (it may be null); nothing of the old one may stay on screen. A source with
     * content of its own (the Model tab) fills it here, running slow work on {@code background} in
     * its {@link #lane()}.
     */
    default void modelChanged(Scene scene, Background background) {
        say("");
    }

    /** The model runs again (another image or preset) or was dropped: content drawn from the old run must go. */
    default void captureChanged(Scene scene) {
    }

    /**
     * The person cancelled the pending work; {@code ownWork} when this source's latest request was among it.
     * The scene already says why a cancelled capture is missing.
     */
    default void cancelled(Scene scene, boolean ownWork) {
        if (content(scene) instanceof Content.Message m) {
            say(m.text());
        } else if (ownWork) {
            say("Drawing cancelled; select the layer again to draw it.");
        }
    }
}
