package io.filterscope.dl4j;

import io.filterscope.contract.BackendContract;
import io.filterscope.contract.ContractFixture;
import io.filterscope.model.LayerKind;
import io.filterscope.spi.OpenOptions;
import java.nio.file.Path;

/**
 * The backend contract on the bundled DL4J-native Fashion-MNIST CNN (trained by the samples'
 * watch program), opened with its input shape given in the open options. Names and filter shapes
 * are the architecture in the model card (3×3 convs of 16, 32, 64 filters with ReLU, each followed
 * by 2×2 max pooling, then two dense layers), as the training program names them.
 */
class Dl4jContractTest extends BackendContract {
    @Override
    protected ContractFixture fixture() {
        return ContractFixture.builder(Dl4jBackend.ID, Path.of("../samples/models/fashion-mnist/fashion_cnn_dl4j.zip"))
                .options(OpenOptions.defaults().withInputShape(1, 28, 28))
                .layer("conv1", LayerKind.CONV, 16, 1, 3, 3)
                .layer("pool1", LayerKind.POOLING)
                .layer("conv2", LayerKind.CONV, 32, 16, 3, 3)
                .layer("pool2", LayerKind.POOLING)
                .layer("conv3", LayerKind.CONV, 64, 32, 3, 3)
                .layer("pool3", LayerKind.POOLING)
                .layer("fc1", LayerKind.DENSE)
                .layer("logits", LayerKind.DENSE)
                .input(ContractFixture.seededInput(11, 2, 1, 28, 28))
                .wrongInputShape(1, 3, 28, 28)
                .reluLayer("conv2")
                .build();
    }
}
