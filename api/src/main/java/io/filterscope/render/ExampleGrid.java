package io.filterscope.render;

import io.filterscope.examples.Example;
import io.filterscope.examples.Patch;
import io.filterscope.examples.TopExamples;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Draws dataset examples ({@link TopExamples}) as a grid: one row per channel, its best images left
 * to right, each either whole with the patch under the strongest response outlined in red, or the
 * patch alone, enlarged. Every image is fetched once however many cells (and grids, with
 * {@link #drawAll}) show it, so memory stays at the grids plus one image.
 */
public final class ExampleGrid {
    /** What a cell shows. */
    public enum Content {
        /** The whole input the model saw, with the patch outlined. */
        IMAGES,
        /** The patch alone, enlarged to the cell. */
        PATCHES
    }

    private static final int GAP = 4;
    private static final int OUTLINE = 0xE02020;

    private ExampleGrid() {
    }

    /**
     * The grid.
     *
     * @param top     the examples
     * @param view    the picture the model saw for an image name (e.g. {@code Preprocessor.toImage}
     *                of its input), all of one size
     * @param patchOf the input patch of an example
     * @param content what a cell shows
     * @param tile    cell size in pixels
     * @param caption a line above the grid; empty for none
     */
    public static BufferedImage draw(TopExamples top, Function<String, BufferedImage> view, Function<Example, Patch> patchOf,
                                     Content content, int tile, String caption) {
        return drawAll(top, view, patchOf, Map.of(content, caption), tile).get(content);
    }

    /**
     * Several grids of the same examples at once (say, whole images and patches), fetching each
     * image once for all of them.
     *
     * @param captions what to draw, each with the line above its grid (empty for none)
     * @return the grids, by what their cells show
     */
    public static Map<Content, BufferedImage> drawAll(TopExamples top, Function<String, BufferedImage> view,
                                                      Function<Example, Patch> patchOf, Map<Content, String> captions, int tile) {
        Text text = Text.get();
        int rows = top.channelCount();
        int cols = top.k();
        int header = text.width(Integer.toString(Math.max(0, rows - 1))) + 2 * GAP;
        Map<Content, BufferedImage> grids = new EnumMap<>(Content.class);
        Map<Content, Integer> tops = new EnumMap<>(Content.class);
        for (Map.Entry<Content, String> c : captions.entrySet()) {
            String caption = c.getValue();
            int top0 = caption.isEmpty() ? GAP : text.lineHeight() + 2 * GAP;
            long width = header + (long) cols * (tile + GAP);
            long height = top0 + (long) rows * (tile + GAP);
            width = Math.max(width, caption.isEmpty() ? 1 : text.width(caption) + 2 * GAP);
            if (width * height > GridRenderer.MAX_PIXELS) {
                throw new io.filterscope.FilterScopeException(io.filterscope.ErrorKind.RESOURCE_LIMIT, "a grid of " + rows + " channels × "
                        + cols + " examples at " + tile + " pixels would be " + width + " × " + height + " pixels; ask for fewer examples");
            }
            BufferedImage grid = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = grid.createGraphics();
            try {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            } finally {
                g.dispose();
            }
            if (!caption.isEmpty()) {
                text.draw(grid, caption, GAP, GAP, 0x000000);
            }
            for (int row = 0; row < rows; row++) {
                String label = Integer.toString(row);
                text.draw(grid, label, header - GAP - text.width(label), top0 + row * (tile + GAP) + (tile - text.lineHeight()) / 2, 0x000000);
            }
            grids.put(c.getKey(), grid);
            tops.put(c.getKey(), top0);
        }
        Map<String, List<int[]>> cells = new LinkedHashMap<>();
        for (int c = 0; c < rows; c++) {
            List<Example> ex = top.channel(c);
            for (int r = 0; r < ex.size(); r++) {
                cells.computeIfAbsent(ex.get(r).image(), x -> new ArrayList<>()).add(new int[] {c, r});
            }
        }
        for (Map.Entry<String, List<int[]>> e : cells.entrySet()) {
            BufferedImage img = view.apply(e.getKey());
            for (int[] cell : e.getValue()) {
                Example ex = top.channel(cell[0]).get(cell[1]);
                Patch patch = patchOf.apply(ex);
                int x = header + cell[1] * (tile + GAP);
                for (Map.Entry<Content, BufferedImage> grid : grids.entrySet()) {
                    int y = tops.get(grid.getKey()) + cell[0] * (tile + GAP);
                    drawCell(grid.getValue(), img, patch, grid.getKey(), x, y, tile);
                }
            }
        }
        return grids;
    }

    private static void drawCell(BufferedImage grid, BufferedImage img, Patch patch, Content content, int x, int y, int tile) {
        Graphics2D g = grid.createGraphics();
        try {
            boolean enlarge = content == Content.PATCHES ? patch.height() <= tile && patch.width() <= tile
                    : img.getHeight() <= tile && img.getWidth() <= tile;
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, enlarge ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                    : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            if (content == Content.PATCHES) {
                if (patch.height() == 0 || patch.width() == 0) {
                    return;
                }
                double s = (double) tile / Math.max(patch.height(), patch.width());
                int w = (int) Math.round(patch.width() * s);
                int h = (int) Math.round(patch.height() * s);
                g.drawImage(img, x, y, x + w, y + h, patch.x0(), patch.y0(), patch.x1(), patch.y1(), null);
                return;
            }
            double s = (double) tile / Math.max(img.getHeight(), img.getWidth());
            int w = (int) Math.round(img.getWidth() * s);
            int h = (int) Math.round(img.getHeight() * s);
            g.drawImage(img, x, y, x + w, y + h, 0, 0, img.getWidth(), img.getHeight(), null);
            g.setColor(new Color(OUTLINE));
            g.setStroke(new BasicStroke(1f));
            int px = x + (int) Math.floor(patch.x0() * s);
            int py = y + (int) Math.floor(patch.y0() * s);
            int pw = Math.max(1, (int) Math.ceil(patch.x1() * s) - (int) Math.floor(patch.x0() * s) - 1);
            int ph = Math.max(1, (int) Math.ceil(patch.y1() * s) - (int) Math.floor(patch.y0() * s) - 1);
            g.drawRect(px, py, pw, ph);
        } finally {
            g.dispose();
        }
    }

    /**
     * A cell size for inputs of {@code height × width}: small inputs are enlarged by a whole factor to
     * at least 56 pixels, large ones shrunk to 112.
     */
    public static int tileFor(int height, int width) {
        int side = Math.max(1, Math.max(height, width));
        if (side >= 112) {
            return 112;
        }
        return side * Math.max(1, (56 + side - 1) / side);
    }
}
