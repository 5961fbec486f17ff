package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of failure, produced by a real file or input through FilterScope.open and capture. */
class TypedErrorsTest {
    private static final Path BUNDLED = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");
    private static final Path BAD = Path.of("src/test/resources/bad");
    @TempDir
    Path dir;

    @Test
    void notAModel() {
        for (String name : List.of("empty.onnx", "not_onnx.onnx", "random_bytes.onnx", "truncated.onnx")) {
            expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(BAD.resolve(name)));
        }
    }

    /** The file parses and declares its shapes, so opening is cheap and succeeds; ONNX Runtime refuses it at the first run. */
    @Test
    void anOperatorNoRuntimeHasIsUnsupported() {
        try (Model m = FilterScope.open(BAD.resolve("unknown_op.onnx"))) {
            FilterScopeException e = expect(ErrorKind.UNSUPPORTED, () -> m.capture(Tensor.zeros(Shape.of(1, 1, 4, 4)), CaptureRequest.allSpatial()));
            assertTrue(e.getMessage().startsWith(BAD.resolve("unknown_op.onnx") + ": ONNX Runtime cannot load the model")
                    && e.getMessage().contains("FilterScopeNoSuchOp"), e.getMessage());
        }
    }

    @Test
    void gradientsThroughAnOperatorWithoutABackwardRuleAreUnsupported() {
        try (Model m = FilterScope.open(Path.of("src/test/resources/gradients/unsupported/model.onnx"))) {
            expect(ErrorKind.UNSUPPORTED, () -> m.gradients(Tensor.zeros(Shape.of(1, 3, 8, 8)), GradientRequest.ofInput(0)));
        }
    }

    @Test
    void wrongInputShape() {
        try (Model m = FilterScope.open(BUNDLED)) {
            expect(ErrorKind.INPUT_SHAPE, () -> m.capture(Tensor.zeros(Shape.of(1, 1, 27, 28)), CaptureRequest.allSpatial()));
            expect(ErrorKind.INPUT_SHAPE, () -> m.run(Tensor.zeros(Shape.of(1, 28, 28))));
        }
    }

    @Test
    void unknownLayer() {
        try (Model m = FilterScope.open(BUNDLED)) {
            expect(ErrorKind.UNKNOWN_LAYER, () -> m.capture(Tensor.zeros(Shape.of(1, 1, 28, 28)), CaptureRequest.layers("/conv9/Conv")));
        }
    }

    @Test
    void unreadableFile() throws IOException {
        expect(ErrorKind.UNREADABLE_FILE, () -> FilterScope.open(dir.resolve("missing.onnx")));
        Path locked = Files.copy(BUNDLED, dir.resolve("locked.onnx"));
        if (locked.toFile().setReadable(false) && !Files.isReadable(locked)) {   // root reads everything
            expect(ErrorKind.UNREADABLE_FILE, () -> FilterScope.open(locked));
        }
    }

    @Test
    void backendMissing() throws IOException {
        expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(BUNDLED, OpenOptions.defaults().withBackend("tensorflow")));
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a model");
        expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(text));
        expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(BUNDLED, OpenOptions.defaults(), List.of()));
    }

    /**
     * This module's class path has the ONNX backend and not the DL4J one (the situation of a host
     * that added only filterscope-backend-onnx): a Keras file or {@code --backend dl4j} names the
     * missing artifact and how to get it.
     */
    @Test
    void aMissingBackendJarIsNamedWithHowToGetIt() throws IOException {
        Path keras = Files.write(dir.resolve("net.keras"), new byte[] {'P', 'K', 3, 4, 0, 0});
        FilterScopeException e = expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(keras));
        assertTrue(e.getMessage().startsWith("net.keras: no installed backend reads this file; installed: onnx (")
                && e.getMessage().endsWith("; add io.filterscope:filterscope-backend-dl4j to the class path (it reads DL4J zips and Keras "
                + ".keras/.h5 files; the filterscope.jar application includes it)"), e.getMessage());
        e = expect(ErrorKind.BACKEND_MISSING, () -> FilterScope.open(BUNDLED, OpenOptions.defaults().withBackend("dl4j")));
        assertTrue(e.getMessage().startsWith("no backend 'dl4j'; installed: onnx")
                && e.getMessage().endsWith("add io.filterscope:filterscope-backend-dl4j to the class path (it reads DL4J zips and Keras "
                + ".keras/.h5 files; the filterscope.jar application includes it)"), e.getMessage());
    }

    /** Opens the model given as the first argument and prints the kind of the failure. */
    public static void main(String[] args) {
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            System.out.println("opened " + model.layers().size());
        } catch (FilterScopeException e) {
            System.out.println("kind " + e.kind() + ": " + e.getMessage());
        }
    }

    /** ONNX Runtime told to load its native library from an empty folder: a fresh JVM, as a host would see it. */
    @Test
    void nativeLibraryCannotLoad() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path empty = Files.createDirectory(dir.resolve("no-natives"));
        Process p = new ProcessBuilder(java.toString(), "-Donnxruntime.native.path=" + empty, "-cp", System.getProperty("java.class.path"),
                TypedErrorsTest.class.getName(), BUNDLED.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("kind NATIVE_LIBRARY: fashion_cnn.onnx: ONNX Runtime's native library could not be loaded on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (Native library 'onnxruntime' not found at "
                + empty.resolve(System.mapLibraryName("onnxruntime")) + "); onnxruntime.native.path is set to " + empty
                + ": point it at a folder holding ONNX Runtime's libraries for this machine"), out);
    }

    /** onnxruntime.native.path pointing at files that are not libraries: the one that failed is named. */
    @Test
    void aWrongNativeLibraryIsNamed() throws IOException, InterruptedException {
        Path wrong = Files.createDirectory(dir.resolve("wrong-natives"));
        byte[] notElf = "this is not a shared library".repeat(100).getBytes(StandardCharsets.UTF_8);
        Path lib = Files.write(wrong.resolve(System.mapLibraryName("onnxruntime")), notElf);
        Files.write(wrong.resolve(System.mapLibraryName("onnxruntime4j_jni")), notElf);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Donnxruntime.native.path=" + wrong, "-cp", System.getProperty("java.class.path"),
                TypedErrorsTest.class.getName(), BUNDLED.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String line = out.lines().filter(l -> l.startsWith("kind ")).findFirst().orElse(out);
        assertTrue(line.startsWith("kind NATIVE_LIBRARY: fashion_cnn.onnx: ONNX Runtime's native library could not be loaded on "), line);
        assertTrue(line.contains(lib.toString()) && line.contains("onnxruntime.native.path is set to " + wrong), line);
    }

    private static FilterScopeException expect(ErrorKind kind, Executable call) {
        FilterScopeException e = assertThrows(FilterScopeException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
