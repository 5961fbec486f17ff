package io.filterscope.swing;

import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.ChannelOrder;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridCanvas;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Normalization;
import io.filterscope.render.Paper;
import io.filterscope.render.RenderedGrid;
import io.filterscope.stats.LayerWeightStats;
import io.filterscope.stats.WeightStats;
import java.util.List;
import java.util.Map;

/**
 * The Filters tab: the selected conv layer's weights, one tile per filter and input channel, with
 * the layer's weight statistics: dead and near-duplicate filters outlined, each filter's L2 norm in
 * its tooltip and a summary line above the grid.
 */
final class FiltersSource extends GridSource {
    /** The api's defaults, as {@code filterscope stats} uses them. */
    static final WeightStats.Settings STATS = WeightStats.Settings.defaults();

    /**
     * Grids larger than this are shown piece by piece (only what is on screen is painted): a
     * 512 × 512 × 3 × 3 layer's grid has 65 million pixels, 0.2 to 1 s to paint whole. Smaller ones
     * (the bundled model's largest, 64 × 32 × 3 × 3, has about 5) are painted whole, cached and fitted.
     * Such wide layers also go without the weight statistics: their near-duplicate search alone
     * (every pair of 512 filters) would cost more than the first picture may.
     */
    static final long PIECEWISE_PIXELS = 16L << 20;

    /** The filter grid with the bank's weight statistics drawn in and told. */
    static ShownGrid withWeightStats(String layer, FilterBank bank, RenderedGrid grid) {
        LayerWeightStats stats = WeightStats.of(bank, STATS);
        Map<Integer, FilterBadges.Badge> badges = FilterBadges.badges(stats);
        return new ShownGrid(layer, FilterBadges.outline(grid, badges),
                new FilterBadges.Values(bank, stats, badges, FilterBadges.summary(stats, STATS)));
    }


    /**
     * What a filter grid depends on: {@code order} is how a depth-3 filter's channels map to
     * colours, which follows the preset. Filters do not depend on the image.
     */
    private record Key(long modelSource, String layer, Colormap colormap, Normalization normalization, ChannelOrder order, Paper paper) {
    }

    FiltersSource() {
        super(ViewTab.FILTERS, "Filters", "filters");
    }

    @Override
    public Content content(Scene s) {
        if (s.model() == null) {
            return new Content.Message("Open a model to see its filters.");
        }
        LayerInfo selected = s.layer();
        if (selected == null) {
            return new Content.Message("Select a layer on the left.");
        }
        if (!selected.kind().hasFilters()) {
            List<String> withFilters = s.model().layers().stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).toList();
            return new Content.Message(selected.name() + " (" + selected.op() + ") has no filters.\n"
                    + (withFilters.isEmpty() ? "This model has no convolution layers."
                    : "Layers with filters: " + String.join(", ", withFilters) + "."));
        }
        String layer = selected.name();
        Model m = s.model();
        GridStyle style = GridStyle.filters().withColormap(s.settings().colormap()).withNormalization(s.settings().normalization())
                .withPaper(s.paper());
        ChannelOrder order = s.channelOrder();
        long source = s.modelSource();
        return new Content.Drawing(new Key(source, layer, style.colormap(), style.normalization(), order, style.paper()),
                "Drawing the filters of " + layer + "…", "Cannot draw the filters of " + layer, () -> {
                    FilterBank bank = m.filters(layer);
                    GridCanvas canvas = GridRenderer.layOutFilters(bank, style, order);
                    if ((long) canvas.width() * canvas.height() > PIECEWISE_PIXELS) {
                        return ShownGrid.piecewise(layer, canvas, new ShownGrid.FilterValues(bank));
                    }
                    return withWeightStats(layer, bank, canvas.render());
                }, now -> now.modelSource() == source);
    }
}
