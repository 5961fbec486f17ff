package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.FeatureMaps;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Component-level checks of the grid view: crisp at device scale, and points map to the right tile. */
class GridViewTest {

    static ShownGrid grid() {
        float[] v = new float[3 * 5 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 37) % 11 - 3;
        }
        FeatureMaps maps = FeatureMaps.of("layer", "t", Tensor.of(Shape.of(3, 5, 4), v));
        RenderedGrid g = GridRenderer.renderFeatureMaps(maps, GridStyle.featureMaps(), List.of(0, 1, 2));
        return new ShownGrid("layer", g, new ShownGrid.MapValues(maps));
    }

    /** Paints the view as a HiDPI screen would: through a Graphics2D scaled by the device scale. */
    static BufferedImage paintAt(GridView view, double deviceScale) {
        java.awt.Dimension d = view.getPreferredSize();
        view.setSize(d);
        BufferedImage out = new BufferedImage((int) Math.ceil(d.width * deviceScale), (int) Math.ceil(d.height * deviceScale),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.scale(deviceScale, deviceScale);
        view.paint(g);
        g.dispose();
        return out;
    }

    @Test
    void atDeviceScaleTwoEveryImagePixelIsASharpTwoByTwoBlock() {
        Screens.onEdt(() -> {
            GridView view = new GridView();
            ShownGrid g = grid();
            view.show(g);
            BufferedImage img = g.grid().image();
            BufferedImage device = paintAt(view, 2);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int e = img.getRGB(x, y);
                    assertEquals(e, device.getRGB(2 * x, 2 * y));
                    assertEquals(e, device.getRGB(2 * x + 1, 2 * y + 1));
                }
            }
        });
    }

    @Test
    void zoomAndDeviceScaleMultiply() {
        Screens.onEdt(() -> {
            GridView view = new GridView();
            ShownGrid g = grid();
            view.show(g);
            view.setZoom(1.5);
            BufferedImage img = g.grid().image();
            assertEquals((int) Math.ceil(img.getWidth() * 1.5), view.getPreferredSize().width);
            BufferedImage device = paintAt(view, 2); // 3 device pixels per image pixel
            for (int y = 0; y < img.getHeight(); y += 3) {
                for (int x = 0; x < img.getWidth(); x += 3) {
                    for (int d = 0; d < 3; d++) {
                        assertEquals(img.getRGB(x, y), device.getRGB(3 * x + d, 3 * y + 2 - d), "pixel " + x + "," + y);
                    }
                }
            }
        });
    }

    @Test
    void pointsMapToTilesAndTooltipsNameTheChannel() {
        Screens.onEdt(() -> {
            GridView view = new GridView();
            ShownGrid g = grid();
            view.show(g);
            view.setZoom(2);
            RenderedGrid.Tile t = g.grid().tiles().get(2);
            Point inside = view.componentPoint(t.x() + 1, t.y() + 1);
            assertEquals(t, view.tileAt(inside).orElseThrow());
            assertTrue(view.tileAt(new Point(0, 0)).isEmpty());
            String tip = view.tooltip(t);
            assertTrue(tip.contains("channel 2"), tip);
            assertTrue(tip.contains("min " + ShownGrid.format(g.values().stats(t).min())), tip);
        });
    }

    @Test
    void numbersKeepFourSignificantDigits() {
        assertEquals("0.1235", ShownGrid.format(0.123456));
        assertEquals("1235", ShownGrid.format(1234.5));
        assertEquals("-2", ShownGrid.format(-2));
        assertEquals("0", ShownGrid.format(0));
        assertEquals("1.5e-05", ShownGrid.format(0.000015));
    }
}
