package io.filterscope.render;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Maps values in [0, 1] to colours, with matplotlib's 256-entry tables (loaded from
 * {@code colormaps.txt}, generated from matplotlib by {@code api/src/test/python/make_colormaps.py}).
 * The perceptually uniform maps (viridis, magma, inferno) make equal steps in value look like equal
 * steps in brightness, so feature maps are not misread; the diverging coolwarm is for signed values
 * such as filter weights, where its neutral middle marks zero.
 */
public enum Colormap {
    /** Black to white. */
    GRAY("gray", false),
    /** matplotlib's default: dark blue through green to yellow. */
    VIRIDIS("viridis", false),
    /** Black through purple and orange to pale yellow. */
    MAGMA("magma", false),
    /** Black through purple and red to pale yellow. */
    INFERNO("inferno", false),
    /** Diverging blue–gray–red (Moreland), for signed values: the middle is zero. */
    COOLWARM("coolwarm", true);

    private static final int SIZE = 256;

    private final String table;
    private final boolean diverging;

    Colormap(String table, boolean diverging) {
        this.table = table;
        this.diverging = diverging;
    }

    /**
     * The colour for {@code t} as 0xRRGGBB; t is clamped to [0, 1] and NaN counts as 0. Picks table
     * entry {@code min(floor(t × 256), 255)}, as matplotlib's {@code Colormap.__call__} does.
     */
    public int rgb(double t) {
        return Tables.TABLES.get(this)[index(t)];
    }

    /** The table entry {@link #rgb} uses for {@code t}. */
    static int index(double t) {
        if (!(t > 0)) {
            return 0;
        }
        if (t >= 1) {
            return SIZE - 1;
        }
        return Math.min((int) (t * SIZE), SIZE - 1);
    }

    /** Whether the map is diverging: made for signed values with zero in the middle. */
    public boolean diverging() {
        return diverging;
    }

    /**
     * The colormap with this name, ignoring case ("grey" is accepted for gray).
     *
     * @throws FilterScopeException listing the valid names when none matches
     */
    public static Colormap parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (key.equals("grey") || key.equals("greys")) {
            return GRAY;
        }
        for (Colormap c : values()) {
            if (c.table.equals(key)) {
                return c;
            }
        }
        throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "unknown colormap '" + name + "'; use one of "
                + Arrays.stream(values()).map(c -> c.table).collect(Collectors.joining(", ")));
    }

    /** Loaded on first use, so the enum itself never fails to initialise. */
    private static final class Tables {
        static final Map<Colormap, int[]> TABLES = load();

        private static Map<Colormap, int[]> load() {
            Map<Colormap, int[]> out = new EnumMap<>(Colormap.class);
            try (InputStream in = Colormap.class.getResourceAsStream("colormaps.txt")) {
                if (in == null) {
                    throw new IllegalStateException("colormaps.txt is missing from the filterscope-api jar; rebuild it");
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.trim().split("\\s+");
                    int[] entries = new int[parts.length - 1];
                    for (int i = 1; i < parts.length; i++) {
                        entries[i - 1] = Integer.parseInt(parts[i], 16);
                    }
                    for (Colormap c : values()) {
                        if (c.table.equals(parts[0])) {
                            if (entries.length != SIZE) {
                                throw new IllegalStateException("colormaps.txt: " + parts[0] + " has " + entries.length + " entries, not 256");
                            }
                            out.put(c, entries);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Colormap c : values()) {
                if (!out.containsKey(c)) {
                    throw new IllegalStateException("colormaps.txt has no table for " + c.table);
                }
            }
            return out;
        }
    }
}
