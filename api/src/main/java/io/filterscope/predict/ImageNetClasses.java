package io.filterscope.predict;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The 1,000 ImageNet-1k class names, in class-index order, for classifiers that come without a
 * labels file: every torchvision and keras.applications ImageNet model outputs 1,000 scores in this
 * order. The list is torchvision's ({@code ResNet18_Weights.IMAGENET1K_V1.meta["categories"]}),
 * written by {@code samples/scripts/make_imagenet_classes.py}.
 *
 * <p>A 1,000-way output is not proof of an ImageNet model; callers say when they used these names,
 * and a labels file the user gives always wins.
 */
public final class ImageNetClasses {
    /** How many classes ImageNet-1k has. */
    public static final int COUNT = 1000;
    /** How to name where the names came from, for users. */
    public static final String DESCRIPTION = "ImageNet-1k class names (built in)";
    private static final String RESOURCE = "imagenet-classes.txt";
    private static volatile List<String> names;

    private ImageNetClasses() {
    }

    /** The 1,000 names, index 0 ("tench") to 999 ("toilet tissue"). */
    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the class path");
                }
                n = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n.size() != COUNT) {
                throw new IllegalStateException(RESOURCE + " has " + n.size() + " names, not " + COUNT);
            }
            names = n;
        }
        return n;
    }

    /** The names when an output has {@value #COUNT} classes, else empty. */
    public static Optional<List<String>> forClasses(long classes) {
        return classes == COUNT ? Optional.of(names()) : Optional.empty();
    }
}
