"""The bundled Fashion-MNIST ONNX export with its batch size fixed to 7 (input 7x1x28x28, output
7x10), for the tests that check how image folders are batched for a model whose input fixes the batch
(ImageBatches pads a short batch, as Explainer does). The graph (Conv/Relu/MaxPool/Flatten/Gemm) does
not depend on the batch size, so only the declared shapes change; the reference values of
examples.json (ONNX Runtime Python, batch free) hold for it unchanged, which this script checks.

usage: python samples/scripts/make_fixed_batch_fixture.py
writes swing-viewer/src/test/resources/examples/fashion_cnn_batch7.onnx
"""
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "samples/models/fashion-mnist/fashion_cnn.onnx"
TARGET = ROOT / "swing-viewer/src/test/resources/examples/fashion_cnn_batch7.onnx"
BATCH = 7

model = onnx.load(SOURCE)
for value in list(model.graph.input) + list(model.graph.output):
    dim = value.type.tensor_type.shape.dim[0]
    dim.Clear()
    dim.dim_value = BATCH
onnx.checker.check_model(model)
onnx.save(model, TARGET)

# The same outputs as the free-batch model, item by item.
rng = np.random.default_rng(7)
x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
fixed = ort.InferenceSession(str(TARGET)).run(None, {"input": x})[0]
free = ort.InferenceSession(str(SOURCE)).run(None, {"input": x})[0]
assert fixed.shape == (BATCH, 10), fixed.shape
assert np.allclose(fixed, free, atol=1e-6)
print("wrote", TARGET, "input", [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim])
