"""Makes the command line's own test models (swing-viewer/src/test/resources/cli/).

1. tiny_text_det.onnx, a text-detector-like model with a free input height and width, and
   page_150x100.png for it.
2. tiny_imagenet_1000.onnx, a classifier with 1,000 outputs (the shape of every torchvision and
   keras.applications ImageNet model) whose bias makes class 913 win for any input.

About 1:

Like PaddleOCR's PP-OCRv4 det (and DBNet in general) it takes N x 3 x H x W with H and W free, goes
down five stride-2 convolutions (to H/32) and back up, adding each level to the one above it. The
additions only line up when H and W are multiples of 32, as in the real detectors: fed any other
size, ONNX Runtime refuses the input. The output is a 1-channel probability map at H/2 x W/2.

usage: python samples/scripts/make_cli_fixtures.py   (from the repository root)
"""
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageDraw

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "swing-viewer" / "src" / "test" / "resources" / "cli"
rng = np.random.default_rng(7)
C = 4


def w(*shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32))


nodes, inits = [], []
prev = "x"
cin = 3
for k in range(1, 6):
    W, b = w(C, cin, 3, 3), w(C)
    W.name, b.name = f"down{k}.weight", f"down{k}.bias"
    inits += [W, b]
    nodes.append(helper.make_node("Conv", [prev, W.name, b.name], [f"d{k}"], name=f"down{k}", pads=[1, 1, 1, 1], strides=[2, 2]))
    nodes.append(helper.make_node("Relu", [f"d{k}"], [f"r{k}"], name=f"relu{k}"))
    prev, cin = f"r{k}", C
scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "up_scales")
inits.append(scales)
top = "r5"
for k in range(4, 0, -1):
    nodes.append(helper.make_node("Resize", [top, "", "up_scales"], [f"u{k}"], name=f"up{k}", mode="nearest"))
    nodes.append(helper.make_node("Add", [f"u{k}", f"r{k}"], [f"m{k}"], name=f"merge{k}"))
    top = f"m{k}"
W, b = w(1, C, 3, 3), w(1)
W.name, b.name = "head.weight", "head.bias"
inits += [W, b]
nodes.append(helper.make_node("Conv", [top, W.name, b.name], ["h"], name="head", pads=[1, 1, 1, 1]))
nodes.append(helper.make_node("Sigmoid", ["h"], ["prob"], name="prob"))
graph = helper.make_graph(nodes, "tiny_text_det", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
                          [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", 1, "H2", "W2"])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="filterscope-fixtures")
onnx.checker.check_model(model)
OUT.mkdir(parents=True, exist_ok=True)
onnx.save(model, str(OUT / "tiny_text_det.onnx"))

# A 150 x 100 "page" with three dark lines of "text": not a multiple of 32 either way.
img = Image.new("RGB", (150, 100), "white")
d = ImageDraw.Draw(img)
for y in (20, 45, 70):
    d.rectangle([15, y, 130, y + 10], fill=(30, 30, 30))
img.save(OUT / "page_150x100.png")

# What the model says about the sizes: multiples of 32 run, others do not.
sess = ort.InferenceSession(str(OUT / "tiny_text_det.onnx"))
ok = sess.run(None, {"x": np.zeros((1, 3, 96, 160), np.float32)})[0]
assert ok.shape == (1, 1, 48, 80), ok.shape
try:
    sess.run(None, {"x": np.zeros((1, 3, 100, 150), np.float32)})
    raise SystemExit("the model should refuse 100 x 150")
except Exception as e:  # noqa: BLE001 - ONNX Runtime's error type differs between versions
    print("100 x 150 refused as expected:", str(e).splitlines()[0][:100])
print("wrote", OUT / "tiny_text_det.onnx", "and", OUT / "page_150x100.png")

# 2. A 1,000-way classifier: conv, global average pool, flatten, dense to 1,000 logits.
Wc, bc = w(4, 3, 3, 3), w(4)
Wc.name, bc.name = "conv.weight", "conv.bias"
Wd = numpy_helper.from_array((rng.standard_normal((1000, 4)) * 0.01).astype(np.float32), "fc.weight")
bias = np.zeros(1000, np.float32)
bias[913] = 10.0
bd = numpy_helper.from_array(bias, "fc.bias")
cls = helper.make_graph(
    [helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv", pads=[1, 1, 1, 1]),
     helper.make_node("Relu", ["c"], ["r"], name="relu"),
     helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
     helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
     helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1)],
    "tiny_imagenet_1000", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 32, 32])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])], [Wc, bc, Wd, bd])
cm = helper.make_model(cls, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="filterscope-fixtures")
onnx.checker.check_model(cm)
onnx.save(cm, str(OUT / "tiny_imagenet_1000.onnx"))
logits = ort.InferenceSession(str(OUT / "tiny_imagenet_1000.onnx")).run(None, {"x": np.zeros((1, 3, 32, 32), np.float32)})[0]
assert logits.shape == (1, 1000) and int(np.argmax(logits)) == 913, logits.shape
print("wrote", OUT / "tiny_imagenet_1000.onnx")
