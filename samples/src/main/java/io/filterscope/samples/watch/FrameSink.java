package io.filterscope.samples.watch;

import java.awt.image.BufferedImage;

/** Where drawn training frames go: a window, a folder of PNGs, or both. Called on the drawing thread. */
interface FrameSink extends AutoCloseable {
    void accept(Snapshot snapshot, BufferedImage frame);

    /** Called once after the last frame; writes what is left (e.g. the GIF). */
    @Override
    void close();
}
