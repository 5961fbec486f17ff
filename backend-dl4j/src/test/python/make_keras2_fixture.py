"""A Keras 2 style HDF5 model for Keras2ImportTest, with Keras 3's outputs as the reference.

Keras 2 (tf.keras) is not installed here, so the file is written the way Keras 2.x `model.save("x.h5")`
lays it out (root attributes keras_version/backend/model_config, group model_weights with
layer_names/weight_names and `<layer>/<layer>/kernel:0` datasets), from a model built and run by
Keras 3 with the same weights. The references are Keras 3's predictions, the conv layer's output and its kernel (HWIO).

    input 8x8x1 -> Conv2D(3, 3x3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(4, softmax)

Run from the repository root:  python3 backend-dl4j/src/test/python/make_keras2_fixture.py
"""
import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "resources" / "keras2"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)

model = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    keras.layers.Conv2D(3, 3, activation="relu", name="conv"),
    keras.layers.MaxPooling2D(2, name="pool"),
    keras.layers.Flatten(name="flatten"),
    keras.layers.Dense(4, activation="softmax", name="dense"),
])
kernel = rng.normal(0, 0.5, (3, 3, 1, 3)).astype(np.float32)
bias = rng.normal(0, 0.1, (3,)).astype(np.float32)
dense_w = rng.normal(0, 0.3, (27, 4)).astype(np.float32)
dense_b = rng.normal(0, 0.1, (4,)).astype(np.float32)
model.get_layer("conv").set_weights([kernel, bias])
model.get_layer("dense").set_weights([dense_w, dense_b])

x = rng.uniform(-1, 1, (2, 8, 8, 1)).astype(np.float32)
np.save(OUT / "input.npy", x)
np.save(OUT / "conv_kernel.npy", kernel)
np.save(OUT / "predictions.npy", np.asarray(model.predict(x, verbose=0), dtype=np.float32))
conv_out = keras.Model(model.inputs, model.get_layer("conv").output)
np.save(OUT / "conv.npy", np.asarray(conv_out.predict(x, verbose=0), dtype=np.float32))

init = {"class_name": "Zeros", "config": {}}
common = {"trainable": True, "dtype": "float32"}
config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8, 1], "dtype": "float32", "sparse": False,
                                            "ragged": False, "name": "input_1"}},
    {"class_name": "Conv2D", "config": {"name": "conv", **common, "filters": 3, "kernel_size": [3, 3], "strides": [1, 1],
                                        "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
                                        "groups": 1, "activation": "relu", "use_bias": True,
                                        "kernel_initializer": init, "bias_initializer": init, "kernel_regularizer": None,
                                        "bias_regularizer": None, "activity_regularizer": None,
                                        "kernel_constraint": None, "bias_constraint": None}},
    {"class_name": "MaxPooling2D", "config": {"name": "pool", **common, "pool_size": [2, 2], "padding": "valid",
                                             "strides": [2, 2], "data_format": "channels_last"}},
    {"class_name": "Flatten", "config": {"name": "flatten", **common, "data_format": "channels_last"}},
    {"class_name": "Dense", "config": {"name": "dense", **common, "units": 4, "activation": "softmax", "use_bias": True,
                                       "kernel_initializer": init, "bias_initializer": init, "kernel_regularizer": None,
                                       "bias_regularizer": None, "activity_regularizer": None,
                                       "kernel_constraint": None, "bias_constraint": None}},
]}}

with h5py.File(OUT / "small_cnn_keras2.h5", "w") as f:
    f.attrs["keras_version"] = "2.13.1"
    f.attrs["backend"] = "tensorflow"
    f.attrs["model_config"] = json.dumps(config)
    weights = f.create_group("model_weights")
    weights.attrs["layer_names"] = np.array([b"conv", b"pool", b"flatten", b"dense"])
    weights.attrs["backend"] = "tensorflow"
    weights.attrs["keras_version"] = "2.13.1"
    for layer, arrays in {"conv": [kernel, bias], "pool": [], "flatten": [], "dense": [dense_w, dense_b]}.items():
        g = weights.create_group(layer)
        names = [f"{layer}/{n}:0" for n in ("kernel", "bias")][:len(arrays)]
        g.attrs["weight_names"] = np.array([n.encode() for n in names])
        for n, a in zip(names, arrays):
            g.create_dataset(n, data=a)
print("wrote", sorted(p.name for p in OUT.iterdir()))
