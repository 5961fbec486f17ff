"""Makes the keras.applications fixtures for io.filterscope.dl4j.keras (Keras3Reader).

Run from the repository root (a venv with keras and torch from the local index):

    KERAS_BACKEND=torch python backend-dl4j/src/test/python/make_keras_apps_fixtures.py [name ...]
    KERAS_BACKEND=tensorflow python backend-dl4j/src/test/python/make_keras_apps_fixtures.py   # NASNet only

(venvs under /tmp: keras + torch, and keras + tensorflow-cpu for NASNet, which Keras refuses to build
under torch). RegNet is not part of Keras 3's keras.applications, so there is none here.

Each CNN family of keras.applications is built by Keras' own builder with seeded random weights
(nothing downloads) at a small input, and, where the named model is too large to commit, at reduced
width or depth through the same builder (the layer kinds and wiring are those of the named model).
For each it writes, under backend-dl4j/src/test/resources/keras3/apps/<name>/:
  model.keras        the Keras 3 zip (and model.h5, Keras 3's legacy form, for extras and convnext_mini)
  input.npy          one fixed input (NHWC, batch 1, pixel values 0..255)
  out/<layer>.npy    every layer's and operation's output for that input, computed by Keras itself (float32)
  grad/input_logit<c>.npy  (some) d logit[c] / d input by torch autograd through Keras

Default initialisers (seeded) keep activations bounded through deep stacks; what they leave at
0 or 1 (biases, batch-norm statistics, Normalization statistics, layer scales) is randomised so that
every parameter carries signal.
"""
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
from keras import layers
from keras.src.applications import convnext, densenet, efficientnet, efficientnet_v2, inception_resnet_v2, mobilenet_v3, resnet

ROOT = Path(__file__).resolve().parents[4]
OUT = ROOT / "backend-dl4j/src/test/resources/keras3/apps"
SIZE = 32


def randomize(model, rng):
    """Random values for what the initialisers leave constant; kernels keep their seeded init."""
    for layer in _all_layers(model):
        for w in layer.weights:
            name = w.path.split("/")[-1]
            shape = tuple(w.shape)
            if name in ("moving_variance", "variance"):
                v = rng.uniform(0.5, 1.5, shape)
            elif name == "gamma":
                v = rng.uniform(0.5, 1.5, shape) * (1 if not isinstance(layer, convnext.LayerScale) else rng.choice([-1, 1], shape))
            elif name in ("beta", "moving_mean", "bias", "mean"):
                v = rng.normal(0, 0.1, shape)
            elif name == "count":
                continue
            else:
                continue
            w.assign(v.astype("float32"))


def _all_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
        else:
            yield layer


def _flat_outputs(model, x):
    """Every layer's and operation's output (x + 3.0 is an operation in the graph), nested
    Sequential models included (their layers by their own names)."""
    outs = {}
    nodes = [op for op in model.operations if not isinstance(op, (layers.InputLayer, keras.Sequential))]
    probe = keras.Model(model.inputs, [op.output for op in nodes])
    for op, y in zip(nodes, probe(x, training=False)):
        outs[op.name] = keras.ops.convert_to_numpy(y).astype("float32")
    # Layers inside nested Sequential models: run each sub-model layer by layer on its input.
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            h = keras.Model(model.inputs, layer.input)(x, training=False)
            for inner in layer.layers:
                h = inner(h, training=False)
                outs[inner.name] = keras.ops.convert_to_numpy(h).astype("float32")
    return outs


