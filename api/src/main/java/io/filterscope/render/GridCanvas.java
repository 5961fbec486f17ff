package io.filterscope.render;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * A grid laid out by {@link GridRenderer} but not painted, which paints any rectangle of itself on
 * demand: the pixels of {@link #paint(Rectangle)} are exactly those of the whole grid
 * ({@link #render()}) in that rectangle. For grids too large to paint whole every time they are
 * shown: a viewer paints the part on screen, and the whole grid only to save or copy it.
 *
 * <p>Immutable; painting may run on several threads at once.
 */
public final class GridCanvas {
    private final GridRenderer.Plan plan;
    private final int width;
    private final int height;
    private final List<RenderedGrid.Tile> tiles;

    GridCanvas(GridRenderer.Plan plan) {
        this.plan = plan;
        GridRenderer.Painted layout = plan.paint(new Rectangle());
        this.width = layout.width();
        this.height = layout.height();
        this.tiles = layout.grid().tiles();
    }

    /** Width of the whole grid in pixels. */
    public int width() {
        return width;
    }

    /** Height of the whole grid in pixels. */
    public int height() {
        return height;
    }

    /** Every tile, in drawing order, in the whole grid's coordinates (as {@link RenderedGrid#tiles()}). */
    public List<RenderedGrid.Tile> tiles() {
        return tiles;
    }

    /** The tile whose values cover pixel (x, y) of the whole grid; empty over gaps, labels and the colour bar. */
    public Optional<RenderedGrid.Tile> tileAt(int x, int y) {
        for (RenderedGrid.Tile t : tiles) {
            if (t.contains(x, y)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The pixels of the whole grid inside {@code region}, clipped to the grid: an image of the clipped
     * rectangle's size whose pixel (0, 0) is the grid's pixel at the clipped rectangle's corner.
     *
     * @throws IllegalArgumentException when the region does not meet the grid
     */
    public BufferedImage paint(Rectangle region) {
        Rectangle r = region.intersection(new Rectangle(width, height));
        if (r.isEmpty()) {
            throw new IllegalArgumentException("the region " + region + " lies outside the " + width + "×" + height + " grid");
        }
        return plan.paint(r).grid().image();
    }

    /** The whole grid, as {@link GridRenderer} draws it. */
    public RenderedGrid render() {
        return plan.paint(null).grid();
    }
}
