package io.filterscope.swing;

import io.filterscope.model.ChannelStats;
import io.filterscope.model.FilterBank;
import io.filterscope.render.RenderedGrid;
import io.filterscope.stats.LayerWeightStats;
import io.filterscope.stats.WeightStats;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Filters tab's weight statistics (api {@link WeightStats}): each filter's tiles outlined when
 * the filter is dead (red), never active over the chosen folder of images (purple; api
 * {@link io.filterscope.stats.Activity}) or has a near-duplicate (orange), the filter's L2 norm and
 * its twin in the tooltip, and a summary line over the grid.
 */
final class FilterBadges {
    /** Outline colours: chosen to read on white and on a dark theme's background alike. */
    static final int DEAD = 0xE02020;
    static final int DUPLICATE = 0xF08C00;
    static final int NEVER_ACTIVE = 0x9040E0;

    /** What a filter's tiles say beyond its weights. */
    record Badge(boolean dead, boolean neverActive, int twin, double cosine) {
        /** No twin. */
        static final int NONE = -1;

        /** A badge from the weights alone. */
        Badge(boolean dead, int twin, double cosine) {
            this(dead, false, twin, cosine);
        }

        boolean duplicate() {
            return twin != NONE;
        }
    }

    /**
     * Which filters of a layer never fired over a folder of images.
     *
     * @param folder its name, as the summary tells it
     * @param images how many images were run
     * @param never  the filters whose post-activation map was at most 0 on every image
     */
    record FolderActivity(String folder, int images, List<Integer> never) {
        FolderActivity {
            never = List.copyOf(never);
        }
    }

    private FilterBadges() {
    }

    /** {@link #badges(LayerWeightStats)} with the filters never active over a folder badged too. */
    static Map<Integer, Badge> badges(LayerWeightStats stats, FolderActivity activity) {
        Map<Integer, Badge> out = badges(stats);
        for (int f : activity.never()) {
            Badge b = out.get(f);
            out.put(f, b == null ? new Badge(false, true, Badge.NONE, Double.NaN) : new Badge(b.dead(), true, b.twin(), b.cosine()));
        }
        return out;
    }

    /** {@link #summary(LayerWeightStats, WeightStats.Settings)} with the filters never active over the folder. */
    static String summary(LayerWeightStats stats, WeightStats.Settings settings, FolderActivity activity) {
        String s = summary(stats, settings);
        String legend = " · outlined: red dead, orange near-duplicate";
        if (s.endsWith(legend)) {
            s = s.substring(0, s.length() - legend.length());
        }
        StringBuilder b = new StringBuilder(s);
        b.append(" · ").append(activity.never().size()).append(" never active over ")
                .append(String.format(Locale.ROOT, "%,d", activity.images())).append(activity.images() == 1 ? " image" : " images")
                .append(" of ").append(activity.folder());
        if (!activity.never().isEmpty()) {
            b.append(" ").append(list(activity.never()));
        }
        if (!stats.dead().isEmpty() || !stats.duplicates().isEmpty() || !activity.never().isEmpty()) {
            b.append(" · outlined: red dead, purple never active, orange near-duplicate");
        }
        return b.toString();
    }

    /**
     * The badge of every filter that has one: dead, or (also) near-duplicate of the filter it is
     * most similar to among its pairs.
     */
    static Map<Integer, Badge> badges(LayerWeightStats stats) {
        Map<Integer, Badge> out = new TreeMap<>();
        for (int f : stats.dead()) {
            out.put(f, new Badge(true, Badge.NONE, Double.NaN));
        }
        // Pairs come most similar first, so the first pair a filter is in names its closest twin.
        for (LayerWeightStats.DuplicatePair p : stats.duplicates()) {
            for (int[] ab : new int[][] {{p.a(), p.b()}, {p.b(), p.a()}}) {
                Badge b = out.get(ab[0]);
                if (b == null || !b.duplicate()) {
                    out.put(ab[0], new Badge(b != null && b.dead(), ab[1], p.cosine()));
                }
            }
        }
        return out;
    }

