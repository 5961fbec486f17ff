"""Trains the same Fashion-MNIST CNN in Keras 3 (channels-last) and saves it as .keras, as a
Keras 3 legacy .h5, and as ONNX through Keras' own export (torch backend: tf2onnx is not available
here).

usage: KERAS_BACKEND=torch python samples/scripts/train_keras.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pathlib  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import fashion_mnist  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "models" / "fashion-mnist"


def build():
    return keras.Sequential([
        keras.Input((28, 28, 1), name="input"),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(2, name="pool2"),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
        keras.layers.MaxPooling2D(2, name="pool3"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(128, activation="relu", name="fc1"),
        keras.layers.Dropout(0.3, name="dropout"),
        keras.layers.Dense(10, name="logits"),
    ], name="fashion_cnn")


def main():
    keras.utils.set_random_seed(0)
    xtr, ytr = fashion_mnist.load("train")
    xte, yte = fashion_mnist.load("t10k")
    xtr = (xtr.astype(np.float32) / 255)[..., None]
    xte = (xte.astype(np.float32) / 255)[..., None]
    model = build()
    epochs = int(os.environ.get("EPOCHS", "12"))
    steps = epochs * ((len(xtr) + 127) // 128)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(xtr, ytr, batch_size=128, epochs=epochs, verbose=2, validation_data=(xte, yte))
    acc = model.evaluate(xte, yte, verbose=0)[1]
    print(f"test accuracy {acc:.4f}")
    assert acc >= 0.90, f"test accuracy {acc:.4f} below 0.90"
    OUT.mkdir(parents=True, exist_ok=True)
    model.save(OUT / "fashion_cnn_keras.keras")
    model.save(OUT / "fashion_cnn_keras.h5")
    model.export(str(OUT / "fashion_cnn_keras.onnx"), format="onnx")


if __name__ == "__main__":
    main()