def save(model, name, x, grads=False, h5=False):
    d = OUT / name
    if d.exists():
        shutil.rmtree(d)
    (d / "out").mkdir(parents=True)
    model.save(d / "model.keras")
    if h5:
        model.save(d / "model.h5")  # the legacy form drops what marks x + 3.0 as an operation
    np.save(d / "input.npy", x.astype("float32"))
    for layer_name, y in _flat_outputs(model, x).items():
        np.save(d / "out" / f"{layer_name}.npy", y)
    for form in ("model.keras", "model.h5") if h5 else ("model.keras",):
        try:
            back = keras.saving.load_model(d / form, compile=False)
        except ValueError as e:
            # Keras 3.15 writes x / 2.0 into its legacy form but cannot read it back ("Unknown layer: 'TrueDivide'").
            print(f"{name}/{form}: Keras cannot read it back ({e.args[0][:40]}…); checked through the .keras form")
            continue
        np.testing.assert_allclose(keras.ops.convert_to_numpy(back(x, training=False)),
                                   keras.ops.convert_to_numpy(model(x, training=False)), rtol=1e-5, atol=1e-6)
    if grads:
        save_input_gradient(d, model, x)
    size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
    print(f"{name}: {len(model.layers)} layers, {model.count_params()} params, {size / 1e6:.2f} MB")


def save_input_gradient(folder, model, x):
    """d logit[c] / d input for the top class c; the logits are the last Dense/Conv before the softmax."""
    import torch
    head = model.layers[-1]
    if isinstance(head, layers.Activation):
        logits_model = keras.Model(model.inputs, head.input)
        act = None
    else:
        logits_model = keras.Model(model.inputs, head.output)
        act = head.activation
        head.activation = keras.activations.linear
    xt = torch.tensor(x.astype("float32"), requires_grad=True)
    logits = logits_model(xt, training=False)
    if act is not None:
        head.activation = act
    c = int(torch.argmax(logits[0]))
    logits[0, c].backward()
    (folder / "grad").mkdir(exist_ok=True)
    np.save(folder / "grad" / f"input_logit{c}.npy", xt.grad.detach().numpy().astype("float32"))


def image(rng):
    return rng.uniform(0, 255, (1, SIZE, SIZE, 3))


def efficientnet_b0(rng):
    # B0's blocks, SE, Rescaling + Normalization stem; width 0.25 keeps the file small.
    m = efficientnet.EfficientNet(0.25, 1.0, SIZE, name="efficientnetb0", weights=None,
                                  input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "efficientnet_b0", image(rng), grads=True)


def efficientnet_v2_b0(rng):
    m = efficientnet_v2.EfficientNetV2(0.25, 1.0, SIZE, name="efficientnetv2-b0", blocks_args=efficientnet_v2.DEFAULT_BLOCKS_ARGS["efficientnetv2-b0"],
                                       weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "efficientnet_v2_b0", image(rng))


def mobilenet_v3_small(rng):
    m = keras.applications.MobileNetV3Small(alpha=0.75, weights=None, input_shape=(SIZE, SIZE, 3), classes=5,
                                            include_top=True)
    randomize(m, rng)
    save(m, "mobilenet_v3_small", image(rng), grads=True)


def mobilenet_v3_large(rng):
    # Without the 1280-wide classifier head, which alone would be 10 MB; the blocks are all there.
    m = keras.applications.MobileNetV3Large(alpha=0.5, weights=None, input_shape=(SIZE, SIZE, 3), include_top=False,
                                            pooling="avg")
    randomize(m, rng)
    save(m, "mobilenet_v3_large", image(rng))


def mobilenet_v2(rng):
    # Width 0.35 at 32×32, the smallest Keras accepts; the 1280-wide last conv stays (Keras keeps it
    # for every alpha ≤ 1), the classifier has 5 classes.
    m = keras.applications.MobileNetV2(alpha=0.35, weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "mobilenet_v2", image(rng))


def mobilenet_v1(rng):
    # MobileNet (v1) at width 0.25 and 32×32; the head is Keras' own (Reshape, Dropout, 1×1 conv, Reshape).
    m = keras.applications.MobileNet(alpha=0.25, weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "mobilenet_v1", image(rng))


def convnext_tiny(rng):
    # ConvNeXt-Tiny's depths with a sixth of its widths; drop_path_rate > 0 puts StochasticDepth layers in.
    m = convnext.ConvNeXt(depths=[3, 3, 9, 3], projection_dims=[16, 32, 64, 128], name="convnext_tiny", drop_path_rate=0.1,
                          default_size=SIZE, weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "convnext_tiny", image(rng), grads=True)


