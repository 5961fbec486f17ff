package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model, labels and images packed into the jar are extracted to real files. */
class BundledModelTest {

    @Test
    void extractsModelLabelsAndTenImages() throws IOException {
        assertTrue(BundledModel.isAvailable(), "the build did not copy samples/models/fashion-mnist into the classes");
        BundledModel b = BundledModel.get();
        assertSame(b, BundledModel.get());
        assertTrue(Files.size(b.model()) > 1000, "model too small: " + b.model());
        List<String> labels = Files.readAllLines(b.labels()).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(10, labels.size(), labels::toString);
        assertEquals(10, b.images().size(), b.images()::toString);
        for (int i = 0; i < 10; i++) {
            Path img = b.images().get(i);
            assertTrue(img.getFileName().toString().startsWith(i + "-"), img::toString);
            assertTrue(Files.size(img) > 0, img::toString);
        }
    }

    @Test
    void defaultImageIsTheAnkleBoot() {
        assertTrue(BundledModel.get().defaultImage().getFileName().toString().contains("ankle"));
    }
}
