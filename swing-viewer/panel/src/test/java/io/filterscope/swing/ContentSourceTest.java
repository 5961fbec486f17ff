package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/**
 * A tab the panel's core does not know (as an Explain tab would be) plugs in as a {@link ContentSource}:
 * it gets a tab, its drawing runs in the background and counts for {@code whenIdle()}, its pictures
 * are cached under its keys, its neighbours are drawn ahead, and Save and Copy take its picture.
 * Headless: nothing here needs a screen.
 */
class ContentSourceTest {
    static final Path MODEL = Path.of(System.getProperty("basedir", "."))
            .resolve("../../samples/models/fashion-mnist/fashion_cnn.onnx").normalize();

    /** Each conv layer's filters in plain grey, counting how often each layer is drawn. */
    static final class GreyFilters extends GridSource {
        final Map<String, AtomicInteger> draws = new ConcurrentHashMap<>();

        private record Key(long modelSource, String layer) {
        }

        GreyFilters() {
            super(null, "Grey filters", "grey-filters");
        }

        @Override
        public Content content(Scene s) {
            if (s.model() == null || s.layer() == null) {
                return new Content.Message("Nothing to show.");
            }
            if (!s.layer().kind().hasFilters()) {
                return new Content.Message(s.layer().name() + " has no filters.");
            }
            Model m = s.model();
            String layer = s.layer().name();
            long source = s.modelSource();
            return new Content.Drawing(new Key(source, layer), "Drawing " + layer + "…", "Cannot draw " + layer, () -> {
                draws.computeIfAbsent(layer, k -> new AtomicInteger()).incrementAndGet();
                FilterBank bank = m.filters(layer);
                return new ShownGrid(layer, GridRenderer.renderFilters(bank, GridStyle.filters(), ChannelOrder.RGB),
                        new ShownGrid.FilterValues(bank));
            }, now -> now.modelSource() == source);
        }

        int drawn(String layer) {
            AtomicInteger n = draws.get(layer);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void anExtraSourcePlugsInWithoutTheCoreKnowingIt() throws Exception {
        try (Model model = FilterScope.open(MODEL)) {
            GreyFilters grey = new GreyFilters();
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.addSource(grey);
                return p;
            });
            JTabbedPane tabs = (JTabbedPane) SwingUtilities.getAncestorOfClass(JTabbedPane.class, grey.component());
            assertEquals("Grey filters", call(() -> tabs.getTitleAt(tabs.indexOfComponent(grey.component()))));
            onEdt(() -> panel.showSource(grey));
            assertEquals("Nothing to show.", call(() -> grey.gridTab().messageText()), "asked for its content when brought to the front");

            onEdt(() -> panel.setModel(model));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals("/conv1/Conv", call(() -> panel.selectedLayer().orElseThrow().name()));
            assertNull(call(panel::currentTab), "the tab has no public name");
            BufferedImage expected = GridRenderer.renderFilters(model.filters("/conv1/Conv"), GridStyle.filters(), ChannelOrder.RGB).image();
            assertSamePixels(expected, call(panel::currentViewImage));

            // conv2, the next layer with a picture on this tab, is drawn ahead; stepping to it draws nothing.
            panel.whenPrefetched().get(60, TimeUnit.SECONDS);
            assertEquals(1, grey.drawn("/conv2/Conv"), "conv2 was drawn ahead");
            assertTrue(call(() -> {
                panel.selectLayer("/conv2/Conv");
                return grey.grid().orElseThrow().layer().equals("/conv2/Conv");
            }), "the prefetched layer is shown within the selection");
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            onEdt(() -> panel.selectLayer("/conv1/Conv"));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals(1, grey.drawn("/conv1/Conv"), "conv1 came from the cache");
            assertEquals(1, grey.drawn("/conv2/Conv"));

            onEdt(() -> panel.selectLayer("/relu1/Relu"));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals("/relu1/Relu has no filters.", call(() -> grey.gridTab().messageText()));

            onEdt(() -> panel.setModel(null));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals("Nothing to show.", call(() -> grey.gridTab().messageText()));
        }
    }

    static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        int w = expected.getWidth();
        int h = expected.getHeight();
        assertArrayEquals(expected.getRGB(0, 0, w, h, null, 0, w), actual.getRGB(0, 0, w, h, null, 0, w));
    }
}
