package io.filterscope.swing;

import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GridLayout;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.swing.BorderFactory;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;

/** The input image next to "what the model sees": the preprocessed tensor turned back into an image. */
final class InputPreview extends JPanel {
    static final int BOX = 128;

    private final Picture input = new Picture();
    private final Picture seen = new Picture();
    // HTML, which wraps a long preset name under the picture. Setting the same text again (every
    // capture of an image of the same size) parses nothing: the label ignores an equal text.
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

    /**
     * An image fitted into a square box. The fitted copy is made once per image and size, at device
     * pixels, so a repaint (the status line animates while the model runs) is a plain copy rather
     * than a rescale of a possibly large photo; small inputs are enlarged nearest-neighbour, crisp.
     * A large photo is fitted on a thread of its own, not while painting: the frame shows until then.
     */
    static final class Picture extends JComponent {
        /** Images up to this many pixels are fitted while painting (a millisecond or less); a photo in the background. */
        static final long FIT_WHILE_PAINTING = 512L * 512;
        /** One thread, gone when idle: fitting a large photo on the event dispatch thread took tens of milliseconds. */
        private static final ThreadPoolExecutor FITTER = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "filterscope-input-preview");
            t.setDaemon(true);
            return t;
        });

        BufferedImage img;
        private BufferedImage fitted;
        /** The image and size a background fit was asked for, so each is asked for once. */
        private BufferedImage asked;
        private Dimension askedSize;

        Picture() {
            setPreferredSize(new Dimension(BOX, BOX));
        }

        void set(BufferedImage i) {
            img = i;
            fitted = null;
            asked = null;
            askedSize = null;
            repaint();
        }

        @Override
        protected void paintComponent(Graphics g) {
            Graphics2D g2 = (Graphics2D) g.create();
            try {
                Color line = UIManager.getColor("Separator.foreground");
                g2.setColor(line != null ? line : getForeground());
                g2.drawRect(0, 0, getWidth() - 1, getHeight() - 1);
                if (img == null) {
                    return;
                }
                AffineTransform t = g2.getTransform();
                double sx = t.getShearX() == 0 && t.getShearY() == 0 ? t.getScaleX() : 1;
                double sy = t.getShearX() == 0 && t.getShearY() == 0 ? t.getScaleY() : 1;
                // The box inside the border, in device pixels.
                int boxW = (int) Math.floor((getWidth() - 2) * sx);
                int boxH = (int) Math.floor((getHeight() - 2) * sy);
                double s = Math.min(boxW / (double) img.getWidth(), boxH / (double) img.getHeight());
                int w = Math.max(1, (int) Math.round(img.getWidth() * s));
                int h = Math.max(1, (int) Math.round(img.getHeight() * s));
                if (fitted == null || fitted.getWidth() != w || fitted.getHeight() != h) {
                    fitted = null;
                    if ((long) img.getWidth() * img.getHeight() <= FIT_WHILE_PAINTING) {
                        fitted = fit(img, w, h);
                    } else {
                        fitInBackground(img, w, h);
                        return; // the frame for now; the picture when it is fitted
                    }
                }
                if (sx != 1 || sy != 1) {
                    g2.setTransform(AffineTransform.getTranslateInstance(Math.round(t.getTranslateX()), Math.round(t.getTranslateY())));
                }
                g2.drawImage(fitted, (int) Math.round(sx) + (boxW - w) / 2, (int) Math.round(sy) + (boxH - h) / 2, null);
            } finally {
                g2.dispose();
            }
        }

        private void fitInBackground(BufferedImage src, int w, int h) {
            Dimension size = new Dimension(w, h);
            if (src == asked && size.equals(askedSize)) {
                return;
            }
            asked = src;
            askedSize = size;
            FITTER.execute(() -> {
                BufferedImage f = fit(src, w, h);
                SwingUtilities.invokeLater(() -> {
                    if (img == src) {
                        fitted = f;
                        repaint();
                    }
                });
            });
        }

        /** For tests: whether the picture is ready to paint (no image, or its fitted copy). */
        boolean fitted() {
            return img == null || fitted != null;
        }

        private static BufferedImage fit(BufferedImage src, int w, int h) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            boolean enlarge = w >= src.getWidth();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, enlarge
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, w, h, null);
            g.dispose();
            return out;
        }
    }
}
