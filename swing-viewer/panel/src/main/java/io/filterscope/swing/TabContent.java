package io.filterscope.swing;

import java.util.Objects;
import java.util.concurrent.Callable;

/** What a {@link PanelTab} shows for a {@link PanelState}: a message, or a picture to draw in the background. */
public sealed interface TabContent permits TabContent.Message, TabContent.Drawing {

    /** A plain message in place of a picture: why there is none, or what to do. Line breaks are kept. */
    static TabContent message(String text) {
        return new Message(text);
    }

    /**
     * A picture, drawn by {@code work} in the background unless the panel keeps one under an equal
     * {@code key}.
     *
     * @param key  everything the picture depends on besides the model (the panel keeps pictures per
     *             model and tab): the layer, the settings used, {@link PanelState#runId()} when it
     *             depends on the image; equal keys must mean equal pictures (a record or a list)
     * @param what the status line while it is drawn, e.g. "Explaining class 9 at conv3…"
     * @param work the drawing, run off the event dispatch thread; it must use only what it captured
     *             (values taken from the state), not the panel. A failure is shown in the tab as
     *             "Cannot draw …" with its message, and goes to the panel's error handler.
     */
    static TabContent drawing(Object key, String what, Callable<ShownGrid> work) {
        Objects.requireNonNull(work, "work");
        return new Drawing(key, what, progress -> work.call());
    }

    /**
     * A picture whose drawing takes long (an explanation, a folder of images): as
     * {@link #drawing(Object, String, Callable)}, and the work is handed a {@link Progress} to report
     * how far it is (the status line's bar shows it) and to ask whether the picture is still wanted,
     * so it can stop early when the person cancelled or asked for something else.
     */
    static TabContent drawing(Object key, String what, Work work) {
        return new Drawing(key, what, work);
    }

    /** A drawing's work, run off the event dispatch thread. */
    @FunctionalInterface
    interface Work {
        /** Draws the picture; {@code progress} reports how far it is and whether it is still wanted. */
        ShownGrid draw(Progress progress) throws Exception;
    }

    /** Handed to a drawing's work: any thread may call it. */
    interface Progress {
        /**
         * Whether the picture is no longer wanted: a newer request on the tab, Cancel, or another
         * model. Its result would be dropped, so long work checks this now and then and returns
         * (anything, or throws) early.
         */
        boolean cancelled();

        /** How far the work is, from 0 to 1; the status line's bar shows it while this drawing is the newest. */
        void report(double fraction);
    }

    /** @param text the message */
    record Message(String text) implements TabContent {
        public Message {
            Objects.requireNonNull(text, "text");
        }
    }

    /** See {@link TabContent#drawing}. */
    record Drawing(Object key, String what, Work work) implements TabContent {
        public Drawing {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(work, "work");
        }
    }
}
