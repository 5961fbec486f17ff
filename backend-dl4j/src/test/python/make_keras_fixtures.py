"""Makes the Keras 3 test fixtures for io.filterscope.dl4j.keras (Keras3Reader).

Run from the repository root:

    KERAS_BACKEND=torch python backend-dl4j/src/test/python/make_keras_fixtures.py

For each small model below it writes, under backend-dl4j/src/test/resources/keras3/<model>/:
  model.keras   the Keras 3 zip format
  model.h5      Keras 3's legacy HDF5 format
  input.npy     the fixed input (NHWC, batch 1)
  out/<layer>.npy  every layer's output for that input, computed by Keras itself

Weights are random (seeded) rather than trained so that every channel carries signal, and
BatchNormalization gets non-trivial moving mean/variance. The bundled Fashion-MNIST Keras model gets
the same treatment for one bundled image (keras3/fashion/). A Keras 2 style .h5 (written with h5py,
since Keras 3 cannot write one) and a model with an unsupported layer complete the bad-input cases.
"""
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py
import keras
import numpy as np
from keras import layers
from PIL import Image

ROOT = Path(__file__).resolve().parents[4]
OUT = ROOT / "backend-dl4j/src/test/resources/keras3"
BUNDLE = ROOT / "samples/models/fashion-mnist"


def randomize(model, rng):
    """Random weights; BN variances positive, moving stats far from 0/1."""
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        if isinstance(layer, layers.BatchNormalization):
            names = [w.path.split("/")[-1] for w in layer.weights]
            new = []
            for name, w in zip(names, ws):
                if name == "moving_variance":
                    new.append(rng.uniform(0.5, 2.0, w.shape).astype("float32"))
                elif name == "gamma":
                    new.append(rng.uniform(0.5, 1.5, w.shape).astype("float32"))
                else:
                    new.append(rng.normal(0, 0.5, w.shape).astype("float32"))
            layer.set_weights(new)
        else:
            layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in ws])


def save(model, name, x):
    d = OUT / name
    if d.exists():
        shutil.rmtree(d)
    (d / "out").mkdir(parents=True)
    model.save(d / "model.keras")
    model.save(d / "model.h5")
    np.save(d / "input.npy", x.astype("float32"))
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        probe = keras.Model(model.inputs, layer.output)
        y = keras.ops.convert_to_numpy(probe(x, training=False))
        np.save(d / "out" / f"{layer.name}.npy", y.astype("float32"))
    # The files must read back in Keras to the same outputs (guards the fixture itself).
    for f in ("model.keras", "model.h5"):
        back = keras.saving.load_model(d / f, compile=False)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(back(x, training=False)),
                                   keras.ops.convert_to_numpy(model(x, training=False)), rtol=1e-5, atol=1e-6)
    print(name, [l.name for l in model.layers])


def save_gradients(folder, x, logits_of, extra_layers=()):
    """d logit[c] / d input (and / d each named layer's output), c the top class, by torch autograd.

    References for the backend's gradients (Grad-CAM, saliency); logits_of(x) gives the pre-softmax
    scores, extra_layers is a list of (name, head, tail) with head(x) the layer output and tail(h)
    the logits computed from it.
    """
    import torch
    xt = torch.tensor(x.astype("float32"), requires_grad=True)
    logits = logits_of(xt)
    c = int(torch.argmax(logits[0]))
    logits[0, c].backward()
    g = folder / "grad"
    g.mkdir(exist_ok=True)
    np.save(g / f"input_logit{c}.npy", xt.grad.detach().numpy().astype("float32"))
    for name, head, tail in extra_layers:
        h = head(torch.tensor(x.astype("float32"))).detach().requires_grad_(True)
        tail(h)[0, c].backward()
        np.save(g / f"{name}_logit{c}.npy", h.grad.detach().numpy().astype("float32"))


