package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.Progress;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import io.filterscope.visualize.FeatureVisualizer;
import io.filterscope.visualize.Visualization;
import io.filterscope.visualize.VisualizeRequest;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Feature visualisation on ONNX Runtime through the ONNX backward pass, judged by what the images do
 * to the model: the optimised image excites its target far more than the start noise and more than
 * other targets' images do.
 */
class FeatureVisualizationTest {
    private static final Path FASHION = Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx");
    private static final String CONV = "/conv3/Conv";

    @Test
    void aChannelsImageExcitesItFarMoreThanNoisePhotosAndOtherChannelsImages() {
        try (Model model = FilterScope.open(FASHION)) {
            FeatureVisualizer fv = new FeatureVisualizer(model);
            int n = 6;
            Visualization[] v = new Visualization[n];
            for (int c = 0; c < n; c++) {
                v[c] = fv.visualize(VisualizeRequest.channel(CONV, c).withSteps(128).withSeed(1));
                assertEquals(128, v[c].history().size());
            }
            for (int c = 0; c < n; c++) {
                double mine = channelMean(model, v[c].input(), c);
                assertEquals(mine, v[c].objective(), 1e-4 * Math.abs(mine), "the reported objective is the channel's mean activation");
                assertTrue(mine > 2 * v[c].startObjective(), "channel " + c + ": " + v[c].startObjective() + " at the start, " + mine + " at the end");
                double photos = strongestSample(model, c);
                assertTrue(mine > photos, "channel " + c + ": its image gives " + mine + ", the strongest of the ten sample photos " + photos);
                for (int d = 0; d < n; d++) {
                    double other = channelMean(model, v[d].input(), c);
                    assertTrue(d == c || mine > other, "channel " + c + " is excited more by its own image (" + mine + ") than by channel "
                            + d + "'s (" + other + ")");
                }
            }
        }
    }

    @Test
    void aClassImageIsClassifiedAsThatClass() {
        try (Model model = FilterScope.open(FASHION)) {
            FeatureVisualizer fv = new FeatureVisualizer(model);
            for (int k : new int[] {1, 8}) {
                Visualization v = fv.visualize(VisualizeRequest.outputUnit(k).withSteps(64).withSeed(2));
                Tensor out = model.run(v.input());
                int best = 0;
                for (int j = 1; j < out.shape().dim(1); j++) {
                    if (out.get(0, j) > out.get(0, best)) {
                        best = j;
                    }
                }
                assertEquals(k, best, "the model's top-1 for class " + k + "'s image");
                assertTrue(v.objective() > v.startObjective(), v.startObjective() + " -> " + v.objective());
            }
        }
    }

    @Test
    void aColourModelWithANonSquareInputSeesTheImageResizedOntoItsGrid() {
        // The gradient fixture: 3 channels (ImageNet normalisation, decorrelated colours), input 17 × 15.
        try (Model model = FilterScope.open(Path.of("src/test/resources/gradients/resnetish/model.onnx"))) {
            String block1 = model.layers().stream().filter(l -> l.outputTensor().equals("/inner/Relu_2_output_0")).findFirst().orElseThrow().name();
            Visualization v = new FeatureVisualizer(model).visualize(VisualizeRequest.channel(block1, 5).withSteps(48).withSeed(4));
            assertEquals(io.filterscope.tensor.Shape.of(3, 17, 17), v.image().shape(), "the image is square, the model's height on a side");
            assertEquals(io.filterscope.tensor.Shape.of(1, 3, 17, 15), v.input().shape());
            assertTrue(v.objective() > 1.5 * v.startObjective() && v.objective() > 0, v.startObjective() + " -> " + v.objective());
            assertEquals(3, v.picture().getRaster().getNumBands());
        }
    }

    @Test
    void theSameSeedGivesTheSameImageAndAnotherSeedAnother() {
        try (Model model = FilterScope.open(FASHION)) {
            FeatureVisualizer fv = new FeatureVisualizer(model);
            VisualizeRequest r = VisualizeRequest.channel(CONV, 5).withSteps(8);
            assertEquals(fv.visualize(r.withSeed(7)).image(), fv.visualize(r.withSeed(7)).image());
            assertNotEquals(fv.visualize(r.withSeed(7)).image(), fv.visualize(r.withSeed(8)).image());
        }
    }

    @Test
    void cancellingStopsBetweenSteps() {
        try (Model model = FilterScope.open(FASHION)) {
            AtomicInteger steps = new AtomicInteger();
            Progress cancelAfterThree = Progress.of((done, total) -> steps.set(done), () -> steps.get() >= 3);
            assertThrows(CancellationException.class,
                    () -> new FeatureVisualizer(model).visualize(VisualizeRequest.channel(CONV, 0).withSteps(1000), cancelAfterThree));
            assertEquals(3, steps.get());
        }
    }

    @Test
    void badRequestsAreRefusedInOneTypedLine() {
        try (Model model = FilterScope.open(FASHION)) {
            FeatureVisualizer fv = new FeatureVisualizer(model);
            FilterScopeException range = assertThrows(FilterScopeException.class, () -> fv.visualize(VisualizeRequest.channel(CONV, 64)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, range.kind());
            assertTrue(range.getMessage().startsWith("fashion_cnn.onnx: channel 64 is out of range; layer '/conv3/Conv' has 64 channels (0 to 63)"), range.getMessage());
            assertEquals(ErrorKind.UNKNOWN_LAYER, assertThrows(FilterScopeException.class,
                    () -> fv.visualize(VisualizeRequest.channel("/conv9/Conv", 0))).kind());
            FilterScopeException cls = assertThrows(FilterScopeException.class, () -> fv.visualize(VisualizeRequest.outputUnit(10)));
            assertEquals("fashion_cnn.onnx: class 10 is out of range; the model has 10 outputs (0 to 9)", cls.getMessage());
        }
        try (Model model = FilterScope.open(Path.of("src/test/resources/gradients/unsupported/model.onnx"))) {
            FilterScopeException e = assertThrows(FilterScopeException.class,
                    () -> new FeatureVisualizer(model).visualize(VisualizeRequest.channel(model.layers().get(0).name(), 0)));
            assertEquals(ErrorKind.UNSUPPORTED, e.kind());
            assertTrue(e.getMessage().startsWith("model.onnx: feature visualisation needs gradients"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    /** The channel's highest mean activation over the ten bundled Fashion-MNIST photos (one of each class). */
    private static double strongestSample(Model model, int channel) {
        var p = io.filterscope.preprocess.Preprocessing.forModel(model.metadata(), java.util.Optional.empty());
        double best = Double.NEGATIVE_INFINITY;
        try (var files = java.nio.file.Files.list(FASHION.resolveSibling("images"))) {
            for (Path f : files.sorted().toList()) {
                best = Math.max(best, channelMean(model, io.filterscope.preprocess.Preprocessor.load(f, p), channel));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return best;
    }

    private static double channelMean(Model model, Tensor input, int channel) {
        try (Activations a = model.capture(input, CaptureRequest.layers(CONV))) {
            Tensor t = a.layer(CONV).orElseThrow().values();
            int per = (int) (t.shape().dim(2) * t.shape().dim(3));
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += t.get(channel * per + i);
            }
            return sum / per;
        }
    }
}
