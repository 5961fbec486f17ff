"""Makes the reference values the Java tests compare against, with tools no one here wrote:
onnx/numpy for stored weights, PyTorch's state_dict, and ONNX Runtime's Python API for every
intermediate tensor. Also writes the small synthetic models that exercise each way exporters store
weights, and a few bad files.

usage: python samples/scripts/make_reference_fixtures.py   (from the repository root)
"""
import json
import os
import pathlib
import re

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

REPO = pathlib.Path(__file__).resolve().parents[2]
RES = REPO / "backend-onnx" / "src" / "test" / "resources"
MODELS = RES / "models"
REF = RES / "reference"
BAD = RES / "bad"
BUNDLED = REPO / "samples" / "models" / "fashion-mnist"
IR = 8  # what ONNX Runtime 1.29 (Java) reads
rng = np.random.default_rng(0)


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def model(nodes, inputs, outputs, inits, name):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=IR, producer_name="filterscope-fixtures")
    onnx.checker.check_model(m)
    return m


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def rand(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def conv_relu_model(name, weight_nodes, w_name, extra_inits, w_shape=(4, 3, 3, 3), **conv_attrs):
    """x → Conv(W from weight_nodes) → Relu → GlobalAveragePool."""
    nodes = list(weight_nodes) + [
        helper.make_node("Conv", ["x", w_name, "b"], ["conv_out"], name="conv", **conv_attrs),
        helper.make_node("Relu", ["conv_out"], ["relu_out"], name="relu"),
        helper.make_node("GlobalAveragePool", ["relu_out"], ["y"], name="gap"),
    ]
    inits = list(extra_inits) + [numpy_helper.from_array(rand(w_shape[0]), "b")]
    return model(nodes, [vi("x", ["N", 3, 8, 8])], [vi("y", ["N", w_shape[0], 1, 1])], inits, name)


def synthetic():
    out = {}
    w = rand(4, 3, 3, 3)
    out["raw_data"] = conv_relu_model("raw_data", [], "W", [numpy_helper.from_array(w, "W")], pads=[1, 1, 1, 1])
    t = helper.make_tensor("W", TensorProto.FLOAT, w.shape, w.flatten().tolist(), raw=False)
    out["float_data"] = conv_relu_model("float_data", [], "W", [t], strides=[2, 2], pads=[1, 1, 1, 1])
    out["fp16_weights"] = conv_relu_model("fp16_weights", [helper.make_node("Cast", ["W16"], ["W"], to=TensorProto.FLOAT, name="cast_w")],
                                          "W", [numpy_helper.from_array(w.astype(np.float16), "W16")])
    bf = helper.make_tensor("Wbf", TensorProto.BFLOAT16, w.shape,
                            (w.view(np.uint32) >> 16).astype(np.uint16).tobytes(), raw=True)
    out["bf16_weights"] = conv_relu_model("bf16_weights", [helper.make_node("Cast", ["Wbf"], ["W"], to=TensorProto.FLOAT, name="cast_w")], "W", [bf])
    out["constant_node"] = conv_relu_model("constant_node", [helper.make_node("Constant", [], ["W"], value=numpy_helper.from_array(w, "Wc"), name="const_w")], "W", [], dilations=[2, 2], pads=[2, 2, 2, 2])
    out["identity_weights"] = conv_relu_model("identity_weights", [helper.make_node("Identity", ["W0"], ["W"], name="id_w")], "W", [numpy_helper.from_array(w, "W0")])
    scale = (np.abs(w).reshape(4, -1).max(1) / 127).astype(np.float32)
    q = np.clip(np.round(w / scale[:, None, None, None]), -128, 127).astype(np.int8)
    out["dequantize"] = conv_relu_model("dequantize", [helper.make_node("DequantizeLinear", ["Wq", "Ws", "Wz"], ["W"], axis=0, name="dq_w")], "W",
                                        [numpy_helper.from_array(q, "Wq"), numpy_helper.from_array(scale, "Ws"), numpy_helper.from_array(np.zeros(4, np.int8), "Wz")])
    # grouped: 4 → 8 channels in 2 groups
    wg = rand(8, 2, 3, 3)
    out["grouped"] = model([helper.make_node("Conv", ["x", "W"], ["conv_out"], name="gconv", group=2, pads=[1, 1, 1, 1]),
                            helper.make_node("Relu", ["conv_out"], ["y"], name="relu")],
                           [vi("x", ["N", 4, 8, 8])], [vi("y", ["N", 8, 8, 8])], [numpy_helper.from_array(wg, "W")], "grouped")
    wd, wp = rand(3, 1, 3, 3), rand(6, 3, 1, 1)
    out["depthwise"] = model([helper.make_node("Conv", ["x", "Wd", "bd"], ["dw"], name="depthwise", group=3, pads=[1, 1, 1, 1], strides=[2, 2]),
                              helper.make_node("Relu", ["dw"], ["dw_relu"], name="dw_relu"),
                              helper.make_node("Conv", ["dw_relu", "Wp"], ["pw"], name="pointwise"),
                              helper.make_node("Relu", ["pw"], ["y"], name="pw_relu")],
                             [vi("x", ["N", 3, 8, 8])], [vi("y", ["N", 6, 4, 4])],
                             [numpy_helper.from_array(wd, "Wd"), numpy_helper.from_array(rand(3), "bd"), numpy_helper.from_array(wp, "Wp")], "depthwise")
    wt = rand(4, 3, 3, 3)  # ONNX ConvTranspose layout: in × out/groups × kH × kW
    out["conv_transpose"] = model([helper.make_node("ConvTranspose", ["x", "W", "b"], ["up"], name="deconv", strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]),
                                   helper.make_node("Relu", ["up"], ["y"], name="relu")],
                                  [vi("x", ["N", 4, 4, 4])], [vi("y", ["N", 3, 8, 8])],
                                  [numpy_helper.from_array(wt, "W"), numpy_helper.from_array(rand(3), "b")], "conv_transpose")
    out["dynamic_spatial"] = model([helper.make_node("Conv", ["x", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
                                    helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
                                    helper.make_node("Conv", ["r1", "W2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
                                    helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
                                    helper.make_node("GlobalAveragePool", ["r2"], ["y"], name="gap")],
                                   [vi("x", ["N", 3, "H", "W"])], [vi("y", ["N", 8, 1, 1])],
                                   [numpy_helper.from_array(rand(4, 3, 3, 3), "W1"), numpy_helper.from_array(rand(4), "b1"),
                                    numpy_helper.from_array(rand(8, 4, 3, 3), "W2"), numpy_helper.from_array(rand(8), "b2")], "dynamic_spatial")
    out["no_conv"] = model([helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
                            helper.make_node("Gemm", ["f", "W1", "b1"], ["h"], name="fc1", transB=1),
                            helper.make_node("Relu", ["h"], ["hr"], name="relu"),
                            helper.make_node("Gemm", ["hr", "W2", "b2"], ["y"], name="fc2", transB=1)],
                           [vi("x", ["N", 1, 4, 4])], [vi("y", ["N", 3])],
                           [numpy_helper.from_array(rand(8, 16), "W1"), numpy_helper.from_array(rand(8), "b1"),
                            numpy_helper.from_array(rand(3, 8), "W2"), numpy_helper.from_array(rand(3), "b2")], "no_conv")
    out["nhwc_input"] = model([helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 3, 1, 2], name="to_nchw"),
                               helper.make_node("Conv", ["xt", "W", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
                               helper.make_node("Relu", ["c"], ["r"], name="relu"),
                               helper.make_node("Transpose", ["r"], ["y"], perm=[0, 2, 3, 1], name="to_nhwc")],
                              [vi("x", ["N", 8, 8, 3])], [vi("y", ["N", 8, 8, 4])],
                              [numpy_helper.from_array(rand(4, 3, 3, 3), "W"), numpy_helper.from_array(rand(4), "b")], "nhwc_input")
    return out


def run_all_outputs(model_path, x):
    """Every float node output of the model, from ONNX Runtime's Python API."""
    m = onnx.load(str(model_path))
    present = {o.name for o in m.graph.output}
    for n in m.graph.node:
        for o in n.output:
            if o and o not in present:
                m.graph.output.append(onnx.ValueInfoProto(name=o))
                present.add(o)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    sess_outputs = [o.name for o in sess.get_outputs() if o.type == "tensor(float)"]
    values = sess.run(sess_outputs, {m.graph.input[0].name: x})
    return m, dict(zip(sess_outputs, values))


def write_reference(name, model_path, rel_model, inputs, state_dict=None, state_dict_map=None):
    folder = REF / name
    folder.mkdir(parents=True, exist_ok=True)
    m = onnx.load(str(model_path))
    producers = {o: n for n in m.graph.node for o in n.output}
    manifest = {"model": rel_model, "input_name": m.graph.input[0].name}
    inits = {i.name: i for i in m.graph.initializer}
    for key, (fname, x) in inputs.items():
        np.save(folder / fname, x)
        _, outs = run_all_outputs(model_path, x)
        sub = "act" if key == "activations" else key.replace("activations", "act")
        (folder / sub).mkdir(exist_ok=True)
        entries = []
        for tname, v in outs.items():
            f = f"{sub}/{sanitize(tname)}.npy"
            np.save(folder / f, v.astype(np.float32))
            p = producers.get(tname)
            entries.append({"tensor": tname, "file": f, "shape": list(v.shape), "producer_node": p.name if p else "", "producer_op": p.op_type if p else ""})
        manifest[key] = entries
        if key == "activations":
            manifest["input_shape"] = list(x.shape)
        else:
            manifest["input_" + key.split("_", 1)[1]] = fname
    (folder / "weights").mkdir(exist_ok=True)
    nodes = []
    for n in m.graph.node:
        entry = {"node_name": n.name, "op_type": n.op_type, "inputs": list(n.input), "outputs": list(n.output),
                 "attributes": {a.name: helper.get_attribute_value(a) for a in n.attribute if a.name in ("strides", "pads", "dilations", "group", "kernel_shape")}}
        if n.op_type in ("Conv", "ConvTranspose"):
            w = weight_value(m, n.input[1], inits, producers)
            entry["weight_file"] = f"weights/{sanitize(n.name or n.output[0])}.weight.npy"
            np.save(folder / entry["weight_file"], w)
            if len(n.input) > 2 and n.input[2]:
                entry["bias_file"] = f"weights/{sanitize(n.name or n.output[0])}.bias.npy"
                np.save(folder / entry["bias_file"], weight_value(m, n.input[2], inits, producers))
            if n.op_type == "ConvTranspose":
                entry["weight_layout"] = "in x out/groups x kH x kW (ONNX ConvTranspose)"
        nodes.append(entry)
    manifest["nodes"] = nodes
    if state_dict is not None:
        (folder / "torch_state_dict").mkdir(exist_ok=True)
        for k, v in state_dict.items():
            np.save(folder / "torch_state_dict" / f"{k}.npy", v.detach().numpy().astype(np.float32))
        manifest["state_dict_map"] = state_dict_map
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def weight_value(m, name, inits, producers):
    """The stored value behind a weight input: numpy_helper for a plain initializer, otherwise ONNX
    Runtime evaluating the weight subgraph (the reference decoder for float16, bfloat16, int8 behind
    DequantizeLinear and Constant nodes)."""
    if name in inits and inits[name].data_location != TensorProto.EXTERNAL:
        return numpy_helper.to_array(inits[name]).astype(np.float32)
    g = onnx.ModelProto()
    g.CopyFrom(m)
    del g.graph.output[:]
    g.graph.output.append(onnx.ValueInfoProto(name=name))
    sess = ort.InferenceSession(g.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {i.name: np.zeros([d.dim_value or 1 for d in i.type.tensor_type.shape.dim], np.float32) for i in g.graph.input if i.name not in inits}
    return sess.run([name], feeds)[0].astype(np.float32)


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    BAD.mkdir(parents=True, exist_ok=True)
    x8 = rng.random((1, 3, 8, 8), dtype=np.float32)
    x8b = rng.random((2, 3, 8, 8), dtype=np.float32)
    for name, m in synthetic().items():
        path = MODELS / f"{name}.onnx"
        onnx.save(m, str(path))
        first = m.graph.input[0].type.tensor_type.shape.dim
        shape = [d.dim_value if d.dim_value else None for d in first]
        def make(batch):
            s = [batch] + [v if v else (8 if i >= 2 else 3) for i, v in enumerate(shape[1:], start=1)]
            return rng.random(s, dtype=np.float32)
        inputs = {"activations": ("input.npy", make(1)), "activations_batch2": ("input_batch2.npy", make(2))}
        if name == "dynamic_spatial":
            inputs["activations_large"] = ("input_large.npy", rng.random((2, 3, 12, 10), dtype=np.float32))
        write_reference(name, path, f"src/test/resources/models/{name}.onnx", inputs)
    # external data, inside the folder
    ext = MODELS / "external"
    ext.mkdir(exist_ok=True)
    m = onnx.load(str(MODELS / "raw_data.onnx"))
    onnx.save(m, str(ext / "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    # external data whose location escapes the folder: must be refused
    esc = MODELS / "external_escape"
    esc.mkdir(exist_ok=True)
    m = onnx.load(str(ext / "model.onnx"), load_external_data=False)
    for t in m.graph.initializer:
        for e in t.external_data:
            if e.key == "location":
                e.value = "../outside.bin"
    (esc / "model.onnx").write_bytes(m.SerializeToString())
    # bad files
    (BAD / "empty.onnx").write_bytes(b"")
    raw = (MODELS / "raw_data.onnx").read_bytes()
    (BAD / "truncated.onnx").write_bytes(raw[: int(len(raw) * 0.6)])
    (BAD / "not_onnx.onnx").write_text("this is a text file, not a model\n")
    (BAD / "random_bytes.onnx").write_bytes(np.random.default_rng(1).integers(0, 256, 2048, dtype=np.uint8).tobytes())
    # the bundled models
    img = np.array(__import__("PIL.Image", fromlist=["Image"]).open(next((BUNDLED / "images").glob("0-*.png"))), np.float32) / 255
    imgs2 = np.stack([img, np.array(__import__("PIL.Image", fromlist=["Image"]).open(next((BUNDLED / "images").glob("9-*.png"))), np.float32) / 255])
    sd = None
    sd_path = BUNDLED / "fashion_cnn_torch.pt"
    if sd_path.exists():
        import torch
        sd = torch.load(sd_path, weights_only=True)
    write_reference("fashion_torch", BUNDLED / "fashion_cnn.onnx", "../samples/models/fashion-mnist/fashion_cnn.onnx",
                    {"activations": ("input.npy", img[None, None]), "activations_batch2": ("input_batch2.npy", imgs2[:, None])},
                    state_dict=sd, state_dict_map={"/conv1/Conv": {"weight": "conv1.weight", "bias": "conv1.bias"},
                                                   "/conv2/Conv": {"weight": "conv2.weight", "bias": "conv2.bias"},
                                                   "/conv3/Conv": {"weight": "conv3.weight", "bias": "conv3.bias"}} if sd is not None else None)
    keras = BUNDLED / "fashion_cnn_keras.onnx"
    if keras.exists():
        write_reference("fashion_keras", keras, "../samples/models/fashion-mnist/fashion_cnn_keras.onnx",
                        {"activations": ("input.npy", img[None, :, :, None]), "activations_batch2": ("input_batch2.npy", imgs2[:, :, :, None])})
    print("reference fixtures written under", REF)


if __name__ == "__main__":
    main()
