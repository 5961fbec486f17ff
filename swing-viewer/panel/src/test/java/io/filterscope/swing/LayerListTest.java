package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.tensor.Shape;
import java.awt.Color;
import java.awt.Component;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.swing.BorderFactory;
import javax.swing.DefaultListCellRenderer;
import javax.swing.JComponent;
import javax.swing.JList;
import javax.swing.UIManager;
import org.junit.jupiter.api.Test;

/**
 * The layer list is as wide as its widest row, so names and shapes are not cut off; its rows, painted
 * without HTML, look as the HTML rows did. No window needed.
 */
class LayerListTest {

    private static LayerInfo conv(String name, int index, long out, long in) {
        return new LayerInfo(name, name, "Conv", LayerKind.CONV, index, name + "_out",
                Optional.of(Shape.of(1, out, 56, 56)), Optional.of(Shape.of(out, in, 3, 3)));
    }

    @Test
    void everyRowFitsTheListsPreferredWidth() {
        List<LayerInfo> layers = new ArrayList<>();
        layers.add(conv("conv1", 0, 8, 3));
        // Real models have names like these (torchvision ResNet exported to ONNX, Keras applications).
        layers.add(conv("/layer4/layer4.1/downsample/downsample.0/Conv", 1, 2048, 1024));
        layers.add(conv("block_16_depthwise_BN_relu_project_conv", 2, 1280, 320));
        // As the panel holds it (it used to pin the list to 300 pixels, cutting these rows off).
        LayerList list = new FilterScopePanel().layerList();
        list.setLayers(layers);
        JList<LayerInfo> rows = list.layerJList();
        int widest = 0;
        for (LayerInfo l : layers) {
            widest = Math.max(widest, rows.getCellRenderer().getListCellRendererComponent(rows, l, 0, false, false)
                    .getPreferredSize().width);
        }
        assertTrue(rows.getFixedCellWidth() >= widest, rows.getFixedCellWidth() + " < " + widest);
        int preferred = list.getPreferredSize().width;
        assertTrue(preferred >= Math.min(LayerList.MAX_WIDTH, widest + 16), "list " + preferred + " px, rows need " + widest);
        assertTrue(preferred > 300, "the 300 px the list had cut these rows off: " + preferred);
    }

    @Test
    void shortNamesKeepTheNarrowList() {
        LayerList list = new LayerList();
        list.setLayers(List.of(new LayerInfo("r", "r", "Relu", LayerKind.OTHER, 0, "r_out", Optional.empty(), Optional.empty())));
        assertEquals(LayerList.MIN_WIDTH, list.getPreferredSize().width);
    }

    /**
     * The row as the list used to render it: one HTML label, the name above and the details below in
     * the dimmed colour. Swing's HTML renderer is the reference the painted row is held to.
     */
    private static Component htmlRow(JList<LayerInfo> list, LayerInfo l, boolean selected) {
        DefaultListCellRenderer r = new DefaultListCellRenderer();
        r.getListCellRendererComponent(list, l, 0, selected, false);
        Color dim = selected ? list.getSelectionForeground() : UIManager.getColor("Label.disabledForeground");
        String hex = dim == null ? "808080" : String.format("%06x", dim.getRGB() & 0xffffff);
        r.setText("<html>" + GridView.escape(l.name()) + "<br><font color='#" + hex + "'>" + GridView.escape(LayerList.details(l)) + "</font></html>");
        r.setIcon(KindIcon.of(l.kind()));
        r.setIconTextGap(6);
        r.setBorder(BorderFactory.createEmptyBorder(3, 4, 3, 4));
        return r;
    }

    private static BufferedImage paint(Component c, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        c.setSize(w, h);
        Graphics2D g = img.createGraphics();
        c.paint(g);
        g.dispose();
        return img;
    }

