package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The new vertices' and activations' hand-written backward passes against central finite
 * differences in double precision: for a random projection R, d Σ(f(x)·R) / dx from backward() must
 * equal (Σ f(x + h)·R − Σ f(x − h)·R) / 2h element by element.
 */
class OpVertexGradientTest {
    private static final double H = 1e-6;

    static Stream<Arguments> vertices() {
        int[] img = {3, 4, 5};
        return Stream.of(
                Arguments.of("LayerNormVertex", new LayerNormVertex(img, new double[] {0.5, -1.2, 2.0, 0.7, 1.1}, new double[] {0.1, 0.2, -0.3, 0, 1}, 1e-3),
                        List.of(new long[] {2, 3, 4, 5})),
                Arguments.of("BroadcastMultiplyVertex (squeeze-excite)", new BroadcastMultiplyVertex(img),
                        List.of(new long[] {2, 3, 4, 5}, new long[] {2, 1, 1, 5})),
                Arguments.of("BroadcastMultiplyVertex (same shape)", new BroadcastMultiplyVertex(img),
                        List.of(new long[] {2, 3, 4, 5}, new long[] {2, 3, 4, 5})),
                Arguments.of("ChannelAffineVertex", new ChannelAffineVertex(img, new double[] {1, -2, 3, 0.5, 4}, new double[] {0, 1, 2, 3, 4}),
                        List.of(new long[] {2, 3, 4, 5})),
                Arguments.of("PermuteVertex", new PermuteVertex(new int[] {5, 3, 4}, new int[] {3, 1, 2}), List.of(new long[] {2, 3, 4, 5})),
                Arguments.of("ReshapeOpVertex", new ReshapeOpVertex(new int[] {60}), List.of(new long[] {2, 3, 4, 5})),
                Arguments.of("ScaledSumVertex", new ScaledSumVertex(img, 0.17), List.of(new long[] {2, 3, 4, 5}, new long[] {2, 3, 4, 5})),
                Arguments.of("SpatialMeanVertex", new SpatialMeanVertex(5), List.of(new long[] {2, 3, 4, 5})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vertices")
    void backwardIsTheDerivative(String what, KerasOpVertex op, List<long[]> shapes) {
        Nd4j.getRandom().setSeed(7);
        INDArray[] in = shapes.stream().map(s -> Nd4j.randn(DataType.DOUBLE, s)).toArray(INDArray[]::new);
        INDArray r = Nd4j.randn(DataType.DOUBLE, op.forward(in).shape());
        INDArray[] grads = op.backward(in, r);
        assertEquals(in.length, grads.length, what);
        for (int k = 0; k < in.length; k++) {
            assertTrue(java.util.Arrays.equals(in[k].shape(), grads[k].shape()), what + " input " + k + " gradient shape");
            for (long i = 0; i < in[k].length(); i++) {
                double x = in[k].getDouble(i);
                in[k].putScalar(i, x + H);
                double plus = op.forward(in).mul(r).sumNumber().doubleValue();
                in[k].putScalar(i, x - H);
                double minus = op.forward(in).mul(r).sumNumber().doubleValue();
                in[k].putScalar(i, x);
                double numeric = (plus - minus) / (2 * H);
                assertEquals(numeric, grads[k].getDouble(i), 1e-6 * Math.max(1, Math.abs(numeric)), what + " input " + k + " element " + i);
            }
        }
    }

    @Test
    void hardSwishBackwardIsTheDerivative() {
        // Away from the kinks at ±3, where the derivative is not defined.
        INDArray x = Nd4j.linspace(DataType.DOUBLE, -5.05, 5.05, 102).reshape(1, 102);
        HardSwishActivation f = new HardSwishActivation();
        INDArray r = Nd4j.randn(DataType.DOUBLE, 1, 102);
        INDArray g = f.backprop(x.dup(), r.dup()).getFirst();
        for (long i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            double numeric = (hardSwish(v + H) - hardSwish(v - H)) / (2 * H) * r.getDouble(i);
            assertEquals(numeric, g.getDouble(i), 1e-6, "x = " + v);
            assertEquals(hardSwish(v), f.getActivation(x.getScalar(0, i).dup(), false).getDouble(0), 1e-12, "f(" + v + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"log_sigmoid", "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus",
        "sparse_plus", "sparse_sigmoid"})
    void pointwiseBackwardIsTheDerivative(String name) {
        PointwiseActivation f = new PointwiseActivation(name);
        // A grid that avoids the kinks at ±0.5 and ±1.
        INDArray x = Nd4j.linspace(DataType.DOUBLE, -3.03, 3.03, 102).reshape(1, 102);
        INDArray g = f.backprop(x.dup(), Nd4j.ones(DataType.DOUBLE, 1, 102)).getFirst();
        for (long i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            double numeric = (f.value(v + H) - f.value(v - H)) / (2 * H);
            assertEquals(numeric, g.getDouble(i), 1e-6, name + " at " + v);
        }
    }

    /** Keras' definition, written out: x · min(max(x + 3, 0), 6) / 6. */
    private static double hardSwish(double x) {
        return x * Math.min(Math.max(x + 3, 0), 6) / 6;
    }
}