def sequential_cnn(rng):
    m = keras.Sequential(name="seq_cnn", layers=[
        keras.Input((12, 12, 3), name="image"),
        layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale"),
        layers.ZeroPadding2D(((1, 2), (0, 1)), name="pad"),
        layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", name="conv_s2_same"),
        layers.BatchNormalization(epsilon=1e-2, name="bn"),
        layers.DepthwiseConv2D(3, depth_multiplier=2, padding="valid", activation="relu6", name="dw_valid"),
        layers.SeparableConv2D(5, 3, padding="same", depth_multiplier=1, dilation_rate=2, activation="swish", name="sep_same"),
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="tanh", name="deconv_s2_same"),
        layers.MaxPooling2D(2, padding="same", name="max_same"),
        layers.AveragePooling2D(3, strides=1, padding="same", name="avg_same"),
        layers.Conv2D(3, 2, dilation_rate=2, use_bias=False, activation="elu", name="conv_dil_nobias"),
        layers.Flatten(name="flatten"),
        layers.Dense(8, activation="selu", name="fc"),
        layers.Dropout(0.3, name="drop"),
        layers.Dense(5, activation="softmax", name="probs"),
    ])
    randomize(m, rng)
    x = rng.uniform(0, 255, (1, 12, 12, 3))
    save(m, "seq_cnn", x)
    to_drop = keras.Model(m.inputs, m.get_layer("drop").output)
    kernel, bias = m.get_layer("probs").weights
    save_gradients(OUT / "seq_cnn", x, lambda t: to_drop(t, training=False) @ kernel.value + bias.value)


def functional_branches(rng):
    inp = keras.Input((10, 10, 3), name="img")
    c1 = layers.Conv2D(4, 3, padding="same", name="c1")(inp)
    bn = layers.BatchNormalization(center=False, name="bn_nocenter")(c1)
    r6 = layers.ReLU(max_value=6.0, name="relu_cap")(bn)
    side = layers.Conv2D(4, 1, activation="sigmoid", name="side")(inp)
    add = layers.Add(name="sum")([r6, side])
    cat = layers.Concatenate(name="cat")([add, c1])
    g = layers.Activation("gelu", name="gelu")(cat)
    dw = layers.DepthwiseConv2D((3, 2), strides=(2, 1), padding="same", name="dw_s2")(g)
    d = layers.Conv2DTranspose(2, 3, padding="valid", dilation_rate=1, activation="hard_sigmoid", name="deconv_valid")(dw)
    sep = layers.SeparableConv2D(3, (2, 3), strides=2, padding="valid", depth_multiplier=2, use_bias=False,
                                 activation="silu", name="sep_s2")(d)
    bn2 = layers.BatchNormalization(scale=False, name="bn_noscale")(sep)
    avg = layers.AveragePooling2D((2, 2), strides=1, padding="valid", name="avg_valid")(bn2)
    gap = layers.GlobalAveragePooling2D(name="gap")(avg)
    gmp = layers.GlobalMaxPooling2D(name="gmp")(cat)
    flat = layers.Concatenate(name="cat_flat")([gap, gmp])
    fc = layers.Dense(6, activation="leaky_relu", name="fc")(flat)
    lin = layers.Dense(3, name="logits")(fc)
    out = layers.Activation("softmax", name="softmax")(lin)
    m = keras.Model(inp, out, name="func_branches")
    randomize(m, rng)
    x = rng.normal(0, 1, (1, 10, 10, 3))
    save(m, "func_branches", x)
    to_logits = keras.Model(m.inputs, m.get_layer("logits").output)
    save_gradients(OUT / "func_branches", x, lambda t: to_logits(t, training=False))


def two_inputs(rng):
    """Two inputs and two outputs: the graph's inputs and outputs keep Keras' order."""
    image = keras.Input((6, 6, 2), name="image")
    extra = keras.Input((4,), name="extra")
    c = layers.Conv2D(3, 3, padding="valid", activation="relu", name="conv")(image)
    g = layers.GlobalAveragePooling2D(name="gap")(c)
    j = layers.Concatenate(name="join")([g, extra])
    a = layers.Dense(3, name="head_a")(j)
    b = layers.Dense(2, activation="sigmoid", name="head_b")(extra)
    m = keras.Model([image, extra], [a, b], name="two_inputs")
    randomize(m, rng)
    xs = [rng.normal(0, 1, (1, 6, 6, 2)), rng.normal(0, 1, (1, 4))]
    d = OUT / "two_inputs"
    if d.exists():
        shutil.rmtree(d)
    (d / "out").mkdir(parents=True)
    m.save(d / "model.keras")
    np.save(d / "input.npy", xs[0].astype("float32"))
    np.save(d / "input_1.npy", xs[1].astype("float32"))
    for layer in m.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        y = keras.Model(m.inputs, layer.output)(xs, training=False)
        np.save(d / "out" / f"{layer.name}.npy", keras.ops.convert_to_numpy(y).astype("float32"))
    print("two_inputs", [l.name for l in m.layers])


