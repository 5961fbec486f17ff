package io.filterscope.swing;

import com.google.common.base.Preconditions;

/**
 * Which feature-map channels a {@link FilterScopePanel} draws: all, or the strongest few.
 *
 * @param mode  all channels, or the top {@code count} by mean or by maximum activation
 * @param count how many channels for the top modes (at least 1); ignored for {@link Mode#ALL}
 */
public record ChannelSelection(Mode mode, int count) {

    /** How channels are chosen. */
    public enum Mode {
        /** Every channel, in index order. */
        ALL,
        /** The channels with the largest mean activation, strongest first. */
        TOP_MEAN,
        /** The channels with the largest maximum activation, strongest first. */
        TOP_MAX
    }

    /** The count a top selection starts with when none is given. */
    public static final int DEFAULT_COUNT = 16;

    public ChannelSelection {
        Preconditions.checkNotNull(mode, "mode");
        Preconditions.checkArgument(mode == Mode.ALL || count >= 1, "a top-N selection needs N >= 1, got %s", count);
    }

    /** Every channel. */
    public static ChannelSelection all() {
        return new ChannelSelection(Mode.ALL, DEFAULT_COUNT);
    }

    /** The {@code count} strongest channels by {@code mode} ({@link Mode#TOP_MEAN} or {@link Mode#TOP_MAX}). */
    public static ChannelSelection top(Mode mode, int count) {
        Preconditions.checkArgument(mode != Mode.ALL, "top() needs TOP_MEAN or TOP_MAX; use all() for every channel");
        return new ChannelSelection(mode, count);
    }
}