def resnet50_v2(rng):
    # ResNet50V2's pre-activation blocks, one per stage, an eighth of the widths.
    def stack_fn(x):
        x = resnet.stack_residual_blocks_v2(x, 8, 2, name="conv2")
        x = resnet.stack_residual_blocks_v2(x, 16, 2, name="conv3")
        x = resnet.stack_residual_blocks_v2(x, 32, 2, name="conv4")
        return resnet.stack_residual_blocks_v2(x, 64, 2, stride1=1, name="conv5")
    m = resnet.ResNet(stack_fn, True, True, name="resnet50v2", weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "resnet50_v2", image(rng))


def resnet50(rng):
    # ResNet50's (v1) bottleneck blocks, one per stage, an eighth of the widths.
    def stack_fn(x):
        x = resnet.stack_residual_blocks_v1(x, 8, 1, stride1=1, name="conv2")
        x = resnet.stack_residual_blocks_v1(x, 16, 1, name="conv3")
        x = resnet.stack_residual_blocks_v1(x, 32, 1, name="conv4")
        return resnet.stack_residual_blocks_v1(x, 64, 1, name="conv5")
    m = resnet.ResNet(stack_fn, False, True, name="resnet50", weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "resnet50", image(rng))


def densenet121(rng):
    # DenseNet's dense and transition blocks at one layer per block (121 has 6, 12, 24, 16).
    m = densenet.DenseNet([1, 1, 1, 1], weights=None, input_shape=(SIZE, SIZE, 3), classes=5, name="densenet121")
    randomize(m, rng)
    save(m, "densenet121", image(rng))


def inception_resnet_v2_blocks(rng):
    # One block of each Inception-ResNet-v2 kind (block35, block17, block8 with its linear last
    # block), from the architecture's own builder, on a small stem.
    ir = inception_resnet_v2
    inp = keras.Input((SIZE, SIZE, 3), name="input_layer")
    x = layers.Rescaling(1 / 127.5, offset=-1, name="rescale")(inp)
    x = ir.conv2d_bn(x, 32, 3, strides=2, padding="valid")
    x = ir.conv2d_bn(x, 32, 1)
    x = ir.inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=1)
    x = ir.conv2d_bn(x, 48, 1, strides=2)
    x = ir.inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=1)
    x = ir.conv2d_bn(x, 64, 1, strides=2)
    x = ir.inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = ir.conv2d_bn(x, 64, 1, name="conv_7b")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dense(5, activation="softmax", name="predictions")(x)
    m = keras.Model(inp, x, name="inception_resnet_v2")
    randomize(m, rng)
    save(m, "inception_resnet_v2", image(rng))


