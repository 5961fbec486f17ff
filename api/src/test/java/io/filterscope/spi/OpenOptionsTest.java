package io.filterscope.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.tensor.Shape;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenOptionsTest {

    @Test
    void theInputShapeTravelsWithTheOtherOptions() {
        OpenOptions o = OpenOptions.defaults().withInputShape(1, 28, 28).withBackend("dl4j").withThreads(2, 1)
                .withExecutionProvider(ExecutionProvider.CUDA);
        assertEquals(Optional.of(Shape.of(1, 28, 28)), o.inputShape());
        assertEquals(Optional.of("dl4j"), o.backend());
        assertEquals(Optional.empty(), OpenOptions.defaults().inputShape());
        assertEquals(OpenOptions.defaults(), new OpenOptions(Optional.empty(), ExecutionProvider.CPU, 0, 0));
    }

    @Test
    void anInputShapeNeedsKnownPositiveDimensions() {
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withInputShape(1, 0, 28));
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withInputShape(1, Shape.UNKNOWN, 28));
        assertThrows(IllegalArgumentException.class, () -> OpenOptions.defaults().withInputShape());
    }
}
