package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad input gives exit 2, one line on stderr that names the file, no stack trace, and an
 * empty output folder.
 */
class BadInputTest {

    @TempDir
    Path tmp;

    private Path out() {
        return tmp.resolve("out");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void emptyModel() throws IOException {
        Path model = write("empty.onnx", new byte[0]);
        Fixtures.assertUserError(Cli.run("filters", model, "-o", out()), "empty.onnx", out());
        Fixtures.assertUserError(Cli.run("activations", model, "--image", BundledModel.get().defaultImage(), "-o", out()),
                "empty.onnx", out());
        Fixtures.assertUserError(Cli.run("info", model), "empty.onnx", null);
    }

    @Test
    void truncatedModel() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.model());
        Path model = write("truncated.onnx", Arrays.copyOf(whole, whole.length / 2));
        Fixtures.assertUserError(Cli.run("filters", model, "-o", out()), "truncated.onnx", out());
        Fixtures.assertUserError(Cli.run("predict", model, "--image", BundledModel.get().defaultImage()), "truncated.onnx", null);
    }

    @Test
    void textFileAsModel() throws IOException {
        Path model = write("not_onnx.onnx", "this is not a model\n".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("filters", model, "-o", out()), "not_onnx.onnx", out());
        Path txt = write("notes.txt", "this is not a model\n".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("filters", txt, "-o", out()), "notes.txt", out());
    }

    @Test
    void missingModel() {
        Fixtures.assertUserError(Cli.run("filters", tmp.resolve("nope.onnx"), "-o", out()), "nope.onnx", out());
    }

    /** The files the Python helper made for the backend's tests. */
    @ParameterizedTest
    @ValueSource(strings = {"empty.onnx", "truncated.onnx", "not_onnx.onnx", "random_bytes.onnx"})
    void helperMadeBadModels(String name) {
        Path model = Fixtures.BAD.resolve(name);
        assumeTrue(Files.exists(model), model + " not made yet (samples/scripts)");
        Fixtures.assertUserError(Cli.run("filters", model, "-o", out()), name, out());
        Fixtures.assertUserError(Cli.run("activations", model, "--image", BundledModel.get().defaultImage(), "-o", out()), name, out());
    }

    @Test
    void unknownLayerSuggestsCloseNames() {
        String real;
        try (var m = io.filterscope.FilterScope.open(Fixtures.model())) {
            real = m.layers().stream().filter(l -> l.kind().hasFilters()).findFirst().orElseThrow().name();
        }
        String typo = real + "x";
        for (String cmd : new String[] {"filters", "activations"}) {
            Cli.Result r = Cli.run(cmd, "--layer", real, "--layer", typo, "-o", out());
            Fixtures.assertUserError(r, "'" + typo + "'", out());
            assertTrue(r.err().contains("fashion_cnn.onnx"), r::toString);
            assertTrue(r.err().contains("did you mean") && r.err().contains("'" + real + "'"), r::toString);
        }
    }

    @Test
    void filtersOfALayerWithoutFilters() {
        String relu = null;
        try (var m = io.filterscope.FilterScope.open(Fixtures.model())) {
            relu = m.layers().stream().filter(l -> !l.kind().hasFilters()).map(l -> l.name()).findFirst().orElse(null);
        }
        assumeTrue(relu != null);
        Fixtures.assertUserError(Cli.run("filters", "--layer", relu, "-o", out()), relu, out());
    }

    @Test
    void predictOnAModelThatIsNotAClassifier() {
        Path model = Fixtures.MODELS.resolve("depthwise.onnx");
        assumeTrue(Files.exists(model), model + " not made yet (samples/scripts)");
        Path npy = tmp.resolve("in.npy");
        Cli.Result info = Cli.run("info", model);
        assertEquals(0, info.code(), info::toString);
        // Feed whatever the model declares, with a batch of 1.
        Shape want;
        try (var m = io.filterscope.FilterScope.open(model)) {
            want = m.metadata().input().shape().with(0, 1);
        }
        Npy.write(Tensor.zeros(want), npy);
        Fixtures.assertUserError(Cli.run("predict", model, "--input-npy", npy), "depthwise.onnx", null);
    }

    @Test
    void undecodableImage() throws IOException {
        Path img = write("picture.png", "not a png at all\n".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("activations", "--image", img, "-o", out()), "picture.png", out());
        Fixtures.assertUserError(Cli.run("predict", "--image", img), "picture.png", null);
    }

    @Test
    void missingImage() {
        Fixtures.assertUserError(Cli.run("activations", "--image", tmp.resolve("gone.png"), "-o", out()), "gone.png", out());
    }

    @Test
    void npyOfTheWrongShape() {
        Path npy = tmp.resolve("wrong.npy");
        Npy.write(Tensor.zeros(Shape.of(1, 3, 32, 32)), npy);
        Cli.Result r = Cli.run("activations", "--input-npy", npy, "-o", out());
        Fixtures.assertUserError(r, "wrong.npy", out());
        assertTrue(r.err().contains("28×28"), "should say which shape the model wants\n" + r);
        Fixtures.assertUserError(Cli.run("predict", "--input-npy", npy), "wrong.npy", null);
    }

    @Test
    void npyThatIsNotNpy() throws IOException {
        Path npy = write("garbage.npy", "nope".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("activations", "--input-npy", npy, "-o", out()), "garbage.npy", out());
    }

    @Test
    void outputFolderUnderARegularFile() throws IOException {
        Path file = write("plain.txt", "x".getBytes(StandardCharsets.UTF_8));
        Path target = file.resolve("out");
        Fixtures.assertUserError(Cli.run("filters", "-o", target), "plain.txt", null);
        Fixtures.assertUserError(Cli.run("activations", "-o", target), "plain.txt", null);
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        assertEquals(List.of("plain.txt"), Fixtures.fileNames(tmp));
    }

    @Test
    void outputFolderIsAFile() throws IOException {
        Path file = write("taken", "x".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("filters", "-o", file), "taken", null);
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
    }

    @Test
    void modelWithoutConvLayers() {
        assumeTrue(Files.exists(Fixtures.NO_CONV), Fixtures.NO_CONV + " not made yet (samples/scripts)");
        Cli.Result r = Cli.run("filters", Fixtures.NO_CONV, "-o", out());
        Fixtures.assertUserError(r, "no_conv.onnx", out());
        assertEquals(Fixtures.NO_CONV + ": has no convolution layers; nothing to draw (try `filterscope activations`)",
                r.err().strip());
    }

    @Test
    void unknownColormapAndPreset() {
        Fixtures.assertUserError(Cli.run("filters", "--colormap", "rainbowish", "-o", out()), "rainbowish", out());
        Fixtures.assertUserError(Cli.run("activations", "--normalization", "sideways", "-o", out()), "sideways", out());
        Fixtures.assertUserError(Cli.run("activations", "--preset", "weird", "-o", out()), "weird", out());
    }

    @Test
    void presetWithNpyInput() {
        Path npy = tmp.resolve("ok.npy");
        Npy.write(Tensor.zeros(Shape.of(1, 1, 28, 28)), npy);
        Fixtures.assertUserError(Cli.run("activations", "--input-npy", npy, "--preset", "unit", "-o", out()), "--preset", out());
    }

    @Test
    void modelGivenWithoutInput() throws IOException {
        Fixtures.assertUserError(Cli.run("activations", Fixtures.model(), "-o", out()), "--image", out());
    }

    @Test
    void labelsThatDoNotFit() throws IOException {
        Path labels = write("labels3.txt", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        Fixtures.assertUserError(Cli.run("predict", "--labels", labels), "labels3.txt", null);
    }

    @Test
    void verboseAddsAStackTrace() throws IOException {
        Path model = write("empty.onnx", new byte[0]);
        Cli.Result r = Cli.run("filters", model, "--verbose", "-o", out());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().lines().findFirst().orElse("").contains("empty.onnx"), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
        Fixtures.assertEmptyOrMissing(out());
    }
}
