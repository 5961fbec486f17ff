package io.filterscope.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What kind of file this backend is looking at, told from the first bytes and the zip directory
 * alone. Pure JDK on purpose: claiming a file must not load ND4J.
 */
enum FileKind {
    /** A zip written by DL4J's {@code ModelSerializer}: {@code configuration.json} + {@code coefficients.bin}. */
    DL4J_ZIP,
    /** A Keras 3 native {@code .keras} zip ({@code config.json}, {@code model.weights.h5}). */
    KERAS_ZIP,
    /** An HDF5 file; Keras 1/2 or Keras 3 legacy {@code .h5} when it holds a model. */
    HDF5,
    /** A zip that is neither of the above. */
    OTHER_ZIP;

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> HDF5_EXTENSIONS = Set.of("h5", "hdf5", "keras");

    /** The kind, or empty when the file is neither a zip nor HDF5 (or cannot be read). */
    static Optional<FileKind> sniff(Path file) {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (n == 8 && java.util.Arrays.equals(head, HDF5_SIGNATURE)) {
            return Optional.of(HDF5);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Optional.of(zipKind(file));
        }
        return Optional.empty();
    }

    private static FileKind zipKind(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (has(zip, "configuration.json") && has(zip, "coefficients.bin")) {
                return DL4J_ZIP;
            }
            // A Keras archive missing its config still has its other entries: sent to the Keras reader,
            // it is told that config.json is missing instead of being refused as a foreign zip.
            if (has(zip, "config.json") || has(zip, "model.weights.h5") || has(zip, "metadata.json")) {
                return KERAS_ZIP;
            }
            return OTHER_ZIP;
        } catch (IOException e) {
            return OTHER_ZIP;
        }
    }

    private static boolean has(ZipFile zip, String name) {
        ZipEntry e = zip.getEntry(name);
        return e != null && !e.isDirectory();
    }

    /** Whether the name suggests a file this backend reads, for files whose bytes are not yet telling. */
    static boolean hasModelExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && (HDF5_EXTENSIONS.contains(name.substring(dot + 1)) || name.endsWith(".zip"));
    }
}
