package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.FilterScope;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.RenderedGrid;
import io.filterscope.stats.LayerWeightStats;
import io.filterscope.stats.WeightStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Filters tab's weight statistics against numpy's ({@code samples/scripts/make_examples_fixtures.py}:
 * per-filter L2 norms, the median norm and every pair of filters with cosine similarity ≥ 0.5 of
 * the bundled ONNX model): which filters get a badge, their twins, the outlines drawn and the
 * summary line. Headless.
 */
class FilterBadgesTest {
    static final Path BASE = Path.of(System.getProperty("basedir", "."));
    static final Path BUNDLE = BASE.resolve("../../samples/models/fashion-mnist").normalize();
    static final Path NUMPY = BASE.resolve("../src/test/resources/examples/weight_stats.json").normalize();

    /** Thresholds that find dead and near-duplicate filters in the bundled model (the defaults find none there). */
    static final WeightStats.Settings STRICT = new WeightStats.Settings(32, 0.5, 0.8);

    @Test
    void badgesAreNumpysDeadAndNearDuplicateFilters() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(NUMPY.toFile());
        int badged = 0;
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            for (JsonNode layer : ref.get("layers")) {
                FilterBank bank = model.filters(layer.get("node").asText());
                LayerWeightStats stats = WeightStats.of(bank, STRICT);
                Map<Integer, FilterBadges.Badge> got = FilterBadges.badges(stats);

                Map<Integer, FilterBadges.Badge> want = new TreeMap<>();
                double median = layer.get("median_norm").asDouble();
                JsonNode norms = layer.get("norms");
                for (int f = 0; f < norms.size(); f++) {
                    if (norms.get(f).asDouble() <= STRICT.deadFraction() * median) {
                        want.put(f, new FilterBadges.Badge(true, FilterBadges.Badge.NONE, Double.NaN));
                    }
                }
                // Each filter's twin: its partner in its most similar pair at or above the threshold.
                Map<Integer, double[]> best = new HashMap<>();
                for (JsonNode p : layer.get("pairs_cosine_at_least_0.5")) {
                    double cos = p.get("cosine").asDouble();
                    if (cos < STRICT.duplicateCosine()) {
                        continue;
                    }
                    int a = p.get("a").asInt();
                    int b = p.get("b").asInt();
                    for (int[] ab : new int[][] {{a, b}, {b, a}}) {
                        double[] cur = best.get(ab[0]);
                        if (cur == null || cos > cur[1]) {
                            best.put(ab[0], new double[] {ab[1], cos});
                        }
                    }
                }
                best.forEach((f, tc) -> {
                    FilterBadges.Badge dead = want.get(f);
                    want.put(f, new FilterBadges.Badge(dead != null, (int) tc[0], tc[1]));
                });

                assertEquals(want.keySet(), got.keySet(), layer.get("node").asText());
                for (int f : want.keySet()) {
                    FilterBadges.Badge w = want.get(f);
                    FilterBadges.Badge g = got.get(f);
                    assertEquals(w.dead(), g.dead(), "filter " + f);
                    assertEquals(w.twin(), g.twin(), "filter " + f);
                    if (w.duplicate()) {
                        assertEquals(w.cosine(), g.cosine(), 1e-6, "filter " + f);
                    }
                }
                badged += got.size();

                // Badged filters' tiles are outlined in the gap around them; nothing else changes.
                RenderedGrid grid = GridRenderer.renderFilters(bank, GridStyle.filters(), ChannelOrder.RGB);
                RenderedGrid outlined = FilterBadges.outline(grid, got);
                assertEquals(grid.tiles(), outlined.tiles());
                for (RenderedGrid.Tile t : grid.tiles()) {
                    FilterBadges.Badge b = got.get(t.channel());
                    int corner = outlined.image().getRGB(t.x() - 1, t.y() - 1) & 0xFFFFFF;
                    int was = grid.image().getRGB(t.x() - 1, t.y() - 1) & 0xFFFFFF;
                    assertEquals(b == null ? was : b.dead() ? FilterBadges.DEAD : FilterBadges.DUPLICATE, corner, t.toString());
                    for (int y = t.y(); y < t.y() + t.height(); y++) {
                        for (int x = t.x(); x < t.x() + t.width(); x++) {
                            assertEquals(grid.image().getRGB(x, y), outlined.image().getRGB(x, y), "a weight pixel was covered");
                        }
                    }
                }
            }
        }
        assertTrue(badged >= 3, "the strict thresholds find something to show: " + badged);
    }

    /** The Filters tab's picture of conv1: numpy's norms in the summary line and in each filter's tooltip name. */
    @Test
    void summaryAndTooltipsTellNumpysNorms() throws IOException {
        JsonNode layer = new ObjectMapper().readTree(NUMPY.toFile()).get("layers").get(0);
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            FilterBank bank = model.filters(layer.get("node").asText());
            RenderedGrid grid = GridRenderer.renderFilters(bank, GridStyle.filters(), ChannelOrder.RGB);
            ShownGrid shown = FiltersSource.withWeightStats(bank.layer(), bank, grid);
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (JsonNode n : layer.get("norms")) {
                lo = Math.min(lo, n.asDouble());
                hi = Math.max(hi, n.asDouble());
            }
            // The defaults (dead under 1 % of the median, duplicates from cosine 0.95) find none here, as numpy says.
            double maxCos = 0;
            for (JsonNode p : layer.get("pairs_cosine_at_least_0.5")) {
                maxCos = Math.max(maxCos, p.get("cosine").asDouble());
            }
            assertTrue(maxCos < 0.95);
            assertEquals(layer.get("norms").size() + " filters · L2 norm " + ShownGrid.format(lo) + "–" + ShownGrid.format(hi)
                    + " (median " + ShownGrid.format(layer.get("median_norm").asDouble()) + ") · 0 dead · 0 near-duplicate pairs (cosine ≥ 0.95)",
                    shown.values().summary());
            assertEquals(grid.image(), shown.grid().image(), "nothing to outline: the grid as drawn");
            RenderedGrid.Tile t = grid.tiles().get(3);
            assertEquals("filter 3 · L2 norm " + ShownGrid.format(layer.get("norms").get(3).asDouble()), shown.values().name(t));

            LayerWeightStats strict = WeightStats.of(model.filters("/conv2/Conv"), STRICT);
            String line = FilterBadges.summary(strict, STRICT);
            assertTrue(line.contains(" · " + strict.dead().size() + " dead ("), line);
            assertTrue(line.contains(String.format(Locale.ROOT, "near-duplicate pair%s (cosine ≥ 0.80)",
                    strict.duplicates().size() == 1 ? "" : "s")), line);
            assertFalse(strict.dead().isEmpty(), "conv2's weakest filter is under half the median norm");
        }
    }

    /**
     * With a folder chosen, the Filters tab's drawing runs it and outlines the filters never active
     * over it: on a model built so that filters 1 and 2 cannot fire on non-negative inputs
     * (samples/scripts/make_never_active_fixture.py; the command line's test checks its maxima
     * against the pixels), the bundled sample images, preset unit.
     */
    @Test
    void aFolderOutlinesTheFiltersNeverActiveOverIt() throws Exception {
        Path images = BUNDLE.resolve("images");
        try (Model model = FilterScope.open(BASE.resolve("../src/test/resources/examples/never_active.onnx").normalize())) {
            FiltersSource source = new FiltersSource();
            int[] changes = {0};
            source.onChange(() -> changes[0]++);
            source.setFolder(images);
            assertEquals(1, changes[0]);
            assertFalse(source.drawsAhead(), "with a folder, drawing ahead would run it for every layer");
            Scene scene = new Scene(model, 1, null, model.layer("conv"), null, null,
                    ViewSettings.defaults().withPreset(io.filterscope.preprocess.Preset.parse("unit")), List.of(), io.filterscope.render.Paper.WHITE);
            ContentSource.Content.Drawing d = (ContentSource.Content.Drawing) source.content(scene);
            List<Double> reported = new java.util.ArrayList<>();
            ShownGrid shown = d.work().draw(new TabContent.Progress() {
                @Override
                public boolean cancelled() {
                    return false;
                }

                @Override
                public void report(double fraction) {
                    reported.add(fraction);
                }
            });
            assertEquals(1.0, reported.get(reported.size() - 1));
            String summary = shown.values().summary();
            assertTrue(summary.contains(" · 2 never active over 10 images of images (1, 2)"), summary);
            assertTrue(summary.endsWith("outlined: red dead, purple never active, orange near-duplicate"), summary);
            for (RenderedGrid.Tile t : shown.grid().tiles()) {
                boolean never = t.channel() == 1 || t.channel() == 2;
                assertEquals(never, shown.values().name(t).contains("never active over 10 images"), shown.values().name(t));
                assertEquals(never, (shown.grid().image().getRGB(t.x() - 1, t.y() - 1) & 0xFFFFFF) == FilterBadges.NEVER_ACTIVE,
                        "filter " + t.channel() + "'s outline");
            }
            // Cancelled after the first batch: the work stops and nothing is kept for the next time.
            source.setFolder(BUNDLE);
            ContentSource.Content.Drawing again = (ContentSource.Content.Drawing) source.content(scene);
            assertThrows(java.util.concurrent.CancellationException.class, () -> again.work().draw(new TabContent.Progress() {
                @Override
                public boolean cancelled() {
                    return true;
                }

                @Override
                public void report(double fraction) {
                }
            }));
            source.setFolder(null);
            assertTrue(source.drawsAhead());
            assertFalse(((ContentSource.Content.Drawing) source.content(scene)).what().contains("Running the images"));
        }
    }
}
