package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import javax.swing.JComponent;
import org.junit.jupiter.api.Test;

/** The input pictures: a small gray input is enlarged crisply and keeps its gray levels, at any device scale. */
class InputPreviewTest {

    static BufferedImage gray28() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.getRaster().setSample(x, y, 0, (x * 9 + y * 3) % 256);
            }
        }
        return img;
    }

    static BufferedImage paint(JComponent c, double scale) {
        BufferedImage out = new BufferedImage((int) (c.getWidth() * scale), (int) (c.getHeight() * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.scale(scale, scale);
        c.paint(g);
        g.dispose();
        return out;
    }

    @Test
    void aGrayInputIsEnlargedWithItsOwnGrayLevels() {
        Screens.onEdt(() -> {
            InputPreview preview = new InputPreview();
            BufferedImage in = gray28();
            preview.setInput(in);
            preview.setSize(preview.getPreferredSize());
            preview.doLayout();
            JComponent picture = (JComponent) ((java.awt.Container) preview.getComponent(0)).getComponent(0);
            ((java.awt.Container) preview.getComponent(0)).doLayout();
            for (double scale : new double[] {1, 2}) {
                BufferedImage shot = paint(picture, scale);
                // The fitted picture's place, as a person would measure it: centred in the box inside the border.
                int boxW = (int) Math.floor((picture.getWidth() - 2) * scale);
                int boxH = (int) Math.floor((picture.getHeight() - 2) * scale);
                double per = Math.min(boxW / 28.0, boxH / 28.0);
                int size = (int) Math.round(28 * per);
                int ox = (int) Math.round(scale) + (boxW - size) / 2;
                int oy = (int) Math.round(scale) + (boxH - size) / 2;
                for (int y = 0; y < 28; y += 5) {
                    for (int x = 0; x < 28; x += 5) {
                        int px = ox + (int) ((x + 0.5) * per);
                        int py = oy + (int) ((y + 0.5) * per);
                        int v = in.getRaster().getSample(x, y, 0);
                        assertEquals(v << 16 | v << 8 | v, shot.getRGB(px, py) & 0xffffff, "input pixel " + x + "," + y + " at scale " + scale);
                    }
                }
            }
        });
    }

    @Test
    void aNewImageOfTheSameSizeLeavesTheCaptionsParsedHtmlAsItWas() {
        Screens.onEdt(() -> {
            InputPreview preview = new InputPreview();
            javax.swing.JLabel caption = (javax.swing.JLabel) ((java.awt.Container) preview.getComponent(0)).getComponent(1);
            preview.setInput(gray28());
            assertEquals("<html><center>Input<br>28×28</center></html>", caption.getText());
            Object view = caption.getClientProperty(javax.swing.plaf.basic.BasicHTML.propertyKey);
            org.junit.jupiter.api.Assertions.assertNotNull(view, "the caption is HTML");
            // Each capture brings a new image, mostly of the same size: nothing to parse again.
            preview.setInput(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB));
            org.junit.jupiter.api.Assertions.assertSame(view, caption.getClientProperty(javax.swing.plaf.basic.BasicHTML.propertyKey));
        });
    }

    @Test
    void aLargePhotoIsFittedOffTheEventThreadAndThenShown() {
        // Left half red, right half blue: what the fitted picture must show on either side.
        BufferedImage photo = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                photo.setRGB(x, y, x < photo.getWidth() / 2 ? 0xff0000 : 0x0000ff);
            }
        }
        InputPreview.Picture picture = Screens.call(() -> {
            InputPreview preview = new InputPreview();
            preview.setInput(photo);
            preview.setSize(preview.getPreferredSize());
            preview.doLayout();
            ((java.awt.Container) preview.getComponent(0)).doLayout();
            InputPreview.Picture p = (InputPreview.Picture) ((java.awt.Container) preview.getComponent(0)).getComponent(0);
            paint(p, 1); // asks for the fitted copy
            return p;
        });
        Screens.waitHeadless(picture::fitted, "the photo fitted in the background");
        BufferedImage shot = Screens.call(() -> paint(picture, 1));
        int w = picture.getWidth();
        int h = picture.getHeight();
        assertEquals(0xff0000, shot.getRGB(w / 4, h / 2) & 0xffffff, "left half");
        assertEquals(0x0000ff, shot.getRGB(3 * w / 4, h / 2) & 0xffffff, "right half");
    }
}
