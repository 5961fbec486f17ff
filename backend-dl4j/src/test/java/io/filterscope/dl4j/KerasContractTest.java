package io.filterscope.dl4j;

import io.filterscope.contract.BackendContract;
import io.filterscope.contract.ContractFixture;
import io.filterscope.model.LayerKind;
import java.nio.file.Path;

/**
 * The backend contract on the bundled Keras 3 Fashion-MNIST CNN (channels-last), read by the Keras 3
 * reader: names are the Keras layer names the file records (samples/scripts/train_keras.py), filter
 * shapes the architecture in the model card.
 */
class KerasContractTest extends BackendContract {
    @Override
    protected ContractFixture fixture() {
        return ContractFixture.builder(Dl4jBackend.ID, Path.of("../samples/models/fashion-mnist/fashion_cnn_keras.keras"))
                .layer("conv1", LayerKind.CONV, 16, 1, 3, 3)
                .layer("pool1", LayerKind.POOLING)
                .layer("conv2", LayerKind.CONV, 32, 16, 3, 3)
                .layer("pool2", LayerKind.POOLING)
                .layer("conv3", LayerKind.CONV, 64, 32, 3, 3)
                .layer("pool3", LayerKind.POOLING)
                .layer("flatten", LayerKind.OTHER)
                .layer("fc1", LayerKind.DENSE)
                .layer("dropout", LayerKind.OTHER)
                .layer("logits", LayerKind.DENSE)
                .input(ContractFixture.seededInput(13, 2, 28, 28, 1))
                .wrongInputShape(2, 1, 28, 28)
                .reluLayer("conv1")
                .build();
    }
}
