package io.filterscope.samples.watch;

import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;

/** A window that shows the newest frame, scaled to fit with crisp (nearest-neighbour) pixels. */
final class LiveWindow implements FrameSink {
    private final JFrame frame = new JFrame("FilterScope · watching filters learn");
    private final JLabel status = new JLabel("waiting for the first iteration…");
    private final Picture picture = new Picture();

    LiveWindow() {
        SwingUtilities.invokeLater(() -> {
            frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
            frame.add(picture, BorderLayout.CENTER);
            frame.add(status, BorderLayout.SOUTH);
            frame.setSize(1000, 560);
            frame.setLocationByPlatform(true);
            frame.setVisible(true);
        });
    }

    @Override
    public void accept(Snapshot s, BufferedImage image) {
        SwingUtilities.invokeLater(() -> {
            picture.show(image);
            status.setText(String.format(" iteration %d, epoch %d, loss %.3f", s.iteration(), s.epoch(), s.loss()));
        });
    }

    /** Leaves the window up with the last frame; the person closes it. */
    @Override
    public void close() {
        SwingUtilities.invokeLater(() -> status.setText(status.getText() + " — training finished"));
    }

    /** Closes the window (benchmarks and tests). */
    void dispose() {
        SwingUtilities.invokeLater(frame::dispose);
    }

    private static final class Picture extends JComponent {
        private BufferedImage image;

        void show(BufferedImage next) {
            image = next;
            setPreferredSize(new Dimension(next.getWidth(), next.getHeight()));
            repaint();
        }

        @Override
        protected void paintComponent(Graphics g) {
            if (image == null) {
                return;
            }
            double scale = Math.min((double) getWidth() / image.getWidth(), (double) getHeight() / image.getHeight());
            int w = (int) (image.getWidth() * scale);
            int h = (int) (image.getHeight() * scale);
            Graphics2D g2 = (Graphics2D) g.create();
            g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g2.drawImage(image, (getWidth() - w) / 2, (getHeight() - h) / 2, w, h, null);
            g2.dispose();
        }
    }
}
