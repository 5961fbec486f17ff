package io.filterscope.onnx;

import io.filterscope.contract.BackendContract;
import io.filterscope.contract.ContractFixture;
import io.filterscope.model.LayerKind;
import java.nio.file.Path;

/**
 * The backend contract on the bundled Fashion-MNIST CNN as PyTorch exported it: layer names are the
 * exporter's node names, filter shapes the architecture in the model card (3×3 convs of 16, 32, 64
 * filters).
 */
class OnnxContractTest extends BackendContract {
    @Override
    protected ContractFixture fixture() {
        return ContractFixture.builder(OnnxBackend.ID, Path.of("../samples/models/fashion-mnist/fashion_cnn.onnx"))
                .layer("/conv1/Conv", LayerKind.CONV, 16, 1, 3, 3)
                .layer("/relu1/Relu", LayerKind.ACTIVATION)
                .layer("/pool1/MaxPool", LayerKind.POOLING)
                .layer("/conv2/Conv", LayerKind.CONV, 32, 16, 3, 3)
                .layer("/relu2/Relu", LayerKind.ACTIVATION)
                .layer("/pool2/MaxPool", LayerKind.POOLING)
                .layer("/conv3/Conv", LayerKind.CONV, 64, 32, 3, 3)
                .layer("/relu3/Relu", LayerKind.ACTIVATION)
                .layer("/pool3/MaxPool", LayerKind.POOLING)
                .layer("/flatten/Flatten", LayerKind.OTHER)
                .layer("/fc1/Gemm", LayerKind.DENSE)
                .layer("/relu4/Relu", LayerKind.ACTIVATION)
                .layer("/fc2/Gemm", LayerKind.DENSE)
                .input(ContractFixture.seededInput(11, 2, 1, 28, 28))
                .wrongInputShape(1, 3, 28, 28)
                .reluLayer("/conv2/Conv")
                .build();
    }
}
