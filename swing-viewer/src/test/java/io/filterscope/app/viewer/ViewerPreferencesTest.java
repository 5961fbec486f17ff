package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Theme and recent files kept in a real java.util.prefs node of its own. */
class ViewerPreferencesTest {
    private final Preferences node = Preferences.userRoot().node("io/filterscope/test-" + UUID.randomUUID());

    @AfterEach
    void removeNode() throws BackingStoreException {
        node.removeNode();
    }

    @Test
    void testsKeepTheirPreferencesInTheBuildFolderNotTheUsers() throws BackingStoreException {
        // The build sets java.util.prefs.userRoot under target/: tests must not write into the
        // person's own ~/.java, nor share its lock with another JVM (a "Couldn't get file lock" flake).
        String root = System.getProperty("java.util.prefs.userRoot", "");
        assertTrue(Path.of(root).normalize().toString().contains("target"), "java.util.prefs.userRoot is " + root);
        node.put("probe", "1");
        node.flush();
        assertTrue(Files.isDirectory(Path.of(root, ".java", ".userPrefs")), "preferences written under " + root);
    }

    @Test
    void themeDefaultsToSystemAndIsRemembered() {
        assertEquals(Theme.SYSTEM, new ViewerPreferences(node).theme());
        new ViewerPreferences(node).setTheme(Theme.DARK);
        assertEquals(Theme.DARK, new ViewerPreferences(node).theme());
        node.put("theme", "purple");
        assertEquals(Theme.SYSTEM, new ViewerPreferences(node).theme());
    }

    @Test
    void recentFilesNewestFirstAtMostTenWithoutDuplicates(@TempDir Path tmp) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(Files.writeString(tmp.resolve("f" + i + ".onnx"), "x"));
        }
        ViewerPreferences prefs = new ViewerPreferences(node);
        files.forEach(prefs::addRecent);
        prefs.addRecent(files.get(5)); // again: moves to the front
        List<Path> recent = new ViewerPreferences(node).recentFiles();
        assertEquals(ViewerPreferences.MAX_RECENT, recent.size());
        assertEquals(List.of(files.get(5), files.get(11), files.get(10), files.get(9)), recent.subList(0, 4));
        assertEquals(files.get(2), recent.get(9)); // f0 and f1 fell off the end
    }

    @Test
    void missingFilesAreDropped(@TempDir Path tmp) throws IOException {
        Path kept = Files.writeString(tmp.resolve("kept.png"), "x");
        Path gone = Files.writeString(tmp.resolve("gone.png"), "x");
        ViewerPreferences prefs = new ViewerPreferences(node);
        prefs.addRecent(kept);
        prefs.addRecent(gone);
        Files.delete(gone);
        assertEquals(List.of(kept), prefs.recentFiles());
    }

    /** What a first start does with preferences, in a JVM of its own (java.util.prefs sets up once per JVM). */
    public static final class FirstStart {
        public static void main(String[] args) {
            System.out.println(ViewerPreferences.user().theme());
        }
    }

    @Test
    void aFirstStartSaysNothingAboutCreatingThePreferencesFolder(@TempDir Path home) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Djava.util.prefs.userRoot=" + home,
                "-Dfilterscope.viewer.preferences=io/filterscope/test-first-start",
                "-cp", System.getProperty("java.class.path"), FirstStart.class.getName())
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals("SYSTEM", out.strip(), err);
        // The folder was made (so this was a first start) and nothing was said about it.
        assertTrue(Files.isDirectory(home.resolve(".java/.userPrefs")), "no preferences folder under " + home);
        assertEquals("", err);
    }
}
