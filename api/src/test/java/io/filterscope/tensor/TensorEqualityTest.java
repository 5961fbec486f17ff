package io.filterscope.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.filterscope.model.FilterBank;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TensorEqualityTest {

    @Test
    void tensorsAreEqualByShapeAndValues() {
        Tensor a = Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        Tensor b = Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        // The same values held off-heap, as a backend hands them over, are the same tensor.
        FloatBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer().put(new float[] {1, 2, 3, 4});
        Tensor c = Tensor.wrap(Shape.of(2, 2), direct.flip());
        assertEquals(a, b);
        assertEquals(a, c);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.hashCode(), c.hashCode());
        assertEquals(Set.of(a), new HashSet<>(Set.of(b)));
        assertEquals(a.slice(1), Tensor.of(Shape.of(2), new float[] {3, 4}));
    }

    @Test
    void aDifferentShapeOrValueMakesADifferentTensor() {
        Tensor a = Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        assertNotEquals(a, a.reshape(Shape.of(4)));
        assertNotEquals(a, a.reshape(Shape.of(1, 4)));
        assertNotEquals(a, Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, 5}));
        assertNotEquals(a, Tensor.of(Shape.of(2, 2), new float[] {1, 2, 3, Math.nextUp(4f)}));
        assertNotEquals(a, a.transpose(1, 0));
        assertNotEquals(a, "a");
    }

    @Test
    void valuesCompareAsFloatEquals() {
        Tensor nan = Tensor.of(Shape.of(1), new float[] {Float.NaN});
        assertEquals(nan, Tensor.of(Shape.of(1), new float[] {Float.NaN}));
        assertNotEquals(Tensor.of(Shape.of(1), new float[] {0f}), Tensor.of(Shape.of(1), new float[] {-0f}));
    }

    @Test
    void filterBanksAreEqualByValueNotByIdentity() {
        FilterBank a = bank(new float[] {1, 2, 3, 4}, new int[] {1, 1});
        FilterBank b = bank(new float[] {1, 2, 3, 4}, new int[] {1, 1});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, bank(new float[] {1, 2, 3, 5}, new int[] {1, 1}));
        assertNotEquals(a, bank(new float[] {1, 2, 3, 4}, new int[] {2, 2}));
        assertNotEquals(a, new FilterBank("conv", a.weights(), Optional.empty(), a.stride(), a.padding(), a.dilation(), 1, false));
    }

    private static FilterBank bank(float[] w, int[] stride) {
        return new FilterBank("conv", Tensor.of(Shape.of(1, 1, 2, 2), w), Optional.of(Tensor.of(Shape.of(1), new float[] {0.5f})),
                stride, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, false);
    }
}