    /** The box around the pixels of {@code rgb} (within a tolerance) in the part of the image right of {@code fromX}. */
    private static Rectangle ink(BufferedImage img, int fromX, Color rgb, int tolerance) {
        Rectangle box = null;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = fromX; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int d = Math.abs((p >> 16 & 0xff) - rgb.getRed()) + Math.abs((p >> 8 & 0xff) - rgb.getGreen()) + Math.abs((p & 0xff) - rgb.getBlue());
                if (d <= tolerance) {
                    box = box == null ? new Rectangle(x, y, 1, 1) : box.union(new Rectangle(x, y, 1, 1));
                }
            }
        }
        return box;
    }

    @Test
    void aRowLooksAsTheHtmlRowDid() {
        Screens.onEdt(() -> {
            LayerInfo layer = conv("/layer4/layer4.1/conv2/Conv", 0, 512, 512);
            JList<LayerInfo> list = new JList<>(new LayerInfo[] {layer});
            for (boolean selected : new boolean[] {false, true}) {
                Component reference = htmlRow(list, layer, selected);
                Component row = new LayerList.Renderer().getListCellRendererComponent(list, layer, 0, selected, false);
                // The same size, so the list is as tall and as wide as before.
                assertEquals(reference.getPreferredSize().height, row.getPreferredSize().height, 2.0, "row height");
                assertEquals(reference.getPreferredSize().width, row.getPreferredSize().width, 4.0, "row width");
                int w = reference.getPreferredSize().width + 10;
                int h = reference.getPreferredSize().height;
                BufferedImage expected = paint(reference, w, h);
                BufferedImage actual = paint(row, w, h);
                assertEquals(expected.getRGB(w - 2, 1), actual.getRGB(w - 2, 1), "background, selected " + selected);
                // The icon: the same pixels in the same place.
                Screens.assertSameRegion(expected, 0, 0, actual, 0, 0, 4 + KindIcon.SIZE + 2, h);
                // The two lines of text: the name in the row's colour above, the details dimmed below,
                // where the HTML label put them.
                Color fg = selected ? list.getSelectionForeground() : list.getForeground();
                Color dim = selected ? fg : UIManager.getColor("Label.disabledForeground");
                int textX = 4 + KindIcon.SIZE + 6 - 1;
                if (!selected) {
                    Rectangle nameWas = ink(expected, textX, fg, 60);
                    Rectangle nameIs = ink(actual, textX, fg, 60);
                    Rectangle detailsWas = ink(expected, textX, dim, 30);
                    Rectangle detailsIs = ink(actual, textX, dim, 30);
                    for (Rectangle[] pair : new Rectangle[][] {{nameWas, nameIs}, {detailsWas, detailsIs}}) {
                        assertTrue(pair[0] != null && pair[1] != null, "both lines painted: " + pair[0] + " / " + pair[1]);
                        assertEquals(pair[0].x, pair[1].x, 1.0, "left edge of " + pair[0] + " and " + pair[1]);
                        assertEquals(pair[0].y, pair[1].y, 2.0, "top of " + pair[0] + " and " + pair[1]);
                        assertEquals(pair[0].width, pair[1].width, 3.0, "width of " + pair[0] + " and " + pair[1]);
                        assertEquals(pair[0].height, pair[1].height, 2.0, "height of " + pair[0] + " and " + pair[1]);
                    }
                    assertTrue(detailsIs.y > nameIs.y + nameIs.height / 2, "details below the name: " + nameIs + " / " + detailsIs);
                } else {
                    Rectangle was = ink(expected, textX, fg, 60);
                    Rectangle is = ink(actual, textX, fg, 60);
                    assertTrue(was != null && is != null, "text painted in the selection's colour");
                    assertEquals(was.y, is.y, 2.0, "top");
                    assertEquals(was.height, is.height, 3.0, "two lines high");
                }
                assertEquals(layer.name() + " (conv)", ((JComponent) row).getToolTipText(), "tooltip");
            }
        });
    }
}
