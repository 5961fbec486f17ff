package io.filterscope.app.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.app.BundledModel;
import io.filterscope.spi.ModelBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dropped files are told apart by the installed backends' claims and by ImageIO. */
class FileKindTest {
    private final List<ModelBackend> backends = FilterScope.backends();

    @Test
    void bundledModelAndImage() {
        assertEquals(FileKind.MODEL, FileKind.of(BundledModel.get().model(), backends));
        assertEquals(FileKind.IMAGE, FileKind.of(BundledModel.get().defaultImage(), backends));
    }

    @Test
    void anImageIsRecognisedByContentWhateverItsName(@TempDir Path tmp) throws IOException {
        Path renamed = Files.copy(BundledModel.get().defaultImage(), tmp.resolve("boot.data"));
        assertEquals(FileKind.IMAGE, FileKind.of(renamed, backends));
    }

    @Test
    void aTruncatedOnnxIsAModelThatFailsToOpen() {
        // Claimed by its name: opening it is what gives the message.
        assertEquals(FileKind.MODEL, FileKind.of(Path.of("../backend-onnx/src/test/resources/bad/truncated.onnx"), backends));
    }

    @Test
    void neitherGivesOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> FileKind.of(text, backends));
        assertTrue(e.getMessage().startsWith(text + ": neither a model that an installed backend reads (ONNX"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nor a PNG, JPEG, BMP or GIF image"), e.getMessage());
        assertTrue(e.getMessage().contains("ONNX"), e.getMessage());
        assertTrue(assertThrows(FilterScopeException.class, () -> FileKind.of(tmp, backends)).getMessage().contains("is a folder"));
        assertTrue(assertThrows(FilterScopeException.class, () -> FileKind.of(tmp.resolve("nope.onnx"), backends))
                .getMessage().contains("no such file"));
    }
}
