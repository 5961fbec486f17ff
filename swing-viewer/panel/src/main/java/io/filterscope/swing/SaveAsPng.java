package io.filterscope.swing;

import java.awt.Component;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import javax.swing.JFileChooser;
import javax.swing.JOptionPane;
import javax.swing.filechooser.FileNameExtensionFilter;

/**
 * The one "Save view as PNG…" dialog, for the panel's popup menu and a host's File menu alike: a
 * file chooser that offers a name, adds ".png" when the name lacks it and asks before replacing a file.
 */
final class SaveAsPng {
    static final String TITLE = "Save view as PNG";

    private SaveAsPng() {
    }

    /**
     * Asks where to save.
     *
     * @param folder    where the chooser opens; null for the user's default folder
     * @param suggested the file name offered, e.g. "conv1-filters.png"
     * @return the file to write; empty when the person cancelled or declined to replace a file
     */
    static Optional<Path> choose(Component parent, Path folder, String suggested) {
        JFileChooser c = new JFileChooser(folder == null ? null : folder.toFile());
        c.setDialogTitle(TITLE);
        c.setFileFilter(new FileNameExtensionFilter("PNG images", "png"));
        c.setSelectedFile(new File(c.getCurrentDirectory(), suggested));
        if (c.showSaveDialog(parent) != JFileChooser.APPROVE_OPTION || c.getSelectedFile() == null) {
            return Optional.empty();
        }
        Path target = withPngExtension(c.getSelectedFile().toPath());
        if (Files.exists(target) && JOptionPane.showConfirmDialog(parent, target.getFileName() + " exists. Replace it?",
                TITLE, JOptionPane.YES_NO_OPTION) != JOptionPane.YES_OPTION) {
            return Optional.empty();
        }
        return Optional.of(target);
    }

    /** {@code p}, or {@code p} with ".png" added when its name does not end so. */
    static Path withPngExtension(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png") ? p : p.resolveSibling(p.getFileName() + ".png");
    }
}
