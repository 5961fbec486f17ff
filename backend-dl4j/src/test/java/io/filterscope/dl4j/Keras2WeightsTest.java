package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Keras2Weights#parameterName} names each dataset's parameter as DL4J's own Keras import does:
 * the reference is DL4J 1.0.0-M2.1's {@code KerasModelUtils.findParameterName} itself (private, so
 * called reflectively), on Keras 1 names ({@code <layer>_W}), TensorFlow names ({@code kernel:0}) and
 * numbered ones.
 */
class Keras2WeightsTest {

    @ParameterizedTest
    @CsvSource({
        "convolution2d_1_W, convolution2d_1",
        "convolution2d_1_b, convolution2d_1",
        "dense_2_W, dense_2",
        "batchnormalization_1_running_mean, batchnormalization_1",
        "kernel:0, conv",
        "bias:0, conv",
        "moving_variance:0, bn",
        "depthwise_kernel:0, dw",
        "kernel_1:0, dense",
        "conv_kernel:0, conv",
        "gamma, bn",
    })
    void namesAParameterAsDl4jsImportDoes(String dataset, String layer) throws Exception {
        Method dl4j = KerasModelUtils.class.getDeclaredMethod("findParameterName", String.class, String[].class);
        dl4j.setAccessible(true);
        String[] fragments = {layer};
        assertEquals(dl4j.invoke(null, dataset, fragments), Keras2Weights.parameterName(dataset, fragments));
    }
}
