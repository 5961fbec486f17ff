package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.filterscope.contract.BackendContract;
import io.filterscope.contract.ContractFixture;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerKind;
import io.filterscope.model.LayerOutput;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on two residual blocks (make_contract_fixtures.py): the first as PyTorch
 * exports one (Conv → Add → Relu), the second with its batch norm kept (Conv → BatchNormalization →
 * Add → Relu).
 */
class OnnxResidualContractTest extends BackendContract {
    @Override
    protected ContractFixture fixture() {
        return ContractFixture.builder(OnnxBackend.ID, Path.of("src/test/resources/contract/residual.onnx"))
                .layer("stem", LayerKind.CONV, 4, 1, 3, 3)
                .layer("stem_relu", LayerKind.ACTIVATION)
                .layer("conv1", LayerKind.CONV, 4, 4, 3, 3)
                .layer("relu1", LayerKind.ACTIVATION)
                .layer("conv2", LayerKind.CONV, 4, 4, 3, 3)
                .layer("add1", LayerKind.OTHER)
                .layer("relu2", LayerKind.ACTIVATION)
                .layer("conv3", LayerKind.CONV, 4, 4, 3, 3)
                .layer("bn3", LayerKind.NORMALIZATION)
                .layer("add2", LayerKind.OTHER)
                .layer("relu3", LayerKind.ACTIVATION)
                .layer("gap", LayerKind.POOLING)
                .layer("flatten", LayerKind.OTHER)
                .layer("fc", LayerKind.DENSE)
                .input(ContractFixture.seededInput(5, 3, 1, 8, 8))
                .wrongInputShape(3, 1, 9, 8)
                .reluLayer("conv1")
                .residualLayer("conv2")
                .build();
    }

    /**
     * One picture per block: the sums show the blocks after their Relu. conv3 and its batch norm
     * only feed the second sum, so they are left out too (before the shared policy this backend
     * showed conv3 before its batch norm, since it looked for the sum right after the conv only).
     */
    @Test
    void everySpatialLayerIsOnePicturePerBlock() {
        Activations a = model().capture(ContractFixture.seededInput(5, 3, 1, 8, 8), CaptureRequest.allSpatial());
        assertEquals(List.of("stem", "conv1", "add1", "add2", "gap"), a.layers().stream().map(o -> o.layer().name()).toList());
        assertEquals(List.of("s_r", "r1", "r2", "r3", "g"), a.layers().stream().map(LayerOutput::tensor).toList());
    }
}