def extras(rng):
    """Permute, UpSampling2D, Cropping2D, Multiply, Reshape and activations off the main families."""
    inp = keras.Input((8, 8, 3), name="img")
    c = layers.Conv2D(4, 3, padding="same", name="conv")(inp)
    p = layers.Permute((2, 1, 3), name="permute_hw")(c)
    up = layers.UpSampling2D(2, name="up")(p)
    up2 = layers.UpSampling2D((1, 2), name="up_1x2")(c)
    crop = layers.Cropping2D(((1, 2), (3, 0)), name="crop")(up)
    crop2 = layers.Cropping2D(1, name="crop_sym")(crop)
    m1 = layers.Multiply(name="mul_same")([crop2, layers.Activation("hard_sigmoid", name="hs")(crop2)])
    # Arithmetic on Keras tensors becomes operations in the graph (ops.add, …), as in MobileNetV3.
    m1 = ((m1 + 3.0) * 0.5 - 1.0) / 2.0 * m1
    spread = layers.Rescaling(4.0, offset=-2.0, name="spread")(m1)  # both sides of every kink (±0.5, ±1, ±3)
    acts = [layers.Activation(a, name=f"a_{a}")(spread) for a in ("hard_silu", "hard_swish", "gelu", "softplus", "softsign",
                                                              "exponential", "mish", "relu6", "celu", "hard_tanh",
                                                              "log_sigmoid", "tanh_shrink", "soft_shrink", "hard_shrink",
                                                              "squareplus", "sparse_plus", "sparse_sigmoid")]
    cat = layers.Concatenate(name="cat")(acts)
    g = layers.GlobalAveragePooling2D(keepdims=True, name="gap_keep")(cat)
    scaled = layers.Multiply(name="mul_bcast")([cat, g])
    ln = layers.LayerNormalization(epsilon=1e-3, name="ln")(scaled)
    d4 = layers.Dense(6, name="dense4d")(ln)
    perm = layers.Permute((3, 1, 2), name="permute_chw")(d4)
    r = layers.Reshape((-1,), name="flat_reshape")(perm)
    r2 = layers.Reshape((2, 3, -1), name="reshape3d")(layers.Dense(12, name="fc12")(r))
    f = layers.Flatten(name="flat")(r2)
    u2 = layers.Flatten(name="flat_up")(up2)
    j = layers.Concatenate(name="join")([f, layers.Dense(4, name="fc_up")(u2)])
    out = layers.Dense(3, activation="softmax", name="probs")(j)
    m = keras.Model(inp, out, name="extras")
    randomize(m, rng)
    save(m, "extras", rng.normal(0, 1, (1, 8, 8, 3)), h5=True)


def convnext_mini(rng):
    """ConvNeXt at one block per stage and 8 channels: nested Sequential models and LayerScale in both forms."""
    m = convnext.ConvNeXt(depths=[1, 1, 1, 1], projection_dims=[8, 8, 8, 8], name="convnext_mini", drop_path_rate=0.1,
                          default_size=SIZE, weights=None, input_shape=(SIZE, SIZE, 3), classes=5)
    randomize(m, rng)
    save(m, "convnext_mini", image(rng), h5=True)


def nasnet_mobile(rng):
    # NASNet-Mobile's cells (skip_reduction=False, stem 32 → here 8) at one block per stage and
    # 96 penultimate filters. Keras builds NASNet only with the TensorFlow backend, hence its own run.
    from keras.src.applications import nasnet
    m = nasnet.NASNet(input_shape=(SIZE, SIZE, 3), penultimate_filters=96, num_blocks=1, stem_block_filters=8,
                      skip_reduction=False, filter_multiplier=2, weights=None, classes=5, default_size=SIZE, name="nasnet_mobile")
    randomize(m, rng)
    save(m, "nasnet_mobile", image(rng))


def lambda_model():
    d = OUT.parent / "bad"
    d.mkdir(parents=True, exist_ok=True)
    inp = keras.Input((4, 4, 1), name="x")
    y = layers.Lambda(lambda t: t * 2.0, name="double")(inp)
    keras.Model(inp, y).save(d / "lambda_layer.keras")


BUILDERS = {f.__name__: f for f in (efficientnet_b0, efficientnet_v2_b0, mobilenet_v3_small, mobilenet_v3_large,
                                    convnext_tiny, resnet50_v2, inception_resnet_v2_blocks, extras, convnext_mini,
                                    resnet50, densenet121, mobilenet_v2, mobilenet_v1)}

if __name__ == "__main__":
    if keras.backend.backend() == "tensorflow":
        # NASNet only (Keras refuses it under torch):
        # KERAS_BACKEND=tensorflow python make_keras_apps_fixtures.py   (a venv with tensorflow-cpu)
        keras.utils.set_random_seed(100)
        nasnet_mobile(np.random.default_rng(100))
        sys.exit(0)
    if keras.backend.backend() != "torch":
        sys.exit("run with KERAS_BACKEND=torch (or tensorflow for NASNet)")
    wanted = sys.argv[1:] or list(BUILDERS)
    for i, name in enumerate(BUILDERS):
        if name in wanted:
            keras.utils.set_random_seed(i)
            BUILDERS[name](np.random.default_rng(i))
    lambda_model()
