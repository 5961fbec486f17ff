package io.filterscope.io;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The images of a folder, for commands that run over many: the files (in subfolders too) whose
 * names end in .png, .jpg, .jpeg, .bmp or .gif, in the order of their paths relative to the folder,
 * so every run and every shard split sees the same order. Other files are left out without a
 * word (a README, .DS_Store); an image file that cannot be decoded is the caller's to report and skip.
 */
public final class ImageFolder {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private final Path dir;
    private final List<Path> files;

    private ImageFolder(Path dir, List<Path> files) {
        this.dir = dir;
        this.files = files;
    }

    /**
     * Lists {@code dir}. Symbolic links to folders are not followed.
     *
     * @throws FilterScopeException naming the folder when it is missing, not a folder, unreadable or
     *         holds no image files
     */
    public static ImageFolder of(Path dir) {
        if (!Files.exists(dir)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, dir + ": no such folder; give a folder of images");
        }
        if (!Files.isDirectory(dir)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, dir + ": is a file, not a folder; give a folder of images");
        }
        List<Path> found;
        try (Stream<Path> s = Files.walk(dir, Integer.MAX_VALUE, EnumSet.noneOf(FileVisitOption.class).toArray(FileVisitOption[]::new))) {
            // Each name made once, not twice per comparison: a sort of 10,000 files compares about 140,000 times.
            found = s.filter(Files::isRegularFile).filter(ImageFolder::isImageName)
                    .map(f -> java.util.Map.entry(name(dir, f), f))
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .map(java.util.Map.Entry::getValue).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, dir + ": cannot be listed (" + e.getMessage()
                    + "); check its permissions", e);
        }
        if (found.isEmpty()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, dir
                    + ": holds no images (.png, .jpg, .jpeg, .bmp or .gif files); give a folder of images");
        }
        return new ImageFolder(dir, found);
    }

    /** Whether the file name has one of the image extensions, in any case. */
    public static boolean isImageName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The image files, in order. */
    public List<Path> files() {
        return files;
    }

    /** The number of image files. */
    public int size() {
        return files.size();
    }

    /** How {@code file} is named in results: its path relative to the folder, with '/' between parts. */
    public String name(Path file) {
        return name(dir, file);
    }

    private static String name(Path dir, Path file) {
        Path rel = dir.relativize(file);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }
}
