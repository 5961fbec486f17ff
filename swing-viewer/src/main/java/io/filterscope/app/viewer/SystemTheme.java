package io.filterscope.app.viewer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the desktop prefers a dark theme. FlatLaf cannot tell on Linux, so this asks the desktop
 * itself, in this order, and falls back to light when nothing answers:
 *
 * <ol>
 *   <li>{@code GTK_THEME} (e.g. {@code Adwaita:dark}): dark when it names a dark variant;</li>
 *   <li>GNOME's {@code gsettings get org.gnome.desktop.interface color-scheme}: {@code 'prefer-dark'};</li>
 *   <li>GNOME's {@code gsettings get org.gnome.desktop.interface gtk-theme}: a name with "dark";</li>
 *   <li>on macOS {@code defaults read -g AppleInterfaceStyle} answering {@code Dark};</li>
 *   <li>on Windows the registry value {@code AppsUseLightTheme} being 0.</li>
 * </ol>
 *
 * <p>Each question is a small process with a one-second limit; a missing tool counts as no answer.
 */
final class SystemTheme {

    /** Runs a command and gives its standard output, or empty when it fails or is missing. */
    @FunctionalInterface
    interface Commands {
        Optional<String> output(List<String> command);
    }

    private final Map<String, String> env;
    private final String osName;
    private final Commands commands;

    SystemTheme(Map<String, String> env, String osName, Commands commands) {
        this.env = env;
        this.osName = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        this.commands = commands;
    }

    /** The desktop this process runs on. */
    static SystemTheme current() {
        return new SystemTheme(System.getenv(), System.getProperty("os.name"), SystemTheme::run);
    }

    /** Whether the desktop prefers dark; false when it does not say. */
    boolean prefersDark() {
        if (osName.startsWith("mac")) {
            return commands.output(List.of("defaults", "read", "-g", "AppleInterfaceStyle"))
                    .map(s -> s.strip().equalsIgnoreCase("dark")).orElse(false);
        }
        if (osName.startsWith("windows")) {
            return commands.output(List.of("reg", "query",
                            "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize", "/v", "AppsUseLightTheme"))
                    .map(s -> s.matches("(?s).*AppsUseLightTheme\\s+REG_DWORD\\s+0x0+\\b.*")).orElse(false);
        }
        String gtkTheme = env.get("GTK_THEME");
        if (gtkTheme != null && !gtkTheme.isBlank()) {
            return isDarkName(gtkTheme);
        }
        Optional<String> scheme = commands.output(List.of("gsettings", "get", "org.gnome.desktop.interface", "color-scheme"));
        if (scheme.map(s -> s.contains("prefer-dark")).orElse(false)) {
            return true;
        }
        if (scheme.map(s -> s.contains("prefer-light")).orElse(false)) {
            return false;
        }
        return commands.output(List.of("gsettings", "get", "org.gnome.desktop.interface", "gtk-theme"))
                .map(SystemTheme::isDarkName).orElse(false);
    }

    /** GTK names dark variants "Name-dark", "Name:dark" or "Name-Dark". */
    static boolean isDarkName(String theme) {
        return theme.toLowerCase(Locale.ROOT).contains("dark");
    }

    private static Optional<String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (InputStream in = p.getInputStream()) {
                if (!p.waitFor(1, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return Optional.empty();
                }
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
