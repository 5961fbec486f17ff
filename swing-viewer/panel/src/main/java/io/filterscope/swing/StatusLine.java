package io.filterscope.swing;

import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.FlowLayout;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;

/** The bottom line of the panel: what is happening, a progress bar and a Cancel button while work runs. */
final class StatusLine extends JPanel {
    private final JLabel message = new JLabel(" ");
    private final JProgressBar progress = new JProgressBar();
    final JButton cancel = new JButton("Cancel");

    StatusLine() {
        super(new BorderLayout(8, 0));
        setBorder(BorderFactory.createEmptyBorder(2, 6, 2, 6));
        message.setName("status");
        progress.setIndeterminate(true);
        JPanel right = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 0));
        right.setOpaque(false);
        right.add(progress);
        right.add(cancel);
        add(message, BorderLayout.CENTER);
        add(right, BorderLayout.EAST);
        setBusy(false);
    }

    /**
     * As tall while idle as while busy: the line would otherwise grow when the bar and the button
     * appear, and every capture would lay out and repaint the whole panel above it twice (the layer
     * list, the grid, the pictures), keeping the event dispatch thread busy for what is only a status.
     */
    @Override
    public Dimension getPreferredSize() {
        Dimension d = super.getPreferredSize();
        if (isPreferredSizeSet()) {
            return d;
        }
        java.awt.Insets in = getInsets();
        int busy = Math.max(progress.getPreferredSize().height, cancel.getPreferredSize().height);
        return new Dimension(d.width, Math.max(d.height, in.top + in.bottom + busy));
    }

    void setBusy(boolean busy) {
        progress.setVisible(busy);
        cancel.setVisible(busy);
        if (!busy) {
            progress.setIndeterminate(true);
        }
    }

    /** Work that says how far it is: the bar shows the fraction (0 to 1) until other work starts. */
    void progress(double fraction) {
        progress.setIndeterminate(false);
        progress.setValue((int) Math.round(fraction * progress.getMaximum()));
    }

    /** The fraction the bar shows, or -1 while it only says that work runs. */
    double fraction() {
        return progress.isIndeterminate() ? -1 : (double) progress.getValue() / progress.getMaximum();
    }

    private boolean work;

    /** Shows a message; it stays after the work ends (an error, "Saved …"). */
    void say(String text) {
        message.setText(text == null || text.isEmpty() ? " " : text);
        work = false;
    }

    /** Shows what the running work does; replaced when the work ends. */
    void working(String text) {
        say(text);
        work = true;
        progress.setIndeterminate(true);
    }

    /** Whether the message describes work, rather than something to keep. */
    boolean showsWork() {
        return work;
    }

    String text() {
        return message.getText();
    }

    boolean isBusy() {
        return progress.isVisible();
    }
}
