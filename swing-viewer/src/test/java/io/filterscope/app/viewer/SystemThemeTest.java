package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the desktop's theme preference is read; the desktop's answers are given by a fake command runner. */
class SystemThemeTest {

    private static SystemTheme linux(Map<String, String> env, Map<String, String> answers) {
        return new SystemTheme(env, "Linux", cmd -> Optional.ofNullable(answers.get(String.join(" ", cmd))));
    }

    @Test
    void gtkThemeVariableDecidesFirst() {
        assertTrue(linux(Map.of("GTK_THEME", "Adwaita:dark"), Map.of()).prefersDark());
        assertFalse(linux(Map.of("GTK_THEME", "Adwaita"),
                Map.of("gsettings get org.gnome.desktop.interface color-scheme", "'prefer-dark'\n")).prefersDark());
    }

    @Test
    void gnomeColorSchemeThenThemeName() {
        String scheme = "gsettings get org.gnome.desktop.interface color-scheme";
        String theme = "gsettings get org.gnome.desktop.interface gtk-theme";
        assertTrue(linux(Map.of(), Map.of(scheme, "'prefer-dark'\n")).prefersDark());
        assertFalse(linux(Map.of(), Map.of(scheme, "'prefer-light'\n", theme, "'Yaru-dark'\n")).prefersDark());
        assertTrue(linux(Map.of(), Map.of(scheme, "'default'\n", theme, "'Yaru-dark'\n")).prefersDark());
        assertFalse(linux(Map.of(), Map.of(scheme, "'default'\n", theme, "'Adwaita'\n")).prefersDark());
    }

    @Test
    void nothingAnswersMeansLight() {
        assertFalse(linux(Map.of(), Map.of()).prefersDark());
        // The real desktop of the test machine (Xvfb has none): must answer, not hang or throw.
        SystemTheme.current().prefersDark();
    }

    @Test
    void macAndWindows() {
        assertTrue(new SystemTheme(Map.of(), "Mac OS X", cmd -> Optional.of("Dark\n")).prefersDark());
        assertFalse(new SystemTheme(Map.of(), "Mac OS X", cmd -> Optional.empty()).prefersDark());
        String dark = "\r\nHKEY_CURRENT_USER\\Software\\...\\Personalize\r\n    AppsUseLightTheme    REG_DWORD    0x0\r\n";
        String light = "\r\nHKEY_CURRENT_USER\\Software\\...\\Personalize\r\n    AppsUseLightTheme    REG_DWORD    0x1\r\n";
        assertTrue(new SystemTheme(Map.of(), "Windows 11", cmd -> Optional.of(dark)).prefersDark());
        assertFalse(new SystemTheme(Map.of(), "Windows 11", cmd -> Optional.of(light)).prefersDark());
        assertFalse(new SystemTheme(Map.of("GTK_THEME", "x:dark"), "Windows 11", cmd -> Optional.<String>empty()).prefersDark());
        assertTrue(List.of(Theme.values()).contains(Theme.parse("dark").orElseThrow()));
    }
}
