"""References for the viewer's window tests, computed with ONNX Runtime (Python), NumPy and hashlib.

Run from the repository root:  python3 swing-viewer/panel/src/test/python/make_viewer_references.py
Writes swing-viewer/panel/src/test/resources/viewer/references.json. The Java tests read it; they never
need Python.
"""
import hashlib
import json
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[5]
BUNDLE = ROOT / "samples" / "models" / "fashion-mnist"
MODEL = BUNDLE / "fashion_cnn.onnx"
IMAGE = BUNDLE / "images" / "9-ankle-boot.png"
OUT = ROOT / "swing-viewer" / "panel" / "src" / "test" / "resources" / "viewer" / "references.json"

# The layers whose post-activation outputs the viewer shows, and the tensors that hold them.
TENSORS = {"/conv1/Conv": "/relu1/Relu_output_0", "/conv2/Conv": "/relu2/Relu_output_0"}


def main():
    labels = (BUNDLE / "labels.txt").read_text(encoding="utf-8").splitlines()
    # The 'unit' preset the viewer picks for a gray model: PIL's grayscale, x / 255.
    x = np.asarray(Image.open(IMAGE).convert("L"), dtype=np.float32) / np.float32(255)
    x = x[None, None, :, :]

    model = onnx.load(str(MODEL))
    for name in TENSORS.values():
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = ["logits"] + list(TENSORS.values())
    results = dict(zip(names, session.run(names, {"input": x})))

    logits = results["logits"][0].astype(np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))[:5]

    layers = {}
    for layer, tensor in TENSORS.items():
        maps = results[tensor][0]
        layers[layer] = {
            "shape": list(maps.shape),
            "min": [float(c.min()) for c in maps],
            "max": [float(c.max()) for c in maps],
            "mean": [float(c.astype(np.float64).mean()) for c in maps],
            # A few cells for the value read-out: [channel, row, column, value]
            "cells": [[c, r, k, float(maps[c, r, k])] for c, r, k in [(0, 7, 7), (5, 3, 10), (len(maps) - 1, 0, 0)]],
        }

    weights = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
    conv1 = weights["conv1.weight"]

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "model": "samples/models/fashion-mnist/fashion_cnn.onnx",
        "image": "samples/models/fashion-mnist/images/9-ankle-boot.png",
        "sha256": hashlib.sha256(MODEL.read_bytes()).hexdigest(),
        "top": [{"index": i, "label": labels[i], "probability": float(p[i])} for i in order],
        "layers": layers,
        "conv1_weights_shape": list(conv1.shape),
        "conv1_cells": [[o, r, k, float(conv1[o, 0, r, k])] for o, r, k in [(0, 0, 0), (7, 1, 2), (15, 2, 1)]],
    }, indent=1) + "\n", encoding="utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
