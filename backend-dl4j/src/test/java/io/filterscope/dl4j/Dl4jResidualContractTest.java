package io.filterscope.dl4j;

import io.filterscope.contract.BackendContract;
import io.filterscope.contract.ContractFixture;
import io.filterscope.model.LayerKind;
import io.filterscope.spi.OpenOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The backend contract on {@link TestNets#graph}: a ComputationGraph with a residual sum, batch
 * norm, an activation layer, a merge and depthwise and separable convolutions, in NHWC (saved
 * without its input size, which the open options give).
 */
class Dl4jResidualContractTest extends BackendContract {
    @TempDir
    static Path dir;

    @Override
    protected ContractFixture fixture() throws IOException {
        Path zip = TestNets.save(TestNets.graph(CNN2DFormat.NHWC, DataType.FLOAT), dir.resolve("residual.zip"));
        return ContractFixture.builder(Dl4jBackend.ID, zip)
                .options(OpenOptions.defaults().withInputShape(TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE))
                // DL4J's topological order; filters out × in/groups × kH × kW as TestNets builds them
                // (a separable conv as the one full convolution its two kernels make).
                .layer("a", LayerKind.CONV, 3, TestNets.CHANNELS, 3, 3)
                .layer("dw", LayerKind.GROUPED_CONV, TestNets.CHANNELS, 1, 2, 2)
                .layer("b", LayerKind.CONV, 3, 3, 3, 3)
                .layer("sum", LayerKind.OTHER)
                .layer("bn", LayerKind.NORMALIZATION)
                .layer("pool", LayerKind.POOLING)
                .layer("act", LayerKind.ACTIVATION)
                .layer("merge", LayerKind.OTHER)
                .layer("sep", LayerKind.CONV, 4, 3 + TestNets.CHANNELS, 3, 3)
                .layer("gmp", LayerKind.POOLING)
                .layer("out", LayerKind.DENSE)
                .input(ContractFixture.seededInput(3, 2, TestNets.SIZE, TestNets.SIZE, TestNets.CHANNELS))
                .wrongInputShape(2, TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE + 1)
                .reluLayer("a")
                .residualLayer("b")
                .build();
    }
}
