package io.filterscope.swing;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Grids already drawn, least recently used first out, bounded by their total pixels rather than
 * their number: one grid of a wide layer can be as large as a hundred small ones (a piecewise grid
 * counts what it holds, about its values). EDT only.
 *
 * @param <K> what a grid depends on
 */
final class RenderCache<K> {
    private final long maxPixels;
    private final Map<K, ShownGrid> grids = new LinkedHashMap<>(32, 0.75f, true);
    private long pixels;

    /** @param maxPixels total pixels kept; the newest grid is kept even when it alone is larger */
    RenderCache(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    ShownGrid get(K key) {
        return grids.get(key);
    }

    boolean contains(K key) {
        return grids.containsKey(key);
    }

    void put(K key, ShownGrid grid) {
        ShownGrid old = grids.put(key, grid);
        if (old != null) {
            pixels -= size(old);
        }
        pixels += size(grid);
        Iterator<Map.Entry<K, ShownGrid>> eldest = grids.entrySet().iterator();
        while (pixels > maxPixels && grids.size() > 1) {
            Map.Entry<K, ShownGrid> e = eldest.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            pixels -= size(e.getValue());
            eldest.remove();
        }
    }

    void clear() {
        grids.clear();
        pixels = 0;
    }

    int size() {
        return grids.size();
    }

    long pixels() {
        return pixels;
    }

    private static long size(ShownGrid g) {
        return g.weight();
    }
}
