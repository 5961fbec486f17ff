package io.filterscope;

import io.filterscope.model.LayerInfo;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Name lookups that fail with a helpful message. */
public final class Names {
    private Names() {
    }

    /**
     * The layer named {@code name}.
     *
     * @throws FilterScopeException with the closest names when there is none
     */
    public static LayerInfo findLayer(List<LayerInfo> layers, String name, Path file) {
        for (LayerInfo l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        List<String> close = closest(LayerInfo.names(layers), name, 3);
        throw new FilterScopeException(ErrorKind.UNKNOWN_LAYER, file.getFileName() + ": no layer named '" + name + "'"
                + (close.isEmpty() ? "" : "; did you mean " + String.join(", ", close.stream().map(n -> "'" + n + "'").toList()) + "?")
                + " (`filterscope info` lists the layers)");
    }

    /** Up to {@code max} candidates closest to {@code wanted}: substring matches first, then by edit distance. */
    public static List<String> closest(List<String> candidates, String wanted, int max) {
        String w = wanted.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .sorted(Comparator.comparingInt((String c) -> c.toLowerCase(Locale.ROOT).contains(w) ? 0 : 1)
                        .thenComparingInt(c -> editDistance(c.toLowerCase(Locale.ROOT), w)))
                .filter(c -> c.toLowerCase(Locale.ROOT).contains(w) || editDistance(c.toLowerCase(Locale.ROOT), w) <= Math.max(2, w.length() / 2))
                .limit(max)
                .toList();
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The longest name {@link #sanitize} returns: room for suffixes within file systems' 255 bytes. */
    public static final int MAX_FILE_NAME = 120;

    /**
     * A file-name-safe form of a layer or tensor name: only [A-Za-z0-9._-], never empty or a dot
     * name, never a path (no separator survives), at most {@link #MAX_FILE_NAME} characters. Longer
     * names keep their start and end a hash of the whole name, so different long names stay apart.
     */
    public static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        s = s.replaceAll("^[._]+", "");
        if (s.isEmpty()) {
            return "_";
        }
        if (s.length() > MAX_FILE_NAME) {
            s = s.substring(0, MAX_FILE_NAME - 9) + "_" + String.format("%08x", name.hashCode());
        }
        return s;
    }
}
