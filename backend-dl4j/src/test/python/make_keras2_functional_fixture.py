"""A Keras 2 style functional HDF5 model (BatchNormalization, DepthwiseConv2D, a residual Add) for
Keras2ImportTest, with Keras 3's outputs as the reference: DL4J's import builds it as a graph and the
weights (set by FilterScope's Keras2Weights, read in Java) are checked through its predictions.

As make_keras2_fixture.py: Keras 2 (tf.keras) is not installed here, so the file is laid out the way
Keras 2.x `model.save("x.h5")` writes a Functional model (root attributes keras_version/backend/
model_config, model_weights/<layer>/<layer>/<var>:0 with layer_names/weight_names), from a model
built and run by Keras 3 with the same weights.

    input 8x8x2 -> Conv2D(4, 3x3, same) -> BatchNormalization -> relu -+-> Add -> GAP -> Dense(3, softmax)
                                                         DepthwiseConv2D(3x3, same) -+

Run from the repository root:  python3 backend-dl4j/src/test/python/make_keras2_functional_fixture.py
"""
import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "resources" / "keras2" / "functional_bn"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(11)

inp = keras.Input(shape=(8, 8, 2), name="input")
x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inp)
x = keras.layers.BatchNormalization(epsilon=1e-3, name="bn")(x)
r = keras.layers.Activation("relu", name="relu")(x)
d = keras.layers.DepthwiseConv2D(3, padding="same", name="dw")(r)
x = keras.layers.Add(name="add")([r, d])
x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
out = keras.layers.Dense(3, activation="softmax", name="dense")(x)
model = keras.Model(inp, out)

weights = {
    "conv": {"kernel": rng.normal(0, 0.4, (3, 3, 2, 4)), "bias": rng.normal(0, 0.1, (4,))},
    "bn": {"gamma": rng.uniform(0.5, 1.5, (4,)), "beta": rng.normal(0, 0.2, (4,)),
           "moving_mean": rng.normal(0, 0.3, (4,)), "moving_variance": rng.uniform(0.5, 2.0, (4,))},
    "dw": {"depthwise_kernel": rng.normal(0, 0.4, (3, 3, 4, 1)), "bias": rng.normal(0, 0.1, (4,))},
    "dense": {"kernel": rng.normal(0, 0.5, (4, 3)), "bias": rng.normal(0, 0.1, (3,))},
}
weights = {layer: {k: v.astype(np.float32) for k, v in vs.items()} for layer, vs in weights.items()}
for layer, vs in weights.items():
    model.get_layer(layer).set_weights(list(vs.values()))

x = rng.uniform(-1, 1, (2, 8, 8, 2)).astype(np.float32)
np.save(OUT / "input.npy", x)
np.save(OUT / "predictions.npy", np.asarray(model.predict(x, verbose=0), dtype=np.float32))
np.save(OUT / "dw.npy", np.asarray(keras.Model(inp, model.get_layer("dw").output).predict(x, verbose=0), dtype=np.float32))

init = {"class_name": "Zeros", "config": {}}
none = {"kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}
common = {"trainable": True, "dtype": "float32"}


def node(*inputs):
    return [[[name, 0, 0, {}] for name in inputs]]


layers = [
    {"class_name": "InputLayer", "name": "input", "inbound_nodes": [],
     "config": {"batch_input_shape": [None, 8, 8, 2], "dtype": "float32", "sparse": False, "ragged": False, "name": "input"}},
    {"class_name": "Conv2D", "name": "conv", "inbound_nodes": node("input"),
     "config": {"name": "conv", **common, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
                "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True,
                "kernel_initializer": init, "bias_initializer": init, **none}},
    {"class_name": "BatchNormalization", "name": "bn", "inbound_nodes": node("conv"),
     "config": {"name": "bn", **common, "axis": [3], "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
                "beta_initializer": init, "gamma_initializer": {"class_name": "Ones", "config": {}},
                "moving_mean_initializer": init, "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}},
    {"class_name": "Activation", "name": "relu", "inbound_nodes": node("bn"),
     "config": {"name": "relu", **common, "activation": "relu"}},
    {"class_name": "DepthwiseConv2D", "name": "dw", "inbound_nodes": node("relu"),
     "config": {"name": "dw", **common, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last",
                "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": True, "depth_multiplier": 1,
                "depthwise_initializer": init, "bias_initializer": init, "depthwise_regularizer": None, "bias_regularizer": None,
                "activity_regularizer": None, "depthwise_constraint": None, "bias_constraint": None}},
    {"class_name": "Add", "name": "add", "inbound_nodes": node("relu", "dw"), "config": {"name": "add", **common}},
    {"class_name": "GlobalAveragePooling2D", "name": "gap", "inbound_nodes": node("add"),
     "config": {"name": "gap", **common, "data_format": "channels_last", "keepdims": False}},
    {"class_name": "Dense", "name": "dense", "inbound_nodes": node("gap"),
     "config": {"name": "dense", **common, "units": 3, "activation": "softmax", "use_bias": True,
                "kernel_initializer": init, "bias_initializer": init, **none}},
]
config = {"class_name": "Functional", "config": {"name": "model", "trainable": True, "layers": layers,
                                                 "input_layers": [["input", 0, 0]], "output_layers": [["dense", 0, 0]]}}

with h5py.File(OUT / "functional_bn_keras2.h5", "w") as f:
    f.attrs["keras_version"] = "2.13.1"
    f.attrs["backend"] = "tensorflow"
    f.attrs["model_config"] = json.dumps(config)
    g = f.create_group("model_weights")
    names = [layer["name"] for layer in layers]
    g.attrs["layer_names"] = np.array([n.encode() for n in names])
    g.attrs["backend"] = "tensorflow"
    g.attrs["keras_version"] = "2.13.1"
    for name in names:
        lg = g.create_group(name)
        arrays = weights.get(name, {})
        weight_names = [f"{name}/{var}:0" for var in arrays]
        lg.attrs["weight_names"] = np.array([n.encode() for n in weight_names])
        for n, a in zip(weight_names, arrays.values()):
            lg.create_dataset(n, data=a)
print("wrote", sorted(p.name for p in OUT.iterdir()))
