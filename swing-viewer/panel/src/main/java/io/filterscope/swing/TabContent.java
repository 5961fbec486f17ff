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
        return new Drawing(key, what, work);
    }

    /** @param text the message */
    record Message(String text) implements TabContent {
        public Message {
            Objects.requireNonNull(text, "text");
        }
    }

    /** See {@link TabContent#drawing}. */
    record Drawing(Object key, String what, Callable<ShownGrid> work) implements TabContent {
        public Drawing {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(work, "work");
        }
    }
}
