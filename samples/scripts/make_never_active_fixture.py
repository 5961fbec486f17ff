"""A hand-checkable model for "never active over a folder" (dead filters by activity): one 3x3
convolution with three filters over a 1x28x28 input, then ReLU, a global max pool and a flatten
(output N x 3). With inputs in [0, 1] (the `unit` preset):
  filter 0: all weights +1, bias -0.5: fires wherever a 3x3 window sums past 0.5 (any bright patch);
  filter 1: all weights +1, bias -10:  a window sums to at most 9, so it never fires;
  filter 2: all weights -1, bias 0:    never above 0 on non-negative inputs (0 on a black window).
So over any folder of images with a bright patch, exactly filters 1 and 2 are never active, and each
filter's largest pre-activation value is (largest window sum) - 0.5, (largest window sum) - 10 and
-(smallest window sum), which a test computes from the pixels alone.

usage: python samples/scripts/make_never_active_fixture.py
writes swing-viewer/src/test/resources/examples/never_active.onnx
"""
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "swing-viewer/src/test/resources/examples/never_active.onnx"

w = np.stack([np.ones((1, 3, 3)), np.ones((1, 3, 3)), -np.ones((1, 3, 3))]).astype(np.float32)
b = np.array([-0.5, -10.0, 0.0], dtype=np.float32)
nodes = [
    helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="conv", kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["conv_out"], ["relu_out"], name="relu"),
    helper.make_node("GlobalMaxPool", ["relu_out"], ["pool_out"], name="pool"),
    helper.make_node("Flatten", ["pool_out"], ["scores"], name="flatten", axis=1),
]
graph = helper.make_graph(
    nodes, "never_active",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 28, 28])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 3])],
    [numpy_helper.from_array(w, "conv.weight"), numpy_helper.from_array(b, "conv.bias")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_never_active_fixture.py")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, TARGET)

# The claims above, on random non-negative inputs with a black corner.
x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
x[:, :, :4, :4] = 0
out = ort.InferenceSession(str(TARGET)).run(None, {"input": x})[0]
assert out.shape == (4, 3) and (out[:, 0] > 0).all() and (out[:, 1:] == 0).all(), out
print("wrote", TARGET)
