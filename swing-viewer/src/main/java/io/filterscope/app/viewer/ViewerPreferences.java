package io.filterscope.app.viewer;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the viewer remembers between runs, in {@link java.util.prefs} (on Linux under
 * {@code ~/.java/.userPrefs/io/filterscope/viewer}): the theme, the recently opened files and the
 * folder of the last file chooser. Tests give their own node.
 */
final class ViewerPreferences {
    /** How many recent files File ▸ Open recent keeps. */
    static final int MAX_RECENT = 10;
    private static final String THEME = "theme";
    private static final String RECENT = "recent.";
    private static final String LAST_FOLDER = "lastFolder";

    /**
     * java.util.prefs says "INFO: Created user preferences directory." on stderr the first time a
     * user runs any Java program that keeps preferences; that is no news to a viewer user. Warnings
     * (a preferences folder that cannot be written) still show. Held here so the level is not lost
     * with a collected logger.
     */
    private static final Logger PREFS_LOG = Logger.getLogger("java.util.prefs");

    static {
        PREFS_LOG.setLevel(Level.WARNING);
    }

    private final Preferences node;

    ViewerPreferences(Preferences node) {
        this.node = node;
    }

    /**
     * The current user's viewer preferences, in the node {@code io/filterscope/viewer}, or the one the
     * system property {@code filterscope.viewer.preferences} names (a separate profile, or tests).
     */
    static ViewerPreferences user() {
        return new ViewerPreferences(Preferences.userRoot().node(System.getProperty(NODE_PROPERTY, "io/filterscope/viewer")));
    }

    /** The system property that names another preferences node. */
    static final String NODE_PROPERTY = "filterscope.viewer.preferences";

    /** The chosen theme; {@link Theme#SYSTEM} until one is chosen. */
    Theme theme() {
        return Theme.parse(node.get(THEME, "")).orElse(Theme.SYSTEM);
    }

    void setTheme(Theme theme) {
        node.put(THEME, theme.name());
        flush();
    }

    /** The recent files, newest first, without those that no longer exist. */
    List<Path> recentFiles() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < MAX_RECENT; i++) {
            String s = node.get(RECENT + i, null);
            if (s == null) {
                break;
            }
            try {
                Path p = Path.of(s);
                if (Files.isRegularFile(p) && !out.contains(p)) {
                    out.add(p);
                }
            } catch (InvalidPathException e) {
                // Written by another OS or edited by hand: drop it.
            }
        }
        return out;
    }

    /** Puts {@code file} first in the recent files, keeping at most {@link #MAX_RECENT}. */
    void addRecent(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        List<Path> list = new ArrayList<>(recentFiles());
        list.remove(abs);
        list.add(0, abs);
        for (int i = 0; i < MAX_RECENT; i++) {
            if (i < list.size()) {
                node.put(RECENT + i, list.get(i).toString());
            } else {
                node.remove(RECENT + i);
            }
        }
        flush();
    }

    /** The folder the last file chooser ended in. */
    Optional<Path> lastFolder() {
        String s = node.get(LAST_FOLDER, null);
        try {
            return s == null ? Optional.empty() : Optional.of(Path.of(s)).filter(Files::isDirectory);
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    void setLastFolder(Path folder) {
        node.put(LAST_FOLDER, folder.toAbsolutePath().toString());
        flush();
    }

    private void flush() {
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // The preferences stay in memory for this run; a read-only home is no reason to fail.
        }
    }
}
