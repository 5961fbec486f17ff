package io.filterscope.swing;

import io.filterscope.predict.Prediction;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.List;
import java.util.Locale;
import javax.swing.JComponent;
import javax.swing.UIManager;

/** The top-k predictions as labelled horizontal bars, longest for the most likely class. */
final class PredictionBars extends JComponent {
    private static final int ROW = 22;
    private static final int BAR = 10;

    private List<Prediction> predictions = List.of();
    private String message = "No prediction yet";
    /** Where the class names came from when the user did not give them, e.g. the built-in ImageNet names. */
    private String note;

    PredictionBars() {
        setName("predictions");
    }

    void show(List<Prediction> p) {
        show(p, null);
    }

    void show(List<Prediction> p, String namesNote) {
        predictions = List.copyOf(p);
        message = null;
        note = namesNote;
        setToolTipText(namesNote);
        revalidate();
        repaint();
    }

    void clear(String why) {
        predictions = List.of();
        message = why;
        note = null;
        setToolTipText(null);
        revalidate();
        repaint();
    }

    List<Prediction> shown() {
        return predictions;
    }

    /** The note under the bars on where the class names came from, or null. */
    String namesNote() {
        return note;
    }

    static String text(Prediction p) {
        return p.label() + "  " + String.format(Locale.ROOT, "%.1f%%", 100.0 * p.probability());
    }

    @Override
    public Dimension getPreferredSize() {
        return new Dimension(240, Math.max(1, predictions.size()) * (ROW + BAR) + 8 + (note != null ? ROW : 0));
    }

    @Override
    protected void paintComponent(Graphics g) {
        Graphics2D g2 = (Graphics2D) g.create();
        g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g2.setFont(getFont() != null ? getFont() : UIManager.getFont("Label.font"));
        FontMetrics fm = g2.getFontMetrics();
        Color text = colour("Label.foreground", getForeground());
        Color track = colour("ProgressBar.background", getBackground());
        Color bar = colour("ProgressBar.foreground", text);
        int width = getWidth() - 8;
        if (message != null) {
            g2.setColor(colour("Label.disabledForeground", text));
            g2.drawString(message, 4, 4 + fm.getAscent());
        }
        int y = 4;
        for (Prediction p : predictions) {
            g2.setColor(text);
            g2.drawString(text(p), 4, y + fm.getAscent());
            int by = y + ROW - 4;
            g2.setColor(track);
            g2.fillRect(4, by, width, BAR);
            g2.setColor(bar);
            g2.fillRect(4, by, (int) Math.round(width * Math.max(0.0, Math.min(1.0, p.probability()))), BAR);
            y += ROW + BAR;
        }
        if (note != null && !predictions.isEmpty()) {
            g2.setColor(colour("Label.disabledForeground", text));
            g2.drawString(note, 4, y + fm.getAscent());
        }
        g2.dispose();
    }

    private static Color colour(String key, Color fallback) {
        Color c = UIManager.getColor(key);
        return c != null ? c : fallback;
    }
}
