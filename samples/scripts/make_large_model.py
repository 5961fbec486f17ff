"""Writes a ~100 MB ONNX CNN (seeded random weights) for the heap benchmark (OpenMemory).

usage: python samples/scripts/make_large_model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
nodes, inits = [], []
x = "input"
channels = 3
for i in range(11):
    out_ch = 512
    w = rng.standard_normal((out_ch, channels, 3, 3), dtype=np.float32) * 0.01
    b = np.zeros(out_ch, np.float32)
    inits += [numpy_helper.from_array(w, f"conv{i}.weight"), numpy_helper.from_array(b, f"conv{i}.bias")]
    nodes.append(helper.make_node("Conv", [x, f"conv{i}.weight", f"conv{i}.bias"], [f"conv{i}"], name=f"conv{i}", pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", [f"conv{i}"], [f"relu{i}"], name=f"relu{i}"))
    x = f"relu{i}"
    channels = out_ch
nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="gap"))
nodes.append(helper.make_node("Flatten", ["pooled"], ["logits"], name="flatten"))
graph = helper.make_graph(nodes, "large", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 512])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="filterscope-bench")
onnx.save(model, sys.argv[1])
print(sys.argv[1], sum(i.ByteSize() for i in inits) / 1e6, "MB of weights")
