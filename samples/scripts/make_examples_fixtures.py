"""Reference values for the dataset-examples, weight-statistics and model-diff tests, computed with
ONNX Runtime's and onnx's Python APIs and numpy (nothing of FilterScope's).

usage: python samples/scripts/make_examples_fixtures.py
writes swing-viewer/src/test/resources/examples/*.json

- examples.json: for the first N Fashion-MNIST test images (pixel / 255, as the tests write them to
  PNG files named %05d.png), the top-K images per channel of one layer's post-ReLU output, scored by
  the maximum and by the mean over positions, with the row and column of the (first) maximum. Ties
  are ranked by file name, as FilterScope does. Models: the bundled PyTorch export (layer conv2) and
  the bundled Keras export (Keras layer conv2, the DL4J backend reads the same model from .h5); and
  each image's top-1 class.
- weight_stats.json: for every Conv of the bundled PyTorch export, per-filter L2 norms, a 32-bin
  numpy.histogram of the weights (in float64), mean and std, and every pair of filters with cosine
  similarity >= 0.5 (the tests use thresholds at or above that); and each filter's largest post-ReLU
  output over the first N test images (activity_max).
- diff.json: the bundled sample image 9-ankle-boot.png through both ONNX exports; per conv layer
  the max and mean absolute difference of the post-ReLU outputs (NCHW).
"""
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from PIL import Image

import fashion_mnist

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "swing-viewer/src/test/resources/examples"
MODELS = fashion_mnist.MODEL_DIR
N = 300
K = 5


def post_relu(model, conv_node_name):
    """The output of the first Relu reached from the named Conv through single-consumer nodes."""
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    node = next(n for n in model.graph.node if n.name == conv_node_name)
    t = node.output[0]
    while True:
        nxt = consumers.get(t, [])
        if len(nxt) != 1:
            raise SystemExit(f"cannot follow {conv_node_name}: {t} has {len(nxt)} consumers")
        n = nxt[0]
        if n.op_type == "Relu":
            return n.output[0]
        if n.op_type not in ("Add", "Transpose", "Cast", "BatchNormalization", "Identity"):
            raise SystemExit(f"cannot follow {conv_node_name}: reached {n.op_type}")
        t = n.output[0]


def session_with(path, tensors):
    m = onnx.load(str(path))
    names = [post_relu(m, t) for t in tensors]
    for name in names:
        m.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]), names


def nchw(a, nhwc):
    return a.transpose(0, 3, 1, 2) if nhwc else a


def top_examples(acts, names):
    n, c, h, w = acts.shape
    flat = acts.reshape(n, c, h * w)
    out = {}
    for kind in ("max", "mean"):
        scores = flat.max(axis=2) if kind == "max" else flat.mean(axis=2, dtype=np.float64).astype(np.float32)
        arg = flat.argmax(axis=2)
        chans = []
        for ch in range(c):
            order = sorted(range(n), key=lambda i: (-float(scores[i, ch]), names[i]))[:K]
            chans.append([{"image": names[i], "score": float(scores[i, ch]), "y": int(arg[i, ch] // w),
                           "x": int(arg[i, ch] % w)} for i in order])
        out[kind] = chans
    return out


def examples():
    x, _ = fashion_mnist.load("t10k")
    x = x[:N].astype(np.float32) / 255
    names = [f"{i:05d}.png" for i in range(N)]
    result = {"images": N, "k": K, "models": {}}
    for file, node, layer, nhwc in (("fashion_cnn.onnx", "/conv2/Conv", "conv2", False),
                                    ("fashion_cnn_keras.onnx", "/Conv_1", "conv2", True)):
        sess, outs = session_with(MODELS / file, [node])
        feed = x[:, :, :, None] if nhwc else x[:, None]
        acts = nchw(sess.run(outs, {sess.get_inputs()[0].name: feed})[0], nhwc)
        print(f"{file}: {outs[0]} {acts.shape}")
        logits = sess.run(None, {sess.get_inputs()[0].name: feed})[0]
        result["models"][file] = {"layer": layer, "onnx_tensor": outs[0], "channels": int(acts.shape[1]),
                                  "top1": [int(v) for v in logits.argmax(axis=1)], **top_examples(acts, names)}
    (OUT / "examples.json").write_text(json.dumps(result, indent=1))


def weight_stats():
    x, _ = fashion_mnist.load("t10k")
    x = x[:N].astype(np.float32) / 255
    convs = [n.name for n in onnx.load(str(MODELS / "fashion_cnn.onnx")).graph.node if n.op_type == "Conv"]
    sess, outs = session_with(MODELS / "fashion_cnn.onnx", convs)
    acts = sess.run(outs, {sess.get_inputs()[0].name: x[:, None]})
    activity = {name: a.max(axis=(0, 2, 3)).tolist() for name, a in zip(convs, acts)}
    m = onnx.load(str(MODELS / "fashion_cnn.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    layers = []
    for n in m.graph.node:
        if n.op_type != "Conv":
            continue
        w = inits[n.input[1]].astype(np.float64)
        flat = w.reshape(w.shape[0], -1)
        norms = np.linalg.norm(flat, axis=1)
        counts, edges = np.histogram(w, bins=32)
        unit = flat / norms[:, None]
        cos = unit @ unit.T
        pairs = [{"a": a, "b": b, "cosine": float(cos[a, b])}
                 for a in range(len(norms)) for b in range(a + 1, len(norms)) if cos[a, b] >= 0.5]
        layers.append({"node": n.name, "shape": list(w.shape), "norms": norms.tolist(), "histogram": counts.tolist(),
                       "min": float(edges[0]), "max": float(edges[-1]), "mean": float(w.mean()), "std": float(w.std()),
                       "median_norm": float(np.median(norms)), "pairs_cosine_at_least_0.5": pairs,
                       "activity_max": activity[n.name]})
    (OUT / "weight_stats.json").write_text(json.dumps({"model": "fashion_cnn.onnx", "layers": layers}, indent=1))


def diff():
    img = np.asarray(Image.open(MODELS / "images/9-ankle-boot.png").convert("L"), dtype=np.float32) / 255
    torch_sess, torch_outs = session_with(MODELS / "fashion_cnn.onnx", ["/conv1/Conv", "/conv2/Conv", "/conv3/Conv"])
    keras_sess, keras_outs = session_with(MODELS / "fashion_cnn_keras.onnx", ["/Conv", "/Conv_1", "/Conv_2"])
    a = torch_sess.run(torch_outs, {torch_sess.get_inputs()[0].name: img[None, None]})
    b = keras_sess.run(keras_outs, {keras_sess.get_inputs()[0].name: img[None, :, :, None]})
    rows = []
    for name, ta, tb in zip(["conv1", "conv2", "conv3"], a, b):
        d = np.abs(ta - nchw(tb, True))
        rows.append({"layer": name, "max_abs": float(d.max()), "mean_abs": float(d.mean(dtype=np.float64))})
    (OUT / "diff.json").write_text(json.dumps({"a": "fashion_cnn.onnx", "b": "fashion_cnn_keras.onnx",
                                               "image": "images/9-ankle-boot.png", "layers": rows}, indent=1))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    examples()
    weight_stats()
    diff()
