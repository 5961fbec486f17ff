package io.filterscope.swing;

import io.filterscope.explain.Faithfulness;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Polygon;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.swing.JComponent;
import javax.swing.UIManager;

/**
 * The Explain tab's small chart of a heatmap's faithfulness curves (Petsiuk et al. 2018): the
 * explained class's probability (0 to 1, up) against the fraction of pixels removed (deletion) or
 * put back into a blank input (insertion), 0 to 1 across, both curves in one plot with the area
 * under each shaded and written in the legend. Points are drawn at each sample of the curves as
 * the api's {@link Faithfulness} gives them, joined by straight lines (the trapezoids whose sum is
 * the area).
 */
final class FaithfulnessChart extends JComponent {
    /** The deletion curve's colour (falls fast for a faithful map). */
    static final Color DELETION = new Color(0xD6, 0x27, 0x28);
    /** The insertion curve's colour (rises fast for a faithful map). */
    static final Color INSERTION = new Color(0x1F, 0x77, 0xB4);
    /** Side of the square drawn at each sample. */
    static final int MARK = 3;
    private static final int WIDTH = 380;
    private static final int HEIGHT = 120;
    /** Room for the y labels on the left, the x labels below, and the legend on the right. */
    private static final int LEFT = 30;
    private static final int BOTTOM = 16;
    private static final int TOP = 6;
    private static final int LEGEND = 150;

    private Faithfulness curves;

    FaithfulnessChart() {
        setName("explain-curves");
        setOpaque(true);
        Dimension size = new Dimension(WIDTH, HEIGHT);
        setPreferredSize(size);
        setMinimumSize(size);
        setMaximumSize(size);
        setAlignmentX(LEFT_ALIGNMENT);
        setVisible(false);
    }

    /** Shows these curves, or hides the chart for {@code null}. */
    void show(Faithfulness f) {
        curves = f;
        setVisible(f != null);
        setToolTipText(f == null ? null : String.format(Locale.ROOT,
                "<html>Deletion (red): the class's probability as the pixels the map ranks highest are removed; area %.3f, lower is better."
                        + "<br>Insertion (blue): as they are put back into a blank input; area %.3f, higher is better.</html>",
                f.deletionArea(), f.insertionArea()));
        repaint();
    }

    /** The curves drawn, if any. */
    Optional<Faithfulness> curves() {
        return Optional.ofNullable(curves);
    }

    /** Where the plot lies in the component: fraction 0 to 1 across its width, probability 0 to 1 up its height. */
    Rectangle plot() {
        return new Rectangle(LEFT, TOP, WIDTH - LEFT - LEGEND, HEIGHT - TOP - BOTTOM);
    }

    /** Where sample {@code i} of {@code n + 1} (fraction {@code i / n}) with value {@code v} is drawn. */
    Point point(int i, int n, double v) {
        Rectangle r = plot();
        int x = r.x + (int) Math.round((n == 0 ? 0 : (double) i / n) * (r.width - 1));
        double clamped = Math.max(0, Math.min(1, v));
        int y = r.y + r.height - 1 - (int) Math.round(clamped * (r.height - 1));
        return new Point(x, y);
    }

    @Override
    protected void paintComponent(Graphics graphics) {
        Graphics2D g = (Graphics2D) graphics.create();
        try {
            Color background = UIManager.getColor("Panel.background");
            Color foreground = UIManager.getColor("Label.foreground");
            g.setColor(background == null ? Color.WHITE : background);
            g.fillRect(0, 0, getWidth(), getHeight());
            if (curves == null) {
                return;
            }
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Color ink = foreground == null ? Color.DARK_GRAY : foreground;
            Rectangle r = plot();
            g.setFont(g.getFont().deriveFont(10f));
            FontMetrics fm = g.getFontMetrics();
            // Axes and their ends: probability 0 and 1 up, fraction 0 and 1 across.
            g.setColor(ink);
            g.drawLine(r.x - 1, r.y, r.x - 1, r.y + r.height);
            g.drawLine(r.x - 1, r.y + r.height, r.x + r.width, r.y + r.height);
            g.drawString("1", r.x - 4 - fm.stringWidth("1"), r.y + fm.getAscent() / 2);
            g.drawString("0", r.x - 4 - fm.stringWidth("0"), r.y + r.height);
            g.drawString("0", r.x - fm.stringWidth("0") / 2, r.y + r.height + fm.getAscent() + 1);
            g.drawString("1", r.x + r.width - fm.stringWidth("1"), r.y + r.height + fm.getAscent() + 1);
            String across = "fraction of pixels";
            g.drawString(across, r.x + (r.width - fm.stringWidth(across)) / 2, r.y + r.height + fm.getAscent() + 1);
            // The areas first, faint, then the lines and the samples on top: every sample stays visible.
            area(g, curves.deletion(), DELETION);
            area(g, curves.insertion(), INSERTION);
            line(g, curves.deletion(), DELETION);
            line(g, curves.insertion(), INSERTION);
            int lx = r.x + r.width + 12;
            legend(g, fm, lx, r.y + fm.getAscent(), DELETION, String.format(Locale.ROOT, "deletion, area %.3f", curves.deletionArea()));
            legend(g, fm, lx, r.y + 2 * fm.getAscent() + 6, INSERTION,
                    String.format(Locale.ROOT, "insertion, area %.3f", curves.insertionArea()));
            g.setColor(ink);
            g.drawString("probability of the class", lx, r.y + 3 * fm.getAscent() + 14);
        } finally {
            g.dispose();
        }
    }

    private void area(Graphics2D g, List<Double> curve, Color c) {
        int n = curve.size() - 1;
        Polygon p = new Polygon();
        Rectangle r = plot();
        for (int i = 0; i <= n; i++) {
            Point q = point(i, n, curve.get(i));
            p.addPoint(q.x, q.y);
        }
        p.addPoint(point(n, n, 0).x, r.y + r.height - 1);
        p.addPoint(r.x, r.y + r.height - 1);
        g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 40));
        g.fillPolygon(p);
    }

    private void line(Graphics2D g, List<Double> curve, Color c) {
        int n = curve.size() - 1;
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f));
        Point previous = null;
        for (int i = 0; i <= n; i++) {
            Point q = point(i, n, curve.get(i));
            if (previous != null) {
                g.drawLine(previous.x, previous.y, q.x, q.y);
            }
            previous = q;
        }
        for (int i = 0; i <= n; i++) {
            Point q = point(i, n, curve.get(i));
            g.fillRect(q.x - MARK / 2, q.y - MARK / 2, MARK, MARK);
        }
    }

    private static void legend(Graphics2D g, FontMetrics fm, int x, int baseline, Color c, String text) {
        g.setColor(c);
        g.fillRect(x, baseline - fm.getAscent() / 2 - 1, 12, 3);
        g.drawString(text, x + 16, baseline);
    }
}
