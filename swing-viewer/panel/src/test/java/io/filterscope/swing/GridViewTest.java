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

    static ShownGrid wideFilters() {
        int out = 96;
        int in = 80;
        float[] v = new float[out * in * 9];
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        io.filterscope.model.FilterBank bank = new io.filterscope.model.FilterBank("conv", Tensor.of(Shape.of(out, in, 3, 3), v),
                java.util.Optional.empty(), new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
        return ShownGrid.piecewise("conv", GridRenderer.layOutFilters(bank, GridStyle.filters(), io.filterscope.preprocess.ChannelOrder.RGB),
                new ShownGrid.FilterValues(bank));
    }

    @Test
    void aPiecewiseGridShowsTheWholeGridsPixelsWhereverItIsPainted() {
        Screens.onEdt(() -> {
            ShownGrid g = wideFilters();
            assertTrue(g.isPiecewise());
            BufferedImage full = g.grid().image();
            assertEquals(full.getWidth(), g.width());
            assertEquals(full.getHeight(), g.height());
            for (double zoom : new double[] {1, 2}) {
                for (double deviceScale : new double[] {1, 2}) {
                    GridView view = new GridView();
                    view.show(g);
                    view.setZoom(zoom);
                    java.awt.Dimension d = view.getPreferredSize();
                    view.setSize(d);
                    // A viewport's worth somewhere inside, as a scrolled view repaints it.
                    java.awt.Rectangle clip = new java.awt.Rectangle(d.width / 3, d.height / 2, 700, 500);
                    BufferedImage device = new BufferedImage((int) Math.ceil(d.width * deviceScale), (int) Math.ceil(d.height * deviceScale),
                            BufferedImage.TYPE_INT_RGB);
                    Graphics2D gr = device.createGraphics();
                    gr.scale(deviceScale, deviceScale);
                    gr.setClip(clip);
                    view.paint(gr);
                    gr.dispose();
                    double k = zoom * deviceScale; // device pixels per image pixel
                    int checked = 0;
                    for (int y = (int) Math.ceil(clip.y / zoom); y < (clip.y + clip.height) / zoom - 1; y++) {
                        for (int x = (int) Math.ceil(clip.x / zoom); x < (clip.x + clip.width) / zoom - 1; x++) {
                            assertEquals(full.getRGB(x, y), device.getRGB((int) (x * k), (int) (y * k)),
                                    "image pixel " + x + "," + y + " at zoom " + zoom + ", device scale " + deviceScale);
                            checked++;
                        }
                    }
                    assertTrue(checked > 100_000 / (zoom * zoom), "checked " + checked);
                    // Outside the clip nothing was painted.
                    assertEquals(0, device.getRGB(0, 0) & 0xffffff);
                }
            }
        });
    }

    @Test
    void aPiecewiseGridIsNotShrunkToFitAndFindsItsTiles() {
        Screens.onEdt(() -> {
            ShownGrid g = wideFilters();
            GridView view = new GridView();
            javax.swing.JViewport port = new javax.swing.JViewport();
            port.setView(view);
            port.setSize(400, 300);
            view.show(g);
            view.setFit(true);
            assertEquals(1.0, view.zoom(), "a piecewise grid larger than the view stays at 1:1");
            RenderedGrid.Tile t = g.grid().tiles().get(64 * 5 + 7); // 64 input channels are drawn per filter
            assertEquals(t, view.tileAt(new Point(t.x() + 1, t.y() + 1)).orElseThrow());
            assertEquals(5, t.channel());
            assertEquals(7, t.inputChannel());
        });
    }
}
