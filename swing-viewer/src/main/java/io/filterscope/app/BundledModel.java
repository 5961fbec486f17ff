package io.filterscope.app;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The small Fashion-MNIST model, its labels and one sample image per class, shipped inside the jar
 * under {@code io/filterscope/bundled/} and extracted once per run to a temporary folder (ONNX
 * Runtime needs a real file). Commands use it when no MODEL is given.
 */
public final class BundledModel {
    static final String ROOT = "io/filterscope/bundled/";
    static final String MODEL = "fashion_cnn.onnx";
    static final String LABELS = "labels.txt";
    static final String IMAGES = "images";

    private static BundledModel instance;

    private final Path dir;
    private final List<Path> images;

    private BundledModel(Path dir, List<Path> images) {
        this.dir = dir;
        this.images = List.copyOf(images);
    }

    /** The bundled files, extracted on first use; deleted when the JVM exits. */
    public static synchronized BundledModel get() {
        if (instance == null) {
            instance = extract();
        }
        return instance;
    }

    /** Whether this build carries a bundled model at all. */
    public static boolean isAvailable() {
        return BundledModel.class.getClassLoader().getResource(ROOT + MODEL) != null;
    }

    /** The extracted ONNX file. */
    public Path model() {
        return dir.resolve(MODEL);
    }

    /** The extracted labels, one class name a line. */
    public Path labels() {
        return dir.resolve(LABELS);
    }

    /** The extracted sample images, sorted by name ({@code 0-t-shirt-top.png} … {@code 9-ankle-boot.png}). */
    public List<Path> images() {
        return images;
    }

    /** The image commands use when neither --image nor --input-npy is given: the ankle boot, else the first. */
    public Path defaultImage() {
        if (images.isEmpty()) {
            throw new FilterScopeException("this build has no bundled sample images; give --image FILE or --input-npy FILE");
        }
        return images.stream()
                .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains("ankle"))
                .findFirst()
                .orElse(images.get(0));
    }

    /** A short name for messages and index.json, e.g. {@code fashion_cnn.onnx (bundled)}. */
    public static String displayName(Path extracted) {
        return extracted.getFileName() + " (bundled)";
    }

    /**
     * A lasting name for an extracted bundled file, e.g. {@code bundled:images/9-ankle-boot.png}:
     * the extracted copy lives in a temporary folder deleted at exit, so its path names nothing later.
     */
    public static String displayName(Path extracted, String folder) {
        return "bundled:" + folder + "/" + extracted.getFileName();
    }

    private static BundledModel extract() {
        ClassLoader loader = BundledModel.class.getClassLoader();
        if (loader.getResource(ROOT + MODEL) == null) {
            throw new FilterScopeException("this build has no bundled model (" + ROOT + MODEL
                    + " is missing from the class path); give the path of a MODEL file");
        }
        try {
            Path dir = Files.createTempDirectory("filterscope-bundled-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            copy(loader, ROOT + MODEL, dir.resolve(MODEL));
            copy(loader, ROOT + LABELS, dir.resolve(LABELS));
            Path imageDir = Files.createDirectory(dir.resolve(IMAGES));
            List<Path> images = new ArrayList<>();
            for (String name : listImages(loader)) {
                Path target = imageDir.resolve(name);
                copy(loader, ROOT + IMAGES + "/" + name, target);
                images.add(target);
            }
            images.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return new BundledModel(dir, images);
        } catch (IOException | UncheckedIOException e) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, "cannot extract the bundled model to a temporary folder (" + e.getMessage()
                    + "); give the path of a MODEL file", e);
        }
    }

    private static void copy(ClassLoader loader, String resource, Path target) throws IOException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the class path");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Names of the bundled images, from a folder on the class path or a folder inside the jar. */
    private static List<String> listImages(ClassLoader loader) throws IOException {
        URL url = loader.getResource(ROOT + IMAGES);
        if (url == null) {
            return List.of();
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("bad resource location " + url, e);
        }
        if ("jar".equals(uri.getScheme())) {
            FileSystem fs;
            boolean opened = false;
            try {
                fs = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            } catch (FileSystemAlreadyExistsException e) {
                fs = FileSystems.getFileSystem(uri);
            }
            try {
                return names(fs.provider().getPath(uri));
            } finally {
                if (opened) {
                    fs.close();
                }
            }
        }
        return names(Path.of(uri));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString())
                    .map(n -> n.endsWith("/") ? n.substring(0, n.length() - 1) : n)
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".png"))
                    .sorted()
                    .toList();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort at exit
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort at exit
        }
    }
}
