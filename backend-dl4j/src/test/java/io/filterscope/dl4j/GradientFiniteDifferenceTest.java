package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerGradient;
import io.filterscope.model.Model;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Gradients against central finite differences of the networks themselves, in double precision.
 * The score is evaluated with DL4J's own forward pass; logits are the output layer's
 * {@code x·W + b} on DL4J's activation of the layer before it.
 */
class GradientFiniteDifferenceTest {
    private static final double H = 1e-6;
    private static final LayerWorkspaceMgr MGR = LayerWorkspaceMgr.noWorkspaces();
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void chainInputAndLayerGradientsMatchFiniteDifferences(CNN2DFormat format) throws Exception {
        MultiLayerNetwork net = TestNets.chain(format, DataType.DOUBLE, false);
        INDArray x = floatExact(TestNets.input(2, format, DataType.DOUBLE, 11));
        int k = 2;
        List<String> layers = List.of("conv1", "bn", "pool", "sep", "deconv", "dense");
        try (Model m = Dl4jModelTest.open(TestNets.save(net, dir.resolve("chain.zip")))) {
            Gradients g = m.gradients(Arrays4.tensor(x), new GradientRequest(k, GradientRequest.Score.LOGIT, true, layers));
            assertEquals(layers, g.layers().stream().map(l -> l.layer().name()).toList());
            checkAgainst(g.input().orElseThrow(), x, xi -> logit(net, 0, xi, k), "input (LOGIT)", CNN2DFormat.NCHW);
            for (LayerGradient lg : g.layers()) {
                int index = lg.layer().index();
                INDArray a = net.feedForward(x, false).get(index + 1);
                assertClose(Arrays4.nchw(a, format), lg.activation(), "activation of " + lg.layer().name());
                checkAgainst(lg.gradient(), a, ai -> logit(net, index + 1, ai, k), lg.layer().name(), format);
            }
            Gradients out = m.gradients(Arrays4.tensor(x), GradientRequest.ofInput(k).withScore(GradientRequest.Score.OUTPUT));
            checkAgainst(out.input().orElseThrow(), x, xi -> net.output(xi, false).getColumn(k).sumNumber().doubleValue(),
                    "input (OUTPUT)", CNN2DFormat.NCHW);
            assertClose(Arrays4.tensor(net.output(x, false)), out.output(), "output");
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void graphInputGradientsSumOverBranchesLikeFiniteDifferences(CNN2DFormat format) throws Exception {
        ComputationGraph graph = TestNets.graph(format, DataType.DOUBLE);
        INDArray x = floatExact(TestNets.input(2, format, DataType.DOUBLE, 12));
        int k = 1;
        try (Model m = Dl4jModelTest.open(TestNets.save(graph, dir.resolve("graph.zip")))) {
            Gradients g = m.gradients(Arrays4.tensor(x), GradientRequest.ofInput(k));
            Function<INDArray, Double> logit = xi -> {
                INDArray features = graph.feedForward(xi, false).get("gmp");
                Layer out = graph.getLayer("out");
                return features.mmul(out.getParam("W")).addRowVector(out.getParam("b")).getColumn(k).sumNumber().doubleValue();
            };
            checkAgainst(g.input().orElseThrow(), x, logit, "graph input", CNN2DFormat.NCHW);
            Gradients ga = m.gradients(Arrays4.tensor(x), GradientRequest.ofLayers(k, "a", "dw"));
            assertTrue(maxAbs(ga.layer("a").orElseThrow().gradient()) > 0, "a feeds the output through two paths");
            assertTrue(maxAbs(ga.layer("dw").orElseThrow().gradient()) > 0);
        }
    }

    /** Σₙ logits[n, k], running DL4J's layers from layer {@code from} on {@code a}. */
    private static double logit(MultiLayerNetwork net, int from, INDArray a, int k) {
        INDArray x = a;
        Layer[] layers = net.getLayers();
        for (int i = from; i < layers.length; i++) {
            InputPreProcessor pp = net.getLayerWiseConfigurations().getInputPreProcess(i);
            if (pp != null) {
                x = pp.preProcess(x, (int) x.size(0), MGR);
            }
            if (i == layers.length - 1) {
                x = x.mmul(layers[i].getParam("W")).addRowVector(layers[i].getParam("b"));
            } else {
                x = layers[i].activate(x, false, MGR).dup();
            }
        }
        return x.get(NDArrayIndex.all(), NDArrayIndex.point(k)).sumNumber().doubleValue();
    }

    /**
     * Central differences at 8 positions of {@code at} (the network's own layout: the largest
     * gradient and 7 seeded random ones), compared
     * with the backend's gradient: N × C × H × W for layers in {@code format}, the input's own
     * layout for the input (pass NCHW: no transpose).
     */
    private static void checkAgainst(Tensor gradient, INDArray at, Function<INDArray, Double> score, String what, CNN2DFormat format) {
        Tensor expectedShape = Arrays4.nchw(at, format);
        assertEquals(expectedShape.shape(), gradient.shape(), what + ": shape");
        Random r = new Random(what.hashCode());
        double largest = 0;
        for (int t = 0; t < 8; t++) {
            // The first position is where the backend's gradient is largest: a check that always sees a signal.
            long[] pos = t == 0 ? largestAt(gradient, at, format)
                    : org.nd4j.linalg.api.shape.Shape.ind2subC(at, r.nextInt((int) at.length()));
            double orig = at.getDouble(pos);
            INDArray plus = at.dup();
            plus.putScalar(pos, orig + H);
            INDArray minus = at.dup();
            minus.putScalar(pos, orig - H);
            double fd = (score.apply(plus) - score.apply(minus)) / (2 * H);
            long[] nchwPos = pos.length == 4 && format == CNN2DFormat.NHWC ? new long[] {pos[0], pos[3], pos[1], pos[2]} : pos;
            double got = gradient.get(java.util.Arrays.stream(nchwPos).mapToInt(p -> (int) p).toArray());
            largest = Math.max(largest, Math.abs(fd));
            if (Math.abs(got - fd) > 1e-5 + 1e-4 * Math.abs(fd)) {
                fail(what + ": d score / d " + java.util.Arrays.toString(pos) + " is " + got + ", finite differences give " + fd);
            }
        }
        assertTrue(largest > 1e-4, what + ": every sampled gradient is ~0; the check would prove nothing");
    }

    /** Where |gradient| is largest, as a position in {@code at}'s own layout. */
    private static long[] largestAt(Tensor gradient, INDArray at, CNN2DFormat format) {
        int best = 0;
        for (int i = 1; i < gradient.size(); i++) {
            if (Math.abs(gradient.get(i)) > Math.abs(gradient.get(best))) {
                best = i;
            }
        }
        long[] shape = gradient.shape().toArray();
        long[] p = new long[shape.length];
        long rest = best;
        for (int d = shape.length - 1; d >= 0; d--) {
            p[d] = rest % shape[d];
            rest /= shape[d];
        }
        return p.length == 4 && format == CNN2DFormat.NHWC ? new long[] {p[0], p[2], p[3], p[1]} : p;
    }

    private static INDArray floatExact(INDArray a) {
        return a.castTo(DataType.FLOAT).castTo(DataType.DOUBLE);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.get(i)));
        }
        return m;
    }

    private static void assertClose(Tensor e, Tensor a, String what) {
        Arrays4.assertClose(e, a, 1e-6, 1e-5, what);
    }
}
