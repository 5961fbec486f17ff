package io.filterscope.swing;

import io.filterscope.explain.Explanation;
import io.filterscope.explain.Heatmap;
import io.filterscope.model.ChannelStats;
import io.filterscope.render.Colormap;
import io.filterscope.render.Paper;
import io.filterscope.render.RenderedGrid;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The Explain tab's picture: the heatmap over the input as the model saw it, and the heatmap alone,
 * side by side; drawn as the command line's {@code explain} writes its two PNGs (inputs under 224
 * pixels enlarged pixel for pixel by a whole factor, {@link Heatmap#overlay} for the first and the
 * upsampled map in the colormap for the second), so the viewer and the files agree.
 */
final class ExplainPicture {
    /** Pictures of inputs smaller than this (on their shorter side) are enlarged by a whole factor, as on the command line. */
    static final int MIN_SIDE = 224;
    /** Paper between the two pictures. */
    static final int GAP = 12;

    private ExplainPicture() {
    }

    /** The whole factor by which an input of this size is enlarged. */
    static int scale(int height, int width) {
        int side = Math.min(height, width);
        return Math.max(1, (MIN_SIDE + side - 1) / side);
    }

    /**
     * Draws the picture.
     *
     * @param e     the explanation
     * @param seen  the input as the model saw it (the preprocessed tensor as an image)
     * @param title the tile window's title, e.g. "Grad-CAM at conv3, class 9"
     */
    static ShownGrid draw(Explanation e, BufferedImage seen, Colormap cmap, float opacity, Paper paper, String title) {
        int h = e.inputHeight();
        int w = e.inputWidth();
        int s = scale(h, w);
        BufferedImage overlay = e.heatmap().overlay(enlarge(seen, s), cmap, opacity);
        BufferedImage alone = e.heatmap().upsampled(h * s, w * s).image(cmap);
        BufferedImage out = new BufferedImage(2 * w * s + GAP, h * s, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        try {
            g.setColor(new java.awt.Color(paper.background()));
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(overlay, 0, 0, null);
            g.drawImage(alone, w * s + GAP, 0, null);
        } finally {
            g.dispose();
        }
        List<RenderedGrid.Tile> tiles = List.of(new RenderedGrid.Tile(0, 0, -1, 0, 0, h, w, s),
                new RenderedGrid.Tile(1, 1, -1, w * s + GAP, 0, h, w, s));
        return new ShownGrid(title, new RenderedGrid(out, tiles), new Values(e.upsampled().normalized(), e.upsampled()));
    }

    /** Nearest-neighbour enlargement by a whole factor: every input pixel stays a square. */
    static BufferedImage enlarge(BufferedImage img, int scale) {
        if (scale == 1) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x / scale, y / scale));
            }
        }
        return out;
    }

    /**
     * The numbers under the pointer: both tiles show the map at the input's resolution, normalised to
     * [0, 1] as drawn, with the method's own (raw) value beside it.
     */
    private record Values(Heatmap normalized, Heatmap raw) implements ShownGrid.Values {
        @Override
        public String name(RenderedGrid.Tile tile) {
            return tile.index() == 0 ? "heatmap over the input" : "heatmap";
        }

        @Override
        public String valueAt(RenderedGrid.Tile tile, int row, int column) {
            return ShownGrid.format(normalized.values().get(row, column)) + " as drawn, 0 to 1 (the method's value "
                    + ShownGrid.format(raw.values().get(row, column)) + ")";
        }

        @Override
        public ChannelStats stats(RenderedGrid.Tile tile) {
            float[] v = normalized.values().toArray();
            return ChannelStats.of(v, 0, v.length);
        }
    }
}
