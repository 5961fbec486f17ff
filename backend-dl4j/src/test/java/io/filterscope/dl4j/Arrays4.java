package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Conversions and comparisons the tests share. */
final class Arrays4 {
    private Arrays4() {
    }

    /** A DL4J array as a float tensor, images in N × C × H × W. */
    static Tensor nchw(INDArray a, CNN2DFormat format) {
        INDArray v = a.rank() == 4 && format == CNN2DFormat.NHWC ? a.permute(0, 3, 1, 2) : a;
        INDArray c = v.castTo(DataType.FLOAT).dup('c');
        return Tensor.wrap(Shape.of(c.shape()), c.data().asFloat());
    }

    static Tensor tensor(INDArray a) {
        return nchw(a, CNN2DFormat.NCHW);
    }

    /** Element-wise |a − b| ≤ abs + rel·|b|. */
    static void assertClose(Tensor expected, Tensor actual, double abs, double rel, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i);
            double a = actual.get(i);
            if (Math.abs(a - e) > abs + rel * Math.abs(e)) {
                fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }
}
