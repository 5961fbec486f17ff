package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RenderCacheTest {

    static ShownGrid grid(int w, int h) {
        return ShownGrid.picture("l", new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB));
    }

    @Test
    void keepsGridsUpToItsPixelBudgetDroppingTheLeastRecentlyUsed() {
        RenderCache<String> cache = new RenderCache<>(300);
        cache.put("a", grid(10, 10));
        cache.put("b", grid(10, 10));
        cache.put("c", grid(10, 10));
        assertEquals(300, cache.pixels());
        cache.get("a"); // a is now the most recently used
        cache.put("d", grid(10, 10));
        assertTrue(cache.contains("a"));
        assertFalse(cache.contains("b"), "the least recently used goes first");
        assertEquals(300, cache.pixels());
    }

    @Test
    void aGridLargerThanTheBudgetIsStillKeptAlone() {
        RenderCache<String> cache = new RenderCache<>(300);
        cache.put("a", grid(10, 10));
        cache.put("big", grid(100, 100));
        assertEquals(1, cache.size());
        assertTrue(cache.contains("big"));
        cache.put("big", grid(5, 5));
        assertEquals(25, cache.pixels(), "replacing an entry counts only the new one");
    }
}
