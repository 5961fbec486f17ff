package io.filterscope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.io.OutputFolder;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The api's own failures say their kind; real files, no backend (the backends test theirs). */
class ErrorKindTest {
    @TempDir
    Path dir;

    @Test
    void filesThatAreNotWhatTheyClaim() throws IOException {
        Path png = Files.writeString(dir.resolve("photo.png"), "not a picture");
        expect(ErrorKind.INVALID_DATA, () -> Images.read(png));
        Path npy = Files.writeString(dir.resolve("x.npy"), "not numpy");
        expect(ErrorKind.INVALID_DATA, () -> Npy.read(npy));
        Path labels = Files.writeString(dir.resolve("labels.txt"), "\n\n");
        expect(ErrorKind.INVALID_DATA, () -> Predictions.readLabels(labels));
    }

    @Test
    void missingFiles() {
        expect(ErrorKind.UNREADABLE_FILE, () -> Images.read(dir.resolve("none.png")));
        expect(ErrorKind.UNREADABLE_FILE, () -> Npy.read(dir.resolve("none.npy")));
        expect(ErrorKind.UNREADABLE_FILE, () -> FilterScope.open(dir.resolve("none.onnx")));
    }

    @Test
    void noBackend() throws IOException {
        Path model = Files.writeString(dir.resolve("model.onnx"), "x");
        FilterScopeException e = expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(model, OpenOptions.defaults(), List.of()));
        assertTrue(e.getMessage().startsWith("model.onnx: no FilterScope backend is installed; add io.filterscope:filterscope-backend-onnx "
                + "to the class path"), e.getMessage());
        Path keras = Files.writeString(dir.resolve("net.keras"), "x");
        e = expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(keras, OpenOptions.defaults(), List.of()));
        assertTrue(e.getMessage().contains("add io.filterscope:filterscope-backend-dl4j to the class path (it reads DL4J zips and Keras"),
                e.getMessage());
    }

    @Test
    void anOutputFolderThatIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("out"), "x");
        expect(ErrorKind.CANNOT_WRITE, () -> OutputFolder.prepare(file, List.of()));
    }

    @Test
    void valuesThatDoNotFit() {
        expect(ErrorKind.INVALID_ARGUMENT, () -> Preset.parse("imagenette"));
        expect(ErrorKind.INVALID_ARGUMENT, () -> Colormap.parse("rainbow"));
        expect(ErrorKind.INVALID_ARGUMENT, () -> Predictions.topK(Tensor.zeros(Shape.of(1, 3)), 2, List.of(), 1));
    }

    @Test
    void exceptionsMadeWithoutAKindAreOther() {
        assertEquals(ErrorKind.OTHER, new FilterScopeException("x").kind());
        assertEquals(ErrorKind.OTHER, new FilterScopeException("x", new IOException()).kind());
        assertEquals(ErrorKind.INPUT_SHAPE, new FilterScopeException(ErrorKind.INPUT_SHAPE, "x").kind());
    }

    private static FilterScopeException expect(ErrorKind kind, Executable call) {
        FilterScopeException e = assertThrows(FilterScopeException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
