package io.filterscope.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.model.FilterBank;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerGradient;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.spi.ModelBackend;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * What every FilterScope backend promises, as tests. A backend subclasses this in its own test
 * sources, returns a {@link ContractFixture} (a model of its own and what is known about it), and
 * runs it with its other tests:
 *
 * <pre>{@code
 * class OnnxContractTest extends BackendContract {
 *     protected ContractFixture fixture() {
 *         return ContractFixture.builder("onnx", Path.of("src/test/resources/model.onnx"))
 *                 .layer("conv1", LayerKind.CONV, 16, 1, 3, 3).layer("relu1", LayerKind.ACTIVATION) ...
 *                 .input(ContractFixture.seededInput(1, 2, 1, 28, 28)).wrongInputShape(1, 3, 28, 28)
 *                 .reluLayer("conv1").build();
 *     }
 * }
 * }</pre>
 *
 * <p>The cases: the backend is registered and claims the file; layer order and kinds; filter
 * shapes; capture equals run output; the post-activation policy of {@link io.filterscope.spi.CapturePolicy};
 * a wrong input shape gives the documented message and {@link ErrorKind#INPUT_SHAPE}; close is
 * idempotent and later calls say {@link ErrorKind#MODEL_CLOSED}; one model used from several threads
 * gives identical results; gradients agree with finite differences of the model's own output
 * whenever {@link Capability#GRADIENTS} is claimed, and are refused with
 * {@link ErrorKind#UNSUPPORTED} otherwise; so is running the network from a layer's output
 * ({@link Capability#RUN_FROM_LAYER}). One model is opened for the class and closed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContract {
    private static final int THREADS = 4;
    private static final int ROUNDS = 6;
    /** Different requests in the thread-safety case. */
    private static final int VARIANTS = 7;

    private ContractFixture fixture;
    private Model model;

    /** The model and expectations this backend is checked against. Called once per test class. */
    protected abstract ContractFixture fixture() throws Exception;

    @BeforeAll
    final void openFixture() throws Exception {
        fixture = fixture();
        model = open();
    }

    @AfterAll
    final void closeFixture() {
        if (model != null) {
            model.close();
        }
    }

    /** A fresh model of the fixture; the caller closes it. */
    protected final Model open() {
        return FilterScope.open(fixture.model(), fixture.options());
    }

    /** The shared model of this test class. */
    protected final Model model() {
        return model;
    }

    @Test
    void theBackendIsRegisteredAndClaimsItsFixture() {
        List<ModelBackend> found = FilterScope.backends().stream().filter(b -> b.id().equals(fixture.backendId())).toList();
        assertEquals(1, found.size(), "backends with id '" + fixture.backendId() + "' found by ServiceLoader");
        assertTrue(found.get(0).claims(fixture.model()), fixture.backendId() + " claims " + fixture.model());
        assertFalse(found.get(0).describeFiles().isBlank(), "describeFiles");
        assertEquals(fixture.model(), model.metadata().file());
    }

    @Test
    void layersComeInExecutionOrderWithTheirKinds() {
        List<LayerInfo> layers = model.layers();
        assertEquals(fixture.layers(), layers.stream().map(l -> new ContractFixture.Layer(l.name(), l.kind())).toList());
        for (int i = 0; i < layers.size(); i++) {
            LayerInfo l = layers.get(i);
            assertEquals(i, l.index(), l.name() + ": index");
            assertEquals(l, model.layer(l.name()), "layer(name) finds " + l.name());
            assertFalse(l.outputTensor().isEmpty(), l.name() + ": output tensor");
            assertEquals(l.kind().hasFilters(), l.filterShape().isPresent(), l.name() + ": a filter shape exactly when it has filters");
        }
        assertEquals(layers.size(), layers.stream().map(LayerInfo::name).distinct().count(), "names are unique");
        expectKind(ErrorKind.UNKNOWN_LAYER, () -> model.layer(layers.get(0).name() + "_no_such_layer"));
    }

    @Test
    void filtersHaveTheirDocumentedShapes() {
        assertTrue(model.capabilities().contains(Capability.FILTERS), "capabilities " + model.capabilities());
        List<String> withFilters = model.layers().stream().filter(l -> l.kind().hasFilters()).map(LayerInfo::name).toList();
        assertEquals(List.copyOf(fixture.filterShapes().keySet()), withFilters, "layers with filters");
        List<FilterBank> all = model.allFilters();
        assertEquals(withFilters, all.stream().map(FilterBank::layer).toList());
        for (FilterBank bank : all) {
            Shape want = fixture.filterShapes().get(bank.layer());
            assertEquals(want, bank.shape(), bank.layer() + ": out × in/groups × kH × kW");
            assertEquals(want, model.layer(bank.layer()).filterShape().orElseThrow(), bank.layer() + ": LayerInfo.filterShape");
            bank.bias().ifPresent(b -> assertEquals(want.dim(0), b.size(), bank.layer() + ": one bias per filter"));
            assertEquals(bank, model.filters(bank.layer()), bank.layer() + ": read twice, the same values");
        }
        model.layers().stream().filter(l -> !l.kind().hasFilters()).findFirst()
                .ifPresent(l -> expectKind(ErrorKind.INVALID_ARGUMENT, () -> model.filters(l.name())));
    }

    @Test
    void captureGivesTheRunOutputAndShapesAsDeclared() {
        Tensor x = fixture.input();
        Tensor run = model.run(x);
        Activations all = model.capture(x, CaptureRequest.allSpatial());
        assertClose(run, all.output(), 1e-5, "capture output against run");
        Activations none = model.capture(x, CaptureRequest.outputOnly());
        assertEquals(List.of(), none.layers());
        assertClose(run, none.output(), 1e-5, "output-only capture against run");
        assertEquals(x.shape().dim(0), run.shape().dim(0), "one output row per batch item");
        assertFalse(all.layers().isEmpty(), "every spatial layer captures something");
        for (LayerOutput o : all.layers()) {
            assertTrue(o.isSpatial(), o.layer().name() + " is N × C × H × W");
            assertEquals(x.shape().dim(0), o.values().shape().dim(0), o.layer().name() + ": batch");
        }
        Activations named = model.capture(x, CaptureRequest.layers(LayerInfo.names(model.layers())));
        for (LayerOutput o : named.layers()) {
            Shape declared = o.layer().outputShape().orElse(null);
            if (declared != null && o.tensor().equals(o.layer().outputTensor())) {
                assertTrue(declared.accepts(o.values().shape()), o.layer().name() + ": declared " + declared + ", captured " + o.values().shape());
            }
        }
    }

    @Test
    void layersAreShownAfterTheirActivation() {
        Tensor x = fixture.input();
        Activations post = model.capture(x, CaptureRequest.allSpatial());
        Activations pre = model.capture(x, CaptureRequest.allSpatial().withMode(CaptureMode.PRE_ACTIVATION));
        // Pre-activation every spatial layer is shown; post-activation each picture once.
        assertEquals(model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).toList(),
                pre.layers().stream().map(o -> o.layer().name()).toList(), "pre-activation: every spatial layer");
        List<LayerOutput> shown = post.layers();
        for (int i = 0; i < shown.size(); i++) {
            for (int j = i + 1; j < shown.size(); j++) {
                assertNotEquals(shown.get(i).values(), shown.get(j).values(),
                        shown.get(i).layer().name() + " and " + shown.get(j).layer().name() + " show the same picture");
            }
        }
        for (LayerOutput o : shown) {
            // Close, not equal: a runtime may fuse differently when other tensors are captured beside it.
            LayerOutput alone = model.capture(x, CaptureRequest.layers(o.layer().name())).layer(o.layer().name()).orElseThrow();
            assertEquals(o.tensor(), alone.tensor(), o.layer().name() + ": the same tensor whether named or in every spatial layer");
            assertClose(o.values(), alone.values(), 1e-5, o.layer().name() + ": the same values whether named or in every spatial layer");
        }
        fixture.reluLayer().ifPresent(name -> {
            Tensor before = pre.layer(name).orElseThrow().values();
            Tensor after = post.layer(name).orElseThrow(() -> new AssertionError(name + " is not among every spatial layer")).values();
            assertTrue(min(before) < 0, name + ": the fixture input gives negative values before the activation");
            float[] b = before.toArray();
            for (int i = 0; i < b.length; i++) {
                b[i] = Math.max(b[i], 0f);
            }
            assertClose(Tensor.wrap(before.shape(), b), after, 1e-5, name + ": post-activation is ReLU of pre-activation");
        });
        fixture.residualLayer().ifPresent(name -> {
            assertTrue(post.layer(name).isEmpty(), name + " only feeds a residual sum: the sum shows it");
            assertTrue(pre.layer(name).isPresent(), name + " pre-activation");
            assertTrue(model.capture(x, CaptureRequest.layers(name)).layer(name).isPresent(), name + " named");
        });
    }

    /**
     * {@link Model#peaks}, which a backend may compute its own way, are those of the maps {@link
     * Model#capture} gives for a layer named: for every spatial layer, the same sizes, the
     * same max and mean (to float rounding: a runtime may fuse differently when it computes less),
     * and a position that holds the map's largest value. A layer without maps is refused.
     */
    @Test
    void channelPeaksAreThoseOfTheCapturedMaps() {
        Tensor x = fixture.input();
        assertPeaksOfCapture(model, x);
        model.layers().stream().filter(l -> l.outputShape().map(s -> s.rank() == 2).orElse(false)).findFirst()
                .ifPresent(l -> expectKind(ErrorKind.INVALID_ARGUMENT, () -> model.peaks(x, l.name())));
    }

    /**
     * Asserts that {@link Model#peaks} of every layer with feature maps are those of the maps a
     * named {@link Model#capture} gives for {@code x}: the same sizes, the same max and mean within
     * 1e-5 of the layer's largest magnitude, and a position that holds the map's largest value
     * (ties and float rounding may pick another of equal value). For a backend's own tests on more
     * models than its contract fixture.
     */
    public static void assertPeaksOfCapture(Model model, Tensor x) {
        List<String> spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).toList();
        assertFalse(spatial.isEmpty(), "the model has layers with feature maps");
        for (LayerOutput o : model.capture(x, CaptureRequest.layers(spatial)).layers()) {
            String name = o.layer().name();
            ChannelPeaks expected = ChannelPeaks.of(name, o.values());
            ChannelPeaks got = model.peaks(x, name);
            assertEquals(List.of(expected.items(), expected.channels(), expected.height(), expected.width()),
                    List.of(got.items(), got.channels(), got.height(), got.width()), name + ": sizes");
            assertEquals(name, got.layer(), "layer name");
            Tensor maps = o.values();
            double tol = 1e-5 * Math.max(1e-6, maxAbs(maps));
            int hw = expected.height() * expected.width();
            for (int n = 0; n < expected.items(); n++) {
                for (int c = 0; c < expected.channels(); c++) {
                    String at = name + " item " + n + " channel " + c;
                    assertEquals(expected.max(n, c), got.max(n, c), tol, at + ": max");
                    assertEquals(expected.mean(n, c), got.mean(n, c), tol, at + ": mean");
                    float there = maps.get((n * expected.channels() + c) * hw + got.y(n, c) * expected.width() + got.x(n, c));
                    assertEquals(expected.max(n, c), there, tol, at + ": the value at the position given, (" + got.y(n, c) + ", " + got.x(n, c) + ")");
                }
            }
        }
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.get(i)));
        }
        return m;
    }

    @Test
    void aWrongInputShapeGivesTheDocumentedMessage() {
        Tensor wrong = Tensor.zeros(fixture.wrongInputShape());
        String spatial = model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).findFirst().orElseThrow();
        for (Executable call : List.<Executable>of(() -> model.capture(wrong, CaptureRequest.allSpatial()), () -> model.run(wrong),
                () -> model.peaks(wrong, spatial))) {
            FilterScopeException e = expectKind(ErrorKind.INPUT_SHAPE, call);
            String m = e.getMessage();
            assertTrue(m.startsWith(fixture.model().getFileName() + ": "), "starts with the file name: " + m);
            assertTrue(m.contains("must be") && m.contains(wrong.shape().toString()), "says what it must be and what it got: " + m);
            assertFalse(m.contains("\n"), "one line: " + m);
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsSaySo() {
        Model m = open();
        Tensor out = m.run(fixture.input());
        assertClose(model.run(fixture.input()), out, 1e-5, "a second model of the same file");
        m.close();
        m.close();
        assertEquals(fixture.model(), m.metadata().file(), "metadata after close");
        expectKind(ErrorKind.MODEL_CLOSED, () -> m.capture(fixture.input(), CaptureRequest.allSpatial()));
        expectKind(ErrorKind.MODEL_CLOSED, () -> m.run(fixture.input()));
        expectKind(ErrorKind.MODEL_CLOSED, () -> m.peaks(fixture.input(), m.layers().get(0).name()));
        String conv = fixture.filterShapes().keySet().stream().findFirst().orElse(null);
        if (conv != null) {
            expectKind(ErrorKind.MODEL_CLOSED, () -> m.filters(conv));
        }
    }

    /**
     * Several threads at once, each going through several different requests (more than a backend
     * is likely to cache runtime sessions for), get what one thread gets.
     */
    @Test
    void oneModelFromSeveralThreadsGivesIdenticalResults() throws Exception {
        Tensor x = fixture.input();
        List<CaptureRequest> requests = new ArrayList<>(List.of(CaptureRequest.allSpatial(), CaptureRequest.outputOnly()));
        model.layers().stream().filter(LayerInfo::hasSpatialOutput).limit(VARIANTS - 2)
                .forEach(l -> requests.add(CaptureRequest.layers(l.name()).withMode(CaptureMode.PRE_ACTIVATION)));
        List<Activations> reference = requests.stream().map(r -> model.capture(x, r)).toList();
        List<FilterBank> filters = model.allFilters();
        String peaksLayer = model.layers().stream().filter(LayerInfo::hasSpatialOutput).map(LayerInfo::name).reduce((a, b) -> b).orElseThrow();
        ChannelPeaks peaks = model.peaks(x, peaksLayer);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<Void> work = () -> {
                    start.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        int i = (thread + r) % requests.size();
                        assertEquals(reference.get(i), model.capture(x, requests.get(i)), "thread " + thread + " round " + r + " " + requests.get(i));
                        if (thread % 2 == 1) {
                            assertEquals(filters, model.allFilters(), "filters in thread " + thread);
                        } else {
                            assertEquals(peaks, model.peaks(x, peaksLayer), "peaks in thread " + thread + " round " + r);
                        }
                    }
                    return null;
                };
                done.add(pool.submit(work));
            }
            start.countDown();
            for (Future<Void> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void gradientsAgreeWithTheOutputWhenClaimedAndAreRefusedOtherwise() {
        Tensor x = fixture.input();
        if (!model.capabilities().contains(Capability.GRADIENTS)) {
            FilterScopeException e = expectKind(ErrorKind.UNSUPPORTED, () -> model.gradients(x, GradientRequest.ofInput(0)));
            assertTrue(e.getMessage().startsWith(fixture.model().getFileName() + ": "), e.getMessage());
            return;
        }
        Tensor out = model.run(x);
        int k = (int) Math.min(1, out.shape().dim(1) - 1);
        String layer = fixture.reluLayer().orElse(model.layers().stream().filter(LayerInfo::hasSpatialOutput).findFirst().orElseThrow().name());
        Gradients g = model.gradients(x, GradientRequest.ofLayers(k, layer).andInput().withScore(GradientRequest.Score.OUTPUT));
        Tensor dx = g.input().orElseThrow();
        assertEquals(x.shape(), dx.shape(), "input gradient in the input's shape");
        assertClose(out, g.output(), 1e-5, "the gradients' forward output");
        LayerGradient lg = g.layer(layer).orElseThrow();
        assertEquals(lg.activation().shape(), lg.gradient().shape(), layer + ": gradient in the activation's shape");
        assertClose(model.capture(x, CaptureRequest.layers(layer)).layer(layer).orElseThrow().values(), lg.activation(), 1e-5,
                layer + ": the activation is the captured post-activation output");
        // Central differences of the model's own output, at the inputs the score depends on most.
        float[] grad = dx.toArray();
        Integer[] order = new Integer[grad.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(grad[b]), Math.abs(grad[a])));
        double largest = Math.abs(grad[order[0]]);
        assertTrue(largest > 0, "the output depends on the input");
        int items = (int) x.shape().dim(0);
        int perItem = x.size() / items;
        for (int n = 0; n < 3; n++) {
            int i = order[n];
            int item = i / perItem;
            // Small enough not to cross many kinks (ReLU, max pooling), large enough for float32 outputs.
            double eps = 1e-3;
            double fd = (score(x, i, eps, item, k) - score(x, i, -eps, item, k)) / (2 * eps);
            assertTrue(Math.abs(fd - grad[i]) <= 0.05 * Math.abs(grad[i]) + 0.01 * largest,
                    "d output[" + item + "," + k + "] / d input[" + i + "]: gradient " + grad[i] + ", finite difference " + fd);
        }
    }

    /**
     * With {@link Capability#RUN_FROM_LAYER}: running the network from any layer's captured output
     * gives the model's output, or is refused as {@link ErrorKind#UNSUPPORTED} (a branch around the
     * layer), and the layer feeding the output never is; given the input too, every layer gives it; a
     * wrong shape is {@link ErrorKind#INPUT_SHAPE}.
     * Without it: refused as {@link ErrorKind#UNSUPPORTED}.
     */
    @Test
    void runFromALayerGivesTheOutputWhenClaimedAndIsRefusedOtherwise() {
        Tensor x = fixture.input();
        List<LayerInfo> layers = model.layers();
        String first = layers.get(0).name();
        if (!model.capabilities().contains(Capability.RUN_FROM_LAYER)) {
            FilterScopeException e = expectKind(ErrorKind.UNSUPPORTED, () -> model.runFrom(first, x));
            assertTrue(e.getMessage().startsWith(fixture.model().getFileName() + ": "), e.getMessage());
            return;
        }
        Tensor out = model.run(x);
        out = Tensor.wrap(out.shape(), out.toArray());
        Activations all = model.capture(x, CaptureRequest.layers(LayerInfo.names(layers)));
        int ran = 0;
        for (LayerOutput o : all.layers()) {
            Tensor at = Tensor.wrap(o.values().shape(), o.values().toArray());
            try {
                assertClose(out, model.runFrom(o.layer().name(), at), 1e-4, "run from " + o.layer().name());
                ran++;
            } catch (FilterScopeException e) {
                assertEquals(ErrorKind.UNSUPPORTED, e.kind(), o.layer().name() + ": " + e.getMessage());
                assertTrue(e.getMessage().startsWith(fixture.model().getFileName() + ": "), e.getMessage());
                assertTrue(o.layer().index() < layers.size() - 2, o.layer().name() + " feeds the output, yet: " + e.getMessage());
            }
        }
        assertTrue(ran > 0, "the network runs from some layer");
        // Given the input as well, every layer runs, a branch around it too (computed from the input).
        for (LayerOutput o : all.layers()) {
            Tensor at = Tensor.wrap(o.values().shape(), o.values().toArray());
            assertClose(out, model.runFrom(o.layer().name(), at, x), 1e-4, "run from " + o.layer().name() + " with the input");
        }
        LayerOutput last = all.layers().get(all.layers().size() - 1);
        long[] dims = last.values().shape().toArray();
        dims[dims.length - 1] += 1;
        expectKind(ErrorKind.INPUT_SHAPE, () -> model.runFrom(last.layer().name(), Tensor.zeros(Shape.of(dims))));
        expectKind(ErrorKind.UNKNOWN_LAYER, () -> model.runFrom(first + "_no_such_layer", x));
    }

    @Test
    void aChannelsMeanActivationHasTheGradientOfTheCapturedChannel() {
        Tensor x = fixture.input();
        String layer = fixture.reluLayer().orElse(model.layers().stream().filter(LayerInfo::hasSpatialOutput).findFirst().orElseThrow().name());
        if (!model.capabilities().contains(Capability.GRADIENTS)) {
            expectKind(ErrorKind.UNSUPPORTED, () -> model.gradients(x, GradientRequest.ofChannel(layer, 0)));
            return;
        }
        Tensor captured = capturedCopy(x, layer);
        // The channel most active on item 0, so that its mean depends on the input (a ReLU channel may be dead).
        int c = 0;
        for (int ch = 1; ch < captured.shape().dim(1); ch++) {
            if (channelMean(captured, 0, ch) > channelMean(captured, 0, c)) {
                c = ch;
            }
        }
        int channel = c;
        Gradients g = model.gradients(x, GradientRequest.ofChannel(layer, channel));
        assertClose(captured, g.output(), 1e-5, layer + ": the output of a channel target is the layer's captured activation");
        float[] grad = g.input().orElseThrow().toArray();
        Integer[] order = new Integer[grad.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(grad[b]), Math.abs(grad[a])));
        double largest = Math.abs(grad[order[0]]);
        assertTrue(largest > 0, "the channel depends on the input");
        int perItem = x.size() / (int) x.shape().dim(0);
        for (int n = 0; n < 3; n++) {
            int i = order[n];
            int item = i / perItem;
            double eps = 1e-3;
            double fd = (channelMean(x, i, eps, layer, item, channel) - channelMean(x, i, -eps, layer, item, channel)) / (2 * eps);
            assertTrue(Math.abs(fd - grad[i]) <= 0.05 * Math.abs(grad[i]) + 0.01 * largest,
                    "d mean " + layer + "[" + item + "," + channel + "] / d input[" + i + "]: gradient " + grad[i] + ", finite difference " + fd);
        }
        FilterScopeException e = expectKind(ErrorKind.INVALID_ARGUMENT,
                () -> model.gradients(x, GradientRequest.ofChannel(layer, (int) captured.shape().dim(1))));
        assertTrue(e.getMessage().startsWith(fixture.model().getFileName() + ": channel " + captured.shape().dim(1) + " is out of range"), e.getMessage());
    }

    private double channelMean(Tensor x, int at, double delta, String layer, int item, int channel) {
        float[] v = x.toArray();
        v[at] += (float) delta;
        return channelMean(capturedCopy(Tensor.wrap(x.shape(), v), layer), item, channel);
    }

    /** The layer's captured values, copied out of the capture (whose memory a backend may recycle once it is closed). */
    private Tensor capturedCopy(Tensor x, String layer) {
        try (Activations a = model.capture(x, CaptureRequest.layers(layer))) {
            Tensor t = a.layer(layer).orElseThrow().values();
            return Tensor.wrap(t.shape(), t.toArray());
        }
    }

    private static double channelMean(Tensor nchw, int item, int channel) {
        long per = nchw.shape().rank() == 4 ? nchw.shape().dim(2) * nchw.shape().dim(3) : 1;
        int at = (int) ((item * nchw.shape().dim(1) + channel) * per);
        double sum = 0;
        for (int i = 0; i < per; i++) {
            sum += nchw.get(at + i);
        }
        return sum / per;
    }

    private double score(Tensor x, int at, double delta, int item, int k) {
        float[] v = x.toArray();
        v[at] += (float) delta;
        return model.run(Tensor.wrap(x.shape(), v)).get(item, k);
    }

    /** Asserts that {@code call} throws a {@link FilterScopeException} of this kind, and returns it. */
    protected static FilterScopeException expectKind(ErrorKind kind, Executable call) {
        FilterScopeException e = assertThrows(FilterScopeException.class, call);
        assertEquals(kind, e.kind(), "kind of: " + e.getMessage());
        return e;
    }

    /** Element-wise within {@code rtol} of the largest magnitude in {@code expected}. */
    protected static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = 0;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.get(i)));
        }
        double tol = rtol * Math.max(scale, 1e-6);
        for (int i = 0; i < expected.size(); i++) {
            if (!(Math.abs(expected.get(i) - actual.get(i)) <= tol)) {
                fail(what + ": element " + i + " is " + actual.get(i) + ", expected " + expected.get(i) + " (tolerance " + tol + ")");
            }
        }
    }

    private static float min(Tensor t) {
        float m = Float.POSITIVE_INFINITY;
        for (int i = 0; i < t.size(); i++) {
            m = Math.min(m, t.get(i));
        }
        return m;
    }
}
