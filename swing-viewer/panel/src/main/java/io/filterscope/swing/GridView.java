package io.filterscope.swing;

import io.filterscope.render.RenderedGrid;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.DoubleConsumer;
import javax.swing.JViewport;
import javax.swing.JComponent;
import javax.swing.Scrollable;
import javax.swing.SwingConstants;
import javax.swing.ToolTipManager;

/**
 * Shows a rendered grid at a zoom, crisply: nearest-neighbour scaling straight to device pixels, so
 * on a HiDPI screen a value square stays a sharp square instead of being scaled twice and blurred.
 * Tells which tile is under the pointer (tooltip with its statistics) and reports clicks on tiles.
 *
 * <p>At a set zoom, or fitted: then the grid is magnified to fill the viewport it sits in as far as
 * whole screen pixels per image pixel allow (shrunk when it is larger), and follows the viewport's size.
 *
 * <p>A {@linkplain ShownGrid#piecewise piecewise} grid is painted as it is shown: only the image
 * pixels inside the area being repainted, so the first picture of a wide layer costs a viewport's
 * worth of pixels, not the whole grid's.
 */
final class GridView extends JComponent implements Scrollable {
    private ShownGrid shown;
    private double zoom = 1;
    private boolean fit;
    /** The magnification last told to {@link #onZoomShown}, to tell only changes. */
    private double told = Double.NaN;
    private DoubleConsumer onZoomShown = z -> { };
    private BiConsumer<ShownGrid, RenderedGrid.Tile> onTileClicked = (g, t) -> { };
    /** Image pixels a piecewise grid is painted in at a time, at most (16 MB as RGB). */
    static final long BAND_PIXELS = 4L << 20;
    /** The part of a piecewise grid painted last: its grid, its rectangle in image pixels, its pixels. */
    private ShownGrid paintedFrom;
    private Rectangle painted;
    private BufferedImage paintedImage;

    GridView() {
        setOpaque(false); // the image carries its own background; the margin shows the viewport's
        ToolTipManager.sharedInstance().registerComponent(this);
        addMouseListener(new MouseAdapter() {
            @Override
            public void mouseClicked(MouseEvent e) {
                if (e.getButton() == MouseEvent.BUTTON1) {
                    tileAt(e.getPoint()).ifPresent(t -> onTileClicked.accept(shown, t));
                }
            }
        });
    }

    void show(ShownGrid grid) {
        this.shown = grid;
        zoomChanged();
    }

    Optional<ShownGrid> shown() {
        return Optional.ofNullable(shown);
    }

    /** The zoom used when not {@linkplain #setFit fitted}. */
    void setZoom(double z) {
        if (z != zoom) {
            zoom = z;
            zoomChanged();
        }
    }

    /** Whether the grid is fitted to the viewport rather than shown at the set zoom. */
    void setFit(boolean f) {
        if (f != fit) {
            fit = f;
            zoomChanged();
        }
    }

    boolean fit() {
        return fit;
    }

    /** The magnification in effect: the set zoom, or the one that fits the grid into the viewport. */
    double zoom() {
        if (!fit || shown == null) {
            return zoom;
        }
        int w = getParent() instanceof JViewport v ? v.getWidth() : getWidth();
        int h = getParent() instanceof JViewport v ? v.getHeight() : getHeight();
        double z = ViewSettings.fit(shown.width(), shown.height(), w, h);
        // A grid painted piece by piece is never shrunk to fit: shrunk, a wide layer's tiles are
        // unreadable, and every repaint would paint most of its tens of megapixels.
        return shown.isPiecewise() ? Math.max(1, z) : z;
    }

    /** Told on the EDT the magnification in effect whenever it changes (the zoom control shows it). */
    void onZoomShown(DoubleConsumer action) {
        this.onZoomShown = action;
    }

    /** The viewport changed size: a fitted grid follows it. */
    void viewportResized() {
        if (fit) {
            zoomChanged();
        }
    }

    private void zoomChanged() {
        revalidate();
        repaint();
        double z = zoom();
        if (Double.compare(z, told) != 0) {
            told = z;
            onZoomShown.accept(z);
        }
    }

    void onTileClicked(BiConsumer<ShownGrid, RenderedGrid.Tile> action) {
        this.onTileClicked = action;
    }

    /** The image pixel under a point of this component, in image coordinates. */
    Point imagePixel(Point p) {
        double z = zoom();
        return new Point((int) Math.floor(p.x / z), (int) Math.floor(p.y / z));
    }

    /** Where image pixel (x, y) starts on this component. */
    Point componentPoint(int x, int y) {
        double z = zoom();
        return new Point((int) Math.ceil(x * z), (int) Math.ceil(y * z));
    }

    Optional<RenderedGrid.Tile> tileAt(Point p) {
        if (shown == null) {
            return Optional.empty();
        }
        Point px = imagePixel(p);
        return shown.tileAt(px.x, px.y);
    }

