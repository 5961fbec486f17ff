package io.filterscope.dl4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The activations written here must give gradients (Grad-CAM flows through them): backprop is
 * checked against central finite differences of the forward function, in double precision. The
 * forward values are checked against Keras by Keras3ReaderTest.
 */
class ActivationFunctionsTest {

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of("rescaling", new ScaleOffsetActivation(1 / 127.5, -1)),
                Arguments.of("hard_sigmoid", new HardSigmoidActivation()),
                Arguments.of("gelu", new GeluActivation()),
                Arguments.of("preserving softmax", new PreservingActivation(Activation.SOFTMAX.getActivationFunction())),
                Arguments.of("preserving softmax subclass", new PreservingSoftmax()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void backpropMatchesFiniteDifferences(String name, IActivation fn) {
        // Points away from hard_sigmoid's kinks at ±3, where the derivative is undefined.
        INDArray x = Nd4j.create(new double[][] {{-4.1, -2.5, -0.7, 0.0, 0.3, 1.9, 2.6, 5.0}});
        INDArray weights = Nd4j.create(new double[][] {{0.3, -1.2, 0.8, 1.0, -0.4, 0.6, 2.0, -0.9}});
        // d/dx of sum(weights * f(x)): backprop of epsilon = weights
        INDArray analytic = fn.backprop(x.dup(), weights.dup()).getFirst();
        double h = 1e-5;
        for (int i = 0; i < x.length(); i++) {
            INDArray plus = x.dup();
            plus.putScalar(i, x.getDouble(i) + h);
            INDArray minus = x.dup();
            minus.putScalar(i, x.getDouble(i) - h);
            double fp = fn.getActivation(plus, false).mul(weights).sumNumber().doubleValue();
            double fm = fn.getActivation(minus, false).mul(weights).sumNumber().doubleValue();
            assertEquals((fp - fm) / (2 * h), analytic.getDouble(i), 1e-6, name + " at x=" + x.getDouble(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void preservingLeavesInputUntouched(String name, IActivation fn) {
        INDArray x = Nd4j.create(new float[] {-2f, 0.5f, 3f}, new long[] {1, 3}, 'c').castTo(DataType.FLOAT);
        INDArray before = x.dup();
        INDArray y = (fn instanceof PreservingSoftmax ? fn : new PreservingActivation(fn)).getActivation(x, false);
        assertNotSame(x, y);
        assertEquals(before, x);
        assertEquals(fn.getActivation(before.dup(), false), y);
    }
}
