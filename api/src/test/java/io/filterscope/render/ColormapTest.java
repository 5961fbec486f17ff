package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColormapTest {

    /** cmap(t) from matplotlib itself at values between table entries (make_colormaps.py). */
    @Test
    void matchesMatplotlibSamples() throws IOException {
        List<String> rows = Files.readAllLines(Fixtures.path("colormap/samples.csv"));
        int checked = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            Colormap cmap = Colormap.parse(f[0]);
            double t = Double.parseDouble(f[1]);
            int expected = channel(f[2]) << 16 | channel(f[3]) << 8 | channel(f[4]);
            assertEquals(hex(expected), hex(cmap.rgb(t)), f[0] + " at " + t);
            checked++;
        }
        assertEquals(5 * 13, checked);
    }

    /** Matplotlib rounds with Python's round(), half to even, as Math.rint does. */
    private static int channel(String v) {
        return (int) Math.rint(Double.parseDouble(v) * 255);
    }

    /** Values published with the colormaps (matplotlib's _cm_listed.py, the coolwarm paper). */
    @Test
    void publishedEndpoints() {
        assertEquals("440154", hex(Colormap.VIRIDIS.rgb(0)));
        assertEquals("fde725", hex(Colormap.VIRIDIS.rgb(1)));
        assertEquals("21918c", hex(Colormap.VIRIDIS.rgb(0.5)));
        assertEquals("000004", hex(Colormap.MAGMA.rgb(0)));
        assertEquals("fcfdbf", hex(Colormap.MAGMA.rgb(1)));
        assertEquals("000004", hex(Colormap.INFERNO.rgb(0)));
        assertEquals("fcffa4", hex(Colormap.INFERNO.rgb(1)));
        assertEquals("3b4cc0", hex(Colormap.COOLWARM.rgb(0)));
        assertEquals("b40426", hex(Colormap.COOLWARM.rgb(1)));
        assertEquals("000000", hex(Colormap.GRAY.rgb(0)));
        assertEquals("ffffff", hex(Colormap.GRAY.rgb(1)));
    }

    @Test
    void clampsAndTreatsNanAsLow() {
        assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.VIRIDIS.rgb(-3));
        assertEquals(Colormap.VIRIDIS.rgb(1), Colormap.VIRIDIS.rgb(7));
        assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.VIRIDIS.rgb(Double.NaN));
        assertNotEquals(Colormap.VIRIDIS.rgb(0.3), Colormap.MAGMA.rgb(0.3));
    }

    @Test
    void onlyCoolwarmIsDiverging() {
        assertTrue(Colormap.COOLWARM.diverging());
        assertFalse(Colormap.VIRIDIS.diverging());
        assertFalse(Colormap.GRAY.diverging());
    }

    @Test
    void parse() {
        assertEquals(Colormap.INFERNO, Colormap.parse("Inferno"));
        assertEquals(Colormap.GRAY, Colormap.parse("grey"));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Colormap.parse("jet"));
        assertEquals("unknown colormap 'jet'; use one of gray, viridis, magma, inferno, coolwarm", e.getMessage());
        assertEquals(Normalization.PER_TILE, Normalization.parse("per-tile"));
        assertEquals(Normalization.PER_LAYER, Normalization.parse("LAYER"));
        assertEquals(Normalization.SYMMETRIC, Normalization.parse("symmetric"));
        assertThrows(FilterScopeException.class, () -> Normalization.parse("global"));
    }

    static String hex(int rgb) {
        return String.format("%06x", rgb & 0xffffff);
    }
}
