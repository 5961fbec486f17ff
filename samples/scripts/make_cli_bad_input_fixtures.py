"""Makes the command line's bad-input models (swing-viewer/src/test/resources/cli/bad/).

The CLI column of docs/bad-inputs.md runs these through `filterscope`; they are ONNX files whose
hostile parts (strings in the protobuf) are easiest to write with the onnx package.

1. external/<case>.onnx: the external-data fixture of backend-onnx (models/external) with its weight
   initializer W's offset or length rewritten to a value that overflows a long when added, is
   negative, or is not a number; weights.bin beside them is the fixture's own data file.
2. path_names.onnx: a small CNN whose layers are named like paths ("../../outside", "/tmp/abs",
   "a/../../b") and one whose name is 10,000 characters long. The CLI must write every picture
   inside its output folder, under a plain name of at most 120 characters.

usage: python samples/scripts/make_cli_bad_input_fixtures.py   (from the repository root)
"""
import pathlib
import shutil

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "swing-viewer" / "src" / "test" / "resources" / "cli" / "bad"
SOURCE = REPO / "backend-onnx" / "src" / "test" / "resources" / "models" / "external"

# 1. External data offsets and lengths from the file.
ext = OUT / "external"
ext.mkdir(parents=True, exist_ok=True)
shutil.copy(SOURCE / "weights.bin", ext / "weights.bin")
for case, key, value in [("offset_overflow", "offset", "9223372036854775800"), ("length_overflow", "length", "9223372036854775800"),
                         ("length_lots", "length", "lots"), ("offset_negative", "offset", "-4")]:
    m = onnx.load(str(SOURCE / "model.onnx"), load_external_data=False)
    w = next(t for t in m.graph.initializer if t.name == "W")
    entry = next(e for e in w.external_data if e.key == key)
    entry.value = value
    onnx.save(m, str(ext / f"{case}.onnx"))

# 2. Layer names that look like paths, and a very long one.
rng = np.random.default_rng(13)
names = ["../../outside", "/tmp/abs", "a/../../b", "L" * 10_000]
nodes, inits = [], []
prev, cin = "x", 1
for i, name in enumerate(names):
    W = numpy_helper.from_array((rng.standard_normal((2, cin, 3, 3)) * 0.5).astype(np.float32), f"w{i}")
    inits.append(W)
    nodes.append(helper.make_node("Conv", [prev, W.name], [name], name=name, pads=[1, 1, 1, 1]))
    prev, cin = name, 2
nodes.append(helper.make_node("GlobalAveragePool", [prev], ["gap"], name="gap"))
nodes.append(helper.make_node("Flatten", ["gap"], ["logits"], name="flatten"))
graph = helper.make_graph(nodes, "path_names", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="filterscope-fixtures")
onnx.checker.check_model(model)
onnx.save(model, str(OUT / "path_names.onnx"))
# It runs: ONNX Runtime accepts the names.
out = ort.InferenceSession(str(OUT / "path_names.onnx")).run(None, {"x": np.ones((1, 1, 8, 8), np.float32)})[0]
assert out.shape == (1, 2)
print("wrote", sorted(p.relative_to(OUT).as_posix() for p in OUT.rglob("*") if p.is_file()))
