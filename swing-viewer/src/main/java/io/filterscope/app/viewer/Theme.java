package io.filterscope.app.viewer;

import java.util.Locale;
import java.util.Optional;

/** The viewer's colour theme, as chosen in View ▸ Theme and remembered between runs. */
public enum Theme {
    /** FlatLaf's light theme. */
    LIGHT,
    /** FlatLaf's dark theme. */
    DARK,
    /** Light or dark as the desktop prefers (see {@link SystemTheme}); the default. */
    SYSTEM;

    /** Whether this theme shows dark, asking the desktop only for {@link #SYSTEM}. */
    boolean isDark(SystemTheme system) {
        return switch (this) {
            case LIGHT -> false;
            case DARK -> true;
            case SYSTEM -> system.prefersDark();
        };
    }

    /** The menu text: "Light", "Dark", "System". */
    String label() {
        String n = name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    /** The theme stored under this name, if it is one. */
    static Optional<Theme> parse(String name) {
        for (Theme t : values()) {
            if (t.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
