package io.filterscope.dl4j;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Each kind of failure, produced by a real file or input through FilterScope.open and capture; and
 * the input shape passed in the open options rather than the JVM-global system property.
 */
class TypedErrorsTest {
    private static final Path KERAS3_H5 = Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.h5");
    @TempDir
    Path dir;

    @Test
    void notAModel() throws Exception {
        Path zip = dir.resolve("photos.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("cat.txt"));
            out.write("meow".getBytes());
            out.closeEntry();
        }
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(zip));
        Path half = Files.write(dir.resolve("half.h5"), java.util.Arrays.copyOf(Files.readAllBytes(KERAS3_H5), 4096));
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(half));
        expect(ErrorKind.NOT_A_MODEL, () -> FilterScope.open(Path.of("src/test/resources/bad-input/measurements.h5")));
    }

    @Test
    void anUnsupportedKerasLayer() {
        for (String f : new String[] {"unsupported_layer.keras", "unsupported_layer.h5"}) {
            FilterScopeException e = expect(ErrorKind.UNSUPPORTED, () -> FilterScope.open(Path.of("src/test/resources/keras3/bad", f)));
            assertTrue(e.getMessage().contains("is not supported"), e.getMessage());
        }
    }

    @Test
    void unreadableFile() {
        expect(ErrorKind.UNREADABLE_FILE, () -> FilterScope.open(dir.resolve("missing.zip")));
    }

    @Test
    void theInputShapeComesFromTheOpenOptions() throws Exception {
        Path zip = TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, false), dir.resolve("convfirst.zip"));
        FilterScopeException e = expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip));
        assertTrue(e.getMessage().startsWith("convfirst.zip: the input size is not stored"), e.getMessage());
        expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip, OpenOptions.defaults().withInputShape(2, 12)));
        try (Model m = FilterScope.open(zip, OpenOptions.defaults().withInputShape(2, 12, 12))) {
            assertEquals(Shape.of(Shape.UNKNOWN, 2, 12, 12), m.metadata().input().shape());
            expect(ErrorKind.INPUT_SHAPE, () -> m.capture(Tensor.zeros(Shape.of(1, 2, 12, 13)), CaptureRequest.allSpatial()));
            expect(ErrorKind.INVALID_ARGUMENT, () -> m.gradients(Tensor.zeros(Shape.of(1, 2, 12, 12)), GradientRequest.ofInput(99)));
            expect(ErrorKind.UNKNOWN_LAYER, () -> m.capture(Tensor.zeros(Shape.of(1, 2, 12, 12)), CaptureRequest.layers("conv9")));
        }
        // The backend reads no JVM-global setting: the command line's -Dfilterscope.dl4j.inputShape
        // is the command line's (CommonOptions), so here it changes nothing.
        System.setProperty("filterscope.dl4j.inputShape", "2x10x10");
        try {
            expect(ErrorKind.INPUT_SHAPE, () -> FilterScope.open(zip));
        } finally {
            System.clearProperty("filterscope.dl4j.inputShape");
        }
    }

    /** Opens the model given as the first argument in a fresh JVM and prints the kind of the failure. */
    public static void main(String[] args) {
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            System.out.println("opened " + model.layers().size());
        } catch (FilterScopeException e) {
            System.out.println("kind " + e.kind() + ": " + e.getMessage());
        }
    }

    /** The class path of this JVM without ND4J's native jar for this platform, as a host that left it out has. */
    static String classPathWithoutNd4jNatives() {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            (name.matches("nd4j-native-\\d.*-" + java.util.regex.Pattern.quote(platform) + "\\.jar") ? dropped : kept).add(entry);
        }
        assertEquals(1, dropped.size(), "ND4J's native jar for " + platform + " on the test class path: " + dropped);
        return String.join(java.io.File.pathSeparator, kept);
    }

    /** Runs {@link #main} on the Keras model in a fresh JVM; what it printed. */
    private static String openInFreshJvm(String classPath, String... jvmOptions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", classPath, TypedErrorsTest.class.getName(), BadInputTest.KERAS3_ZIP.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> l.startsWith("kind ") || l.startsWith("opened ")).findFirst().orElse(out);
    }

    /** ND4J's native jar missing from the class path: the library is named, and the artifact to add. */
    @Test
    void nd4jsNativeJarMissingIsNamedWithHowToGetIt() throws Exception {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        String line = openInFreshJvm(classPathWithoutNd4jNatives());
        assertEquals("kind NATIVE_LIBRARY: fashion_cnn_keras.keras: ND4J's native library could not be loaded for platform " + platform + " on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (Could not find jnind4jcpu in class, module, and library "
                + "paths.); put ND4J's native jars for " + platform + " on the class path (org.nd4j:nd4j-native and org.bytedeco:openblas with "
                + "classifier " + platform + "; FilterScope's build includes them with -Djavacpp.platform=" + platform + ")", line);
    }

    /** org.bytedeco.javacpp.platform set to another machine's platform: the setting is named as the cause. */
    @Test
    void aJavacppPlatformThatIsNotThisMachineIsNamed() throws Exception {
        String line = openInFreshJvm(System.getProperty("java.class.path"), "-Dorg.bytedeco.javacpp.platform=android-arm");
        assertTrue(line.startsWith("kind NATIVE_LIBRARY: fashion_cnn_keras.keras: ND4J's native library could not be loaded for platform android-arm"), line);
        assertTrue(line.endsWith("org.bytedeco.javacpp.platform is set to android-arm, which is not this machine (" + System.getProperty("os.name")
                + "/" + System.getProperty("os.arch") + "): remove -Dorg.bytedeco.javacpp.platform, or set it to this machine's platform"), line);
    }

    private static FilterScopeException expect(ErrorKind kind, Executable call) {
        FilterScopeException e = assertThrows(FilterScopeException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
