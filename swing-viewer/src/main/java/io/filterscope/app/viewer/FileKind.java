package io.filterscope.app.viewer;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.spi.ModelBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/** What a dropped or chosen file is to the viewer: a model some backend reads, or an image. */
enum FileKind {
    MODEL, IMAGE;

    /**
     * A model when an installed backend {@linkplain ModelBackend#claims claims} it, an image when
     * ImageIO has a reader for its content or its extension; opening tells whether it really is one.
     *
     * @throws FilterScopeException naming the file when it is neither, or not a readable file
     */
    static FileKind of(Path file, List<ModelBackend> backends) {
        if (Files.isDirectory(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": is a folder; open a model or an image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; open a model or an image file");
        }
        if (backends.stream().anyMatch(b -> b.claims(file))) {
            return MODEL;
        }
        if (isImage(file)) {
            return IMAGE;
        }
        // Also what a .h5 or .pt file gets while no installed backend reads it: say which ones are installed.
        throw new FilterScopeException(ErrorKind.BACKEND_MISSING, file + ": neither a model that an installed backend reads ("
                + (backends.isEmpty() ? "none installed" : backends.stream().map(ModelBackend::describeFiles).collect(Collectors.joining(", ")))
                + ") nor a PNG, JPEG, BMP or GIF image" + io.filterscope.spi.KnownBackends.hint(file, null, backends));
    }

    private static boolean isImage(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in != null && ImageIO.getImageReaders(in).hasNext()) {
                return true;
            }
        } catch (IOException e) {
            // Unreadable: decide by name, and let opening it say what is wrong.
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && ImageIO.getImageReadersBySuffix(name.substring(dot + 1).toLowerCase(Locale.ROOT)).hasNext();
    }
}
