package io.filterscope.samples.watch;

import io.filterscope.render.Png;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes each frame as {@code frame-0001.png}, … and, at the end, all of them as {@code training.gif}. */
final class FrameFolder implements FrameSink {
    /** The GIF's frame time: about 6 frames a second. */
    static final int GIF_DELAY_MILLIS = 160;
    private final Path folder;
    private final List<BufferedImage> frames = new ArrayList<>();

    FrameFolder(Path folder) {
        this.folder = folder;
    }

    @Override
    public void accept(Snapshot snapshot, BufferedImage frame) {
        frames.add(frame);
        Png.write(frame, folder.resolve(String.format("frame-%04d.png", frames.size())));
    }

    int frames() {
        return frames.size();
    }

    @Override
    public void close() {
        if (!frames.isEmpty()) {
            AnimatedGif.write(frames, GIF_DELAY_MILLIS, folder.resolve("training.gif"));
        }
    }
}
