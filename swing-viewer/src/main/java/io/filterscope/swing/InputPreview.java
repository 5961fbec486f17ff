package io.filterscope.swing;

import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GridLayout;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import javax.swing.BorderFactory;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.SwingConstants;
import javax.swing.UIManager;

/** The input image next to "what the model sees": the preprocessed tensor turned back into an image. */
final class InputPreview extends JPanel {
    static final int BOX = 128;

    private final Picture input = new Picture();
    private final Picture seen = new Picture();
    private final JLabel inputCaption = caption("<html><center>No image<br> </center></html>");
    private final JLabel seenCaption = caption("<html><center>What the model sees<br> </center></html>");

    InputPreview() {
        super(new GridLayout(1, 2, 8, 0));
        add(captioned(input, inputCaption));
        add(captioned(seen, seenCaption));
        setBorder(BorderFactory.createEmptyBorder(4, 4, 4, 4));
        setMaximumSize(new Dimension(Integer.MAX_VALUE, getPreferredSize().height));
    }

    private static JPanel captioned(JComponent picture, JLabel caption) {
        JPanel p = new JPanel(new BorderLayout(0, 2));
        p.setOpaque(false);
        p.add(picture, BorderLayout.CENTER);
        p.add(caption, BorderLayout.SOUTH);
        return p;
    }

    private static JLabel caption(String text) {
        JLabel l = new JLabel(text, SwingConstants.CENTER);
        l.setFont(UIManager.getFont("small.font") != null ? UIManager.getFont("small.font") : l.getFont());
        return l;
    }

    void setInput(BufferedImage img) {
        input.set(img);
        inputCaption.setText(img == null ? "<html><center>No image<br> </center></html>"
                : "<html><center>Input<br>" + img.getWidth() + "×" + img.getHeight() + "</center></html>");
    }

    void setSeen(BufferedImage img, String how) {
        seen.set(img);
        seenCaption.setText(img == null ? "<html><center>What the model sees<br> </center></html>"
                : "<html><center>What the model sees<br>" + img.getWidth() + "×" + img.getHeight() + ", " + GridView.escape(how) + "</center></html>");
    }

    BufferedImage seen() {
        return seen.img;
    }

    /** An image fitted into a square box, nearest neighbour so small inputs stay crisp. */
    private static final class Picture extends JComponent {
        BufferedImage img;

        Picture() {
            setPreferredSize(new Dimension(BOX, BOX));
        }

        void set(BufferedImage i) {
            img = i;
            repaint();
        }

        @Override
        protected void paintComponent(Graphics g) {
            Graphics2D g2 = (Graphics2D) g.create();
            g2.setColor(UIManager.getColor("Separator.foreground") != null ? UIManager.getColor("Separator.foreground") : getForeground());
            g2.drawRect(0, 0, getWidth() - 1, getHeight() - 1);
            if (img != null) {
                double s = Math.min((getWidth() - 2) / (double) img.getWidth(), (getHeight() - 2) / (double) img.getHeight());
                int w = (int) Math.round(img.getWidth() * s);
                int h = (int) Math.round(img.getHeight() * s);
                g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, s >= 1
                        ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g2.drawImage(img, (getWidth() - w) / 2, (getHeight() - h) / 2, w, h, null);
            }
            g2.dispose();
        }
    }
}
