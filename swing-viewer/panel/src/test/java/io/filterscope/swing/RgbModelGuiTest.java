package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.formdev.flatlaf.FlatLightLaf;
import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.preprocess.Images;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.swing.JFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A colour model (RGB, NCHW, ImageNet normalisation) with a photo that is not square, against
 * references made by PyTorch, PIL and ONNX Runtime ({@code src/test/python/make_rgb_fixture.py}).
 */
@Tag("gui")
class RgbModelGuiTest {
    static JsonNode ref;
    static Model model;
    static JFrame frame;
    static FilterScopePanel panel;

    static Path resource(String name) {
        try {
            return Path.of(RgbModelGuiTest.class.getResource("/viewer/rgb/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeAll
    static void open() throws IOException {
        Screens.requireDisplay();
        Screens.parkPointer();
        ref = new ObjectMapper().readTree(resource("references.json").toFile());
        model = FilterScope.open(resource("tiny_rgb.onnx"));
        List<String> labels = Predictions.readLabels(resource("labels.txt"));
        BufferedImage photo = Images.read(resource("photo.png"));
        onEdt(() -> {
            FlatLightLaf.setup();
            panel = new FilterScopePanel();
            panel.setSettings(ViewSettings.defaults().withZoom(1)); // the screen is compared pixel for pixel
            frame = new JFrame("RGB model");
            frame.getContentPane().add(panel);
            frame.setBounds(0, 0, 1100, 800);
            frame.setVisible(true);
            panel.setModel(model);
            panel.setLabels(labels);
            panel.setImage(photo);
        });
        idle();
    }

    @AfterAll
    static void close() {
        if (panel != null) {
            idle();
            onEdt(frame::dispose);
        }
        if (model != null) {
            model.close();
        }
    }

    static void idle() {
        try {
            panel.whenIdle().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the panel did not become idle: " + e, e);
        }
        Screens.settle();
    }

    @Test
    void whatTheModelSeesIsTorchvisionsResizeAndCenterCrop() {
        BufferedImage seen = call(() -> panel.inputPreview().seen());
        assertEquals(32, seen.getWidth());
        assertEquals(32, seen.getHeight());
        JsonNode px = ref.get("seen");
        int worst = 0;
        for (int i = 0; i < 32 * 32; i++) {
            int rgb = seen.getRGB(i % 32, i / 32);
            int[] got = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
            for (int k = 0; k < 3; k++) {
                worst = Math.max(worst, Math.abs(got[k] - px.get(i).get(k).asInt()));
            }
        }
        // The tensor is float; turning it back into 8 bits may round the other way.
        assertTrue(worst <= 1, "largest difference from PIL's crop: " + worst);
    }

    @Test
    void predictionsAreOnnxRuntimes() {
        List<Prediction> shown = call(() -> panel.predictionBars().shown());
        assertEquals(4, shown.size(), "a model with 4 classes shows 4 bars");
        for (int i = 0; i < shown.size(); i++) {
            JsonNode r = ref.get("top").get(i);
            assertEquals(r.get("label").asText(), shown.get(i).label());
            assertEquals(r.get("probability").asDouble(), shown.get(i).probability(), 1e-4);
        }
    }

    @Test
    void aBgrPresetShowsColourFiltersChannelSwapped() {
        String first = model.layers().get(0).name();
        onEdt(() -> {
            panel.showTab(ViewTab.FILTERS);
            panel.selectLayer(first);
        });
        idle();
        GridStyle style = GridStyle.filters().withColormap(panel.settings().colormap()).withNormalization(panel.settings().normalization());
        BufferedImage rgb = GridRenderer.filters(model.filters(first), style, ChannelOrder.RGB);
        Screens.assertSameRegion(rgb, 0, 0, call(panel::currentViewImage), 0, 0, rgb.getWidth(), rgb.getHeight());
        try {
            onEdt(() -> panel.setSettings(panel.settings().withPreset(io.filterscope.preprocess.Preset.CAFFE)));
            idle();
            BufferedImage bgr = GridRenderer.filters(model.filters(first), style, ChannelOrder.BGR);
            Screens.assertSameRegion(bgr, 0, 0, call(panel::currentViewImage), 0, 0, bgr.getWidth(), bgr.getHeight());
        } finally {
            onEdt(() -> panel.setSettings(panel.settings().withPreset(null)));
            idle();
        }
    }

    @Test
    void firstLayerFiltersAreColourTilesOnScreenWithTheirThreeWeights() {
        onEdt(() -> {
            panel.showTab(ViewTab.FILTERS);
            panel.selectLayer(model.layers().get(0).name());
        });
        idle();
        GridView view = call(() -> panel.tab(ViewTab.FILTERS).view);
        BufferedImage img = call(panel::currentViewImage);
        BufferedImage shot = Screens.shootVisible(view);
        BufferedImage screen = shot.getSubimage(0, 0, Math.min(shot.getWidth(), img.getWidth()), Math.min(shot.getHeight(), img.getHeight()));
        assertEquals(8, Screens.regions(screen, 0xffffff, 40), "8 filters of 3×3×3, one colour tile each");
        BufferedImage expected = GridRenderer.filters(model.filters(model.layers().get(0).name()),
                GridStyle.filters().withColormap(panel.settings().colormap()).withNormalization(panel.settings().normalization()),
                ChannelOrder.RGB);
        Screens.assertSameTopLeft(expected, screen);

        ShownGrid shown = call(() -> view.shown().orElseThrow());
        for (JsonNode cell : ref.get("conv1_cells")) {
            int o = cell.get(0).asInt();
            RenderedGrid.Tile t = shown.grid().tiles().stream().filter(x -> x.channel() == o).findFirst().orElseThrow();
            assertEquals(-1, t.inputChannel());
            String text = shown.values().valueAt(t, cell.get(1).asInt(), cell.get(2).asInt());
            String[] parts = text.split(", ");
            assertEquals(3, parts.length, text);
            for (int k = 0; k < 3; k++) {
                assertEquals("RGB".charAt(k) + " ", parts[k].substring(0, 2));
                double w = cell.get(3).get(k).asDouble();
                assertEquals(w, Double.parseDouble(parts[k].substring(2)), 1e-3 * Math.abs(w) + 1e-7, text);
            }
        }
    }
}