def activations(rng):
    inp = keras.Input((6,), name="vec")
    x = layers.Dense(6, activation="relu", name="d_relu")(inp)
    x = layers.BatchNormalization(name="bn_flat")(x)
    x = layers.Dense(6, activation="linear", name="d_linear")(x)
    # One branch per activation, all fed the same pre-activation values (weights would only add bytes).
    branches = [layers.Activation(a, name=f"a_{a}")(x)
                for a in ("relu6", "sigmoid", "tanh", "elu", "selu", "swish", "silu", "gelu", "hard_sigmoid", "leaky_relu")]
    branches.append(layers.ReLU(name="relu_layer")(x))
    branches.append(layers.ReLU(max_value=2.5, name="relu_capped")(x))
    cat = layers.Concatenate(name="cat")(branches)
    out = layers.Dense(4, activation="softmax", name="d_softmax")(cat)
    m = keras.Model(inp, out, name="activations")
    randomize(m, rng)
    save(m, "activations", rng.normal(0, 2, (1, 6)))


def fashion():
    model = keras.saving.load_model(BUNDLE / "fashion_cnn_keras.keras", compile=False)
    img = np.asarray(Image.open(BUNDLE / "images/0-t-shirt-top.png").convert("L"), dtype="float32") / 255.0
    x = img[None, :, :, None]
    d = OUT / "fashion"
    if d.exists():
        shutil.rmtree(d)
    (d / "out").mkdir(parents=True)
    np.save(d / "input.npy", x)
    for layer in model.layers:
        probe = keras.Model(model.inputs, layer.output)
        np.save(d / "out" / f"{layer.name}.npy", keras.ops.convert_to_numpy(probe(x, training=False)).astype("float32"))
    print("fashion", [l.name for l in model.layers])
    names = [l.name for l in model.layers]
    to_conv3 = keras.Model(model.inputs, model.get_layer("conv3").output)

    def after_conv3(h):
        for layer in model.layers[names.index("conv3") + 1:]:
            h = layer(h, training=False)
        return h
    save_gradients(d, x, lambda t: model(t, training=False), [("conv3", lambda t: to_conv3(t, training=False), after_conv3)])


def bad_inputs(rng):
    d = OUT / "bad"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    m = keras.Sequential(name="unsupported", layers=[
        keras.Input((8, 8, 2), name="x"),
        layers.Conv2D(2, 3, name="conv"),
        layers.UnitNormalization(name="unit"),
    ])
    m.save(d / "unsupported_layer.keras")
    m.save(d / "unsupported_layer.h5")
    # A Keras 2.x legacy file: the attributes Keras 2 writes, with a Keras 2 config.
    with h5py.File(d / "keras2.h5", "w") as f:
        f.attrs["keras_version"] = "2.13.1"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "k2", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "in"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "linear", "use_bias": True}}]}})
        g = f.create_group("model_weights/dense/dense")
        g.create_dataset("kernel:0", data=rng.normal(0, 1, (4, 2)).astype("float32"))
        g.create_dataset("bias:0", data=np.zeros(2, "float32"))
        f["model_weights/dense"].attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        f["model_weights"].attrs["layer_names"] = [b"dense"]


if __name__ == "__main__":
    if keras.backend.backend() != "torch":
        sys.exit("run with KERAS_BACKEND=torch")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    sequential_cnn(rng)
    functional_branches(rng)
    activations(rng)
    fashion()
    two_inputs(rng)
    bad_inputs(rng)