    @Override
    public String getToolTipText(MouseEvent e) {
        return tileAt(e.getPoint()).map(this::tooltip).orElse(null);
    }

    /** The tooltip of a tile: which channel or filter it is and its statistics. */
    String tooltip(RenderedGrid.Tile t) {
        ShownGrid.Values v = shown.values();
        return "<html><b>" + escape(v.name(t)) + "</b><br>" + escape(ShownGrid.describe(v.stats(t)))
                + "<br>click to enlarge</html>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public Dimension getPreferredSize() {
        if (shown == null) {
            return new Dimension(0, 0);
        }
        double z = zoom();
        return new Dimension((int) Math.ceil(shown.width() * z), (int) Math.ceil(shown.height() * z));
    }

    @Override
    protected void paintComponent(Graphics g) {
        if (shown == null) {
            return;
        }
        if (shown.isPiecewise()) {
            paintPiecewise(g);
            return;
        }
        BufferedImage img = shown.grid().image();
        double zoom = zoom();
        Graphics2D g2 = (Graphics2D) g.create();
        try {
            AffineTransform t = g2.getTransform();
            // Only a pure scale + translation can be drawn at device pixels; anything else (a
            // printer's rotation) is drawn through the transform.
            if (t.getShearX() == 0 && t.getShearY() == 0) {
                double sx = t.getScaleX();
                double sy = t.getScaleY();
                g2.setTransform(AffineTransform.getTranslateInstance(Math.round(t.getTranslateX()), Math.round(t.getTranslateY())));
                g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
                g2.drawImage(img, 0, 0, (int) Math.round(img.getWidth() * zoom * sx), (int) Math.round(img.getHeight() * zoom * sy), null);
            } else {
                g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
                g2.drawImage(img, 0, 0, (int) Math.round(img.getWidth() * zoom), (int) Math.round(img.getHeight() * zoom), null);
            }
        } finally {
            g2.dispose();
        }
    }

    /**
     * Paints the part of a piecewise grid that the clip shows: only those image pixels are painted,
     * in bands of at most {@link #BAND_PIXELS} (zoomed far out, the clip can cover most of the grid).
     * The last part painted is kept, for repaints of the same area (tooltips, the popup menu).
     */
    private void paintPiecewise(Graphics g) {
        Rectangle clip = g.getClipBounds() != null ? g.getClipBounds() : new Rectangle(getWidth(), getHeight());
        double zoom = zoom();
        int ix0 = Math.max(0, (int) Math.floor(clip.x / zoom));
        int iy0 = Math.max(0, (int) Math.floor(clip.y / zoom));
        int ix1 = Math.min(shown.width(), (int) Math.ceil((clip.x + clip.width) / zoom));
        int iy1 = Math.min(shown.height(), (int) Math.ceil((clip.y + clip.height) / zoom));
        if (ix0 >= ix1 || iy0 >= iy1) {
            return;
        }
        int bandRows = (int) Math.max(1, Math.min(iy1 - iy0, BAND_PIXELS / (ix1 - ix0)));
        Graphics2D g2 = (Graphics2D) g.create();
        try {
            AffineTransform t = g2.getTransform();
            double sx = 1;
            double sy = 1;
            if (t.getShearX() == 0 && t.getShearY() == 0) {
                // As for a whole image: straight to device pixels (see paintComponent).
                sx = t.getScaleX();
                sy = t.getScaleY();
                g2.setTransform(AffineTransform.getTranslateInstance(Math.round(t.getTranslateX()), Math.round(t.getTranslateY())));
            }
            g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int y = iy0; y < iy1; y += bandRows) {
                Rectangle part = new Rectangle(ix0, y, ix1 - ix0, Math.min(bandRows, iy1 - y));
                BufferedImage img;
                if (shown == paintedFrom && part.equals(painted)) {
                    img = paintedImage;
                } else {
                    img = shown.region(part);
                    paintedFrom = shown;
                    painted = part;
                    paintedImage = img;
                }
                int dx0 = (int) Math.round(part.x * zoom * sx);
                int dy0 = (int) Math.round(part.y * zoom * sy);
                int dx1 = (int) Math.round((part.x + part.width) * zoom * sx);
                int dy1 = (int) Math.round((part.y + part.height) * zoom * sy);
                g2.drawImage(img, dx0, dy0, dx1 - dx0, dy1 - dy0, null);
            }
        } finally {
            g2.dispose();
        }
    }

    @Override
    public Dimension getPreferredScrollableViewportSize() {
        return getPreferredSize();
    }

    @Override
    public int getScrollableUnitIncrement(Rectangle visibleRect, int orientation, int direction) {
        return 16;
    }

    @Override
    public int getScrollableBlockIncrement(Rectangle visibleRect, int orientation, int direction) {
        return orientation == SwingConstants.VERTICAL ? visibleRect.height - 16 : visibleRect.width - 16;
    }

    @Override
    public boolean getScrollableTracksViewportWidth() {
        return false;
    }

    @Override
    public boolean getScrollableTracksViewportHeight() {
        return false;
    }
}
