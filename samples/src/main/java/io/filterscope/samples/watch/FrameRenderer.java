package io.filterscope.samples.watch;

import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Draws a snapshot as one picture: a caption, the filters and the feature maps side by side, both
 * with FilterScope's own grid renderer, so each frame is what the viewer and the CLI would draw.
 */
final class FrameRenderer {
    private static final int MARGIN = 8;
    private static final int CAPTION = 22;
    private final GridStyle filterStyle;
    private final GridStyle mapStyle;

    /** @param colormap the feature maps' colormap */
    FrameRenderer(Colormap colormap) {
        // Weights are signed: the filters keep their default diverging colormap, centred on zero.
        // The frame has its own caption (iteration, accuracy); the grids' own would repeat the layer names.
        this.filterStyle = GridStyle.filters().withTileScale(12).withCaption(false);
        this.mapStyle = GridStyle.featureMaps().withColormap(colormap).withTileScale(3).withCaption(false);
    }

    BufferedImage render(Snapshot s) {
        BufferedImage filters = GridRenderer.filters(s.filters(), filterStyle);
        BufferedImage maps = GridRenderer.featureMaps(s.maps(), mapStyle);
        int width = MARGIN * 3 + filters.getWidth() + maps.getWidth();
        int height = MARGIN * 2 + CAPTION + Math.max(filters.getHeight(), maps.getHeight());
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(String.format("%s  ·  iteration %d  ·  epoch %d  ·  loss %.3f",
                    s.filters().layer(), s.iteration(), s.epoch(), s.loss()), MARGIN, MARGIN + 13);
            g.drawImage(filters, MARGIN, MARGIN + CAPTION, null);
            g.drawImage(maps, MARGIN * 2 + filters.getWidth(), MARGIN + CAPTION, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