    /** One line over the grid: how many filters, their norms, the dead and the near-duplicates. */
    static String summary(LayerWeightStats stats, WeightStats.Settings settings) {
        double[] n = stats.norms();
        double[] sorted = n.clone();
        Arrays.sort(sorted);
        StringBuilder s = new StringBuilder();
        s.append(stats.filters()).append(stats.filters() == 1 ? " filter" : " filters");
        if (n.length > 0) {
            s.append(" · L2 norm ").append(ShownGrid.format(sorted[0])).append("–").append(ShownGrid.format(sorted[n.length - 1]))
                    .append(" (median ").append(ShownGrid.format(median(sorted))).append(")");
        }
        s.append(" · ").append(stats.dead().size()).append(" dead");
        if (!stats.dead().isEmpty()) {
            s.append(" ").append(list(stats.dead()));
        }
        s.append(" · ").append(stats.duplicates().size()).append(" near-duplicate pair").append(stats.duplicates().size() == 1 ? "" : "s")
                .append(" (cosine ≥ ").append(String.format(Locale.ROOT, "%.2f", settings.duplicateCosine())).append(")");
        if (!stats.duplicates().isEmpty()) {
            StringBuilder pairs = new StringBuilder();
            List<LayerWeightStats.DuplicatePair> shown = stats.duplicates().subList(0, Math.min(5, stats.duplicates().size()));
            for (LayerWeightStats.DuplicatePair p : shown) {
                pairs.append(pairs.length() > 0 ? ", " : "").append(p.a()).append("–").append(p.b());
            }
            s.append(": ").append(pairs).append(stats.duplicates().size() > shown.size() ? ", …" : "");
        }
        if (!stats.dead().isEmpty() || !stats.duplicates().isEmpty()) {
            s.append(" · outlined: red dead, orange near-duplicate");
        }
        return s.toString();
    }

    private static String list(List<Integer> filters) {
        List<Integer> shown = filters.subList(0, Math.min(8, filters.size()));
        return "(" + String.join(", ", shown.stream().map(String::valueOf).toList()) + (filters.size() > shown.size() ? ", …" : "") + ")";
    }

    private static double median(double[] sorted) {
        int k = sorted.length;
        return k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
    }

    /** A copy of the grid with each badged filter's tiles outlined; the tiles stay where they are. */
    static RenderedGrid outline(RenderedGrid grid, Map<Integer, Badge> badges) {
        if (badges.isEmpty()) {
            return grid;
        }
        BufferedImage src = grid.image();
        BufferedImage img = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.drawImage(src, 0, 0, null);
            g.setStroke(new BasicStroke(1f));
            for (RenderedGrid.Tile t : grid.tiles()) {
                Badge b = badges.get(t.channel());
                if (b == null) {
                    continue;
                }
                g.setColor(new Color(b.dead() ? DEAD : b.neverActive() ? NEVER_ACTIVE : DUPLICATE));
                // Just outside the tile where the gap allows, so no weight pixel is covered.
                g.drawRect(t.x() - 1, t.y() - 1, t.width() + 1, t.height() + 1);
            }
        } finally {
            g.dispose();
        }
        return new RenderedGrid(img, grid.tiles());
    }

    /**
     * A filter grid's numbers, with each filter's norm and badge in its tile's name.
     *
     * @param images how many images the never-active badges are over (0: no folder)
     */
    record Values(FilterBank bank, LayerWeightStats stats, Map<Integer, Badge> badges, String summary, int images)
            implements ShownGrid.Values {
        Values {
            badges = Map.copyOf(badges);
        }

        Values(FilterBank bank, LayerWeightStats stats, Map<Integer, Badge> badges, String summary) {
            this(bank, stats, badges, summary, 0);
        }

        @Override
        public String name(RenderedGrid.Tile tile) {
            StringBuilder s = new StringBuilder(new ShownGrid.FilterValues(bank).name(tile));
            int f = tile.channel();
            if (f >= 0 && f < stats.filters()) {
                s.append(" · L2 norm ").append(ShownGrid.format(stats.norms()[f]));
            }
            Badge b = badges.get(f);
            if (b != null && b.dead()) {
                s.append(" · dead (near-zero norm)");
            }
            if (b != null && b.neverActive()) {
                s.append(" · never active over ").append(String.format(Locale.ROOT, "%,d", images)).append(images == 1 ? " image" : " images");
            }
            if (b != null && b.duplicate()) {
                s.append(" · near-duplicate of filter ").append(b.twin()).append(" (cosine ")
                        .append(String.format(Locale.ROOT, "%.3f", b.cosine())).append(")");
            }
            return s.toString();
        }

        @Override
        public String valueAt(RenderedGrid.Tile tile, int row, int column) {
            return new ShownGrid.FilterValues(bank).valueAt(tile, row, column);
        }

        @Override
        public ChannelStats stats(RenderedGrid.Tile tile) {
            return new ShownGrid.FilterValues(bank).stats(tile);
        }

        @Override
        public String summary() {
            return summary;
        }
    }
}
