package io.filterscope.embedding;

import static io.filterscope.embedding.PanelTabTest.assertSamePixels;
import static io.filterscope.embedding.PanelTabTest.call;
import static io.filterscope.embedding.PanelTabTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.examples.ExampleImages;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.ScoreKind;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.render.ExampleGrid;
import io.filterscope.swing.DatasetExamplesTab;
import io.filterscope.swing.FilterScopePanel;
import java.awt.Component;
import java.awt.Container;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.swing.JCheckBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dataset examples tab in a panel, through the public API: it asks for a folder, ranks it in
 * the background for the selected layer and shows what the api's {@link ExampleSearch},
 * {@link ExampleImages} and {@link ExampleGrid} give for the same folder, layer and settings; a
 * change of view reuses the ranking; a layer without feature maps gets a message. Headless.
 */
class DatasetExamplesTabTest {
    static final Path BUNDLE = PanelTabTest.BUNDLE;

    @Test
    void ranksTheFolderForTheSelectedLayerAsTheApiDoes(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectory(dir.resolve("images"));
        try (var files = Files.list(BUNDLE.resolve("images"))) {
            for (Path p : files.toList()) {
                Files.copy(p, images.resolve(p.getFileName()));
            }
        }
        Files.writeString(images.resolve("broken.png"), "not a picture");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Model model = FilterScope.open(BUNDLE.resolve("fashion_cnn.onnx"))) {
            DatasetExamplesTab tab = new DatasetExamplesTab();
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.setErrorHandler(errors::add);
                p.addTab(tab);
                p.showTab(tab);
                return p;
            });
            run(() -> {
                panel.setModel(model);
                panel.selectLayer("/conv2/Conv");
            });
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertFalse(call(panel::hasViewImage), "no folder yet: a message");

            run(() -> tab.setFolder(images));
            panel.whenIdle().get(120, TimeUnit.SECONDS);
            assertEquals(List.of(), errors);
            assertSamePixels(expected(model, images, "/conv2/Conv", ExampleGrid.Content.IMAGES,
                    "/conv2/Conv: top 5 of 10 images per channel by max activation (1 unreadable skipped)"), call(panel::currentViewImage));

            // Patches instead of whole images: drawn from the ranking kept, not from the folder again
            // (which has since gained an image, so a new ranking would say 11).
            Files.copy(images.resolve("3-dress.png"), images.resolve("extra-dress.png"));
            BufferedImage patches = expectedPatchesOfTen(model, dir, "/conv2/Conv");
            JCheckBox box = (JCheckBox) find(panel, "examples-patches");
            run(box::doClick);
            panel.whenIdle().get(120, TimeUnit.SECONDS);
            assertSamePixels(patches, call(panel::currentViewImage));

            // Another layer is ranked anew, over the folder as it is now.
            run(() -> panel.selectLayer("/conv1/Conv"));
            panel.whenIdle().get(120, TimeUnit.SECONDS);
            assertSamePixels(expected(model, images, "/conv1/Conv", ExampleGrid.Content.PATCHES,
                    "/conv1/Conv: top 5 of 11 images per channel by max activation (1 unreadable skipped), patches under the strongest response"),
                    call(panel::currentViewImage));

            // A layer without feature maps: a message, no picture.
            run(() -> panel.selectLayer(model.layers().get(model.layers().size() - 1).name()));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertFalse(call(panel::hasViewImage));
            assertEquals(Optional.of(images.toAbsolutePath().normalize()), tab.folder());
            assertEquals(List.of(), errors);
        }
    }

    /** The ten bundled images (the folder before one was deleted), ranked for conv2, as patches. */
    private static BufferedImage expectedPatchesOfTen(Model model, Path dir, String layer) throws Exception {
        Path ten = Files.createDirectory(dir.resolve("ten"));
        try (var files = Files.list(BUNDLE.resolve("images"))) {
            for (Path p : files.toList()) {
                Files.copy(p, ten.resolve(p.getFileName()));
            }
        }
        Files.writeString(ten.resolve("broken.png"), "not a picture");
        return expected(model, ten, layer, ExampleGrid.Content.PATCHES,
                layer + ": top 5 of 10 images per channel by max activation (1 unreadable skipped), patches under the strongest response");
    }

    /** The grid through the api alone. */
    private static BufferedImage expected(Model model, Path folder, String layer, ExampleGrid.Content content, String caption) {
        ImageFolder f = ImageFolder.of(folder);
        Preprocessing prep = Preprocessing.forModel(model.metadata(), Optional.empty());
        ExampleSearch.Result r = ExampleSearch.run(model, f.files(), f::name, prep,
                new ExampleSearch.Settings(layer, ScoreKind.MAX, 5, 32, FreeSize.DEFAULT), ExampleSearch.Listener.none());
        assertTrue(r.images() >= 10);
        ExampleImages ex = new ExampleImages(model, layer, n -> f.dir().resolve(n), prep, FreeSize.DEFAULT);
        return ExampleGrid.draw(r.top(), ex::view, ex::patch, content, ExampleGrid.tileFor(28, 28), caption);
    }

    private static Component find(Container root, String name) throws Exception {
        return call(() -> search(root, name));
    }

    private static Component search(Container c, String name) {
        for (Component child : c.getComponents()) {
            if (name.equals(child.getName())) {
                return child;
            }
            if (child instanceof Container k) {
                Component found = search(k, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
