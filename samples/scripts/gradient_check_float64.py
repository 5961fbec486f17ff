"""Evaluates the ONNX backend's gradient graph (the model's nodes with the backward nodes FilterScope
appends, as GradientGraphExport writes it) in float64 and compares its input gradient with PyTorch
float64 autograd (make_gradient_check.py's <name>_grad64.npy).

ONNX Runtime computes in float32, and over a whole ResNet-18 or MobileNetV2 float32 rounding flips
ReLU and max-pool branches, so neither ONNX Runtime nor PyTorch's own float32 gradient meets 1e-4 of
the float64 one (docs/onnx-gradients.md). ONNX Runtime's CPU Conv has no float64 kernel; this runs
the same graph, converted to float64 (weights, inputs, outputs, value infos, Cast targets, constants),
with ONNX's reference evaluator (onnx.reference, numpy). Its ConvTranspose scatters one pixel at a
time in Python (hours at 224×224), so ConvTranspose is replaced by a vectorised numpy one of the
same definition (still float64), checked against the reference one on small cases first. The weights are the float32 ones widened, as
PyTorch's model.double() widens them, so the two float64 computations differ only by rounding at
1e-16 and by wrong backward rules.

usage: python samples/scripts/gradient_check_float64.py DIR [NAME...]
       DIR holds <name>.onnx, <name>_input.npy, <name>_grad64.npy (make_gradient_check.py) and
       <name>_grad.onnx with <name>_grad.onnx.properties (GradientGraphExport, class 7).
Prints max |ours − reference| / max |reference| and the L2 relative error per model; exits 1 when
either exceeds 1e-4.
"""
import pathlib
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from onnx.reference.op_run import OpRun

K = 7
BOUND = 1e-4
F32, F64 = TensorProto.FLOAT, TensorProto.DOUBLE


def widen_tensor(t):
    """A float32 TensorProto as float64, same name and values."""
    if t.data_type != F32:
        return t
    return numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64), t.name)


def widen_value_infos(values):
    for v in values:
        if v.type.HasField("tensor_type") and v.type.tensor_type.elem_type == F32:
            v.type.tensor_type.elem_type = F64


def to_float64(model):
    """The model computing in float64: float32 weights and constants widened, declared types and
    Cast targets float64. Inputs that the operators require as float32 (Resize scales) stay."""
    g = model.graph
    keep32 = {n.input[2] for n in g.node if n.op_type == "Resize" and len(n.input) > 2 and n.input[2]}
    inits = [t if t.name in keep32 else widen_tensor(t) for t in g.initializer]
    del g.initializer[:]
    g.initializer.extend(inits)
    widen_value_infos(g.input)
    widen_value_infos(g.output)
    widen_value_infos(g.value_info)
    for n in g.node:
        if n.op_type == "Cast":
            for a in n.attribute:
                if a.name == "to" and a.i == F32:
                    a.i = F64
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == F32:
                a.t.CopyFrom(widen_tensor(a.t))
    return model


class ConvTranspose(OpRun):
    """ONNX ConvTranspose (2-D; groups, strides, dilations, pads, output_padding), vectorised: the
    products of each input pixel with each kernel tap, then one strided add per tap."""

    def _run(self, X, W, B=None, auto_pad=None, dilations=None, group=None, kernel_shape=None,  # noqa: PLR0913
             output_padding=None, output_shape=None, pads=None, strides=None):
        if (auto_pad not in (None, "NOTSET")) or output_shape is not None or X.ndim != 4:
            raise NotImplementedError("ConvTranspose: only 2-D with explicit pads")
        group = group or 1
        kh, kw = W.shape[2:]
        dh, dw = dilations or (1, 1)
        sh, sw = strides or (1, 1)
        pt, pl, pb, pr = pads or (0, 0, 0, 0)
        oph, opw = output_padding or (0, 0)
        n, c, h, w = X.shape
        cin, cout = c // group, W.shape[1]
        cols = np.einsum("ngchw,gcokl->ngoklhw", X.reshape(n, group, cin, h, w), W.reshape(group, cin, cout, kh, kw), optimize=True)
        full_h, full_w = sh * (h - 1) + (kh - 1) * dh + 1 + oph, sw * (w - 1) + (kw - 1) * dw + 1 + opw
        out = np.zeros((n, group, cout, full_h, full_w), dtype=X.dtype)
        for i in range(kh):
            for j in range(kw):
                out[:, :, :, i * dh:i * dh + sh * (h - 1) + 1:sh, j * dw:j * dw + sw * (w - 1) + 1:sw] += cols[:, :, :, i, j]
        out = out.reshape(n, group * cout, full_h, full_w)[:, :, pt:full_h - pb, pl:full_w - pr]
        if B is not None:
            out = out + B.reshape(1, -1, 1, 1)
        return (np.ascontiguousarray(out),)


def conv_transpose_model(attrs):
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], **attrs)
    graph = helper.make_graph([node], "ct", [helper.make_tensor_value_info("x", F64, None), helper.make_tensor_value_info("w", F64, None)],
                              [helper.make_tensor_value_info("y", F64, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def check_conv_transpose():
    """The vectorised ConvTranspose against the reference evaluator's own, on small float64 cases."""
    rng = np.random.default_rng(0)
    cases = [dict(group=1, strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1], dilations=[1, 1], c=4, o=3, k=3, h=5, w=6),
             dict(group=4, strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 0], dilations=[1, 1], c=4, o=1, k=3, h=7, w=5),
             dict(group=2, strides=[1, 1], pads=[2, 1, 0, 3], output_padding=[0, 0], dilations=[2, 1], c=4, o=3, k=3, h=6, w=6),
             dict(group=1, strides=[2, 2], pads=[3, 3, 3, 3], output_padding=[1, 1], dilations=[1, 1], c=2, o=3, k=7, h=4, w=4)]
    for case in cases:
        x = rng.standard_normal((2, case["c"], case["h"], case["w"]))
        wt = rng.standard_normal((case["c"], case["o"], case["k"], case["k"]))
        attrs = {k: case[k] for k in ("group", "strides", "pads", "output_padding", "dilations")}
        ours = ReferenceEvaluator(conv_transpose_model(attrs), new_ops=[ConvTranspose]).run(None, {"x": x, "w": wt})[0]
        # The reference's own grouped path is right only when each group has one output channel
        # (onnx 1.23 slices W by output channels): compare group by group, each with group=1.
        g, cin = case["group"], case["c"] // case["group"]
        single = conv_transpose_model({**attrs, "group": 1})
        ref = np.concatenate([ReferenceEvaluator(single).run(None, {"x": x[:, i * cin:(i + 1) * cin], "w": wt[i * cin:(i + 1) * cin]})[0]
                              for i in range(g)], axis=1)
        if ref.shape != ours.shape or np.abs(ref - ours).max() > 1e-12 * np.abs(ref).max():
            raise SystemExit(f"the vectorised ConvTranspose differs from the reference one for {case}")


def read_properties(path):
    props = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            props[k] = v
    return props


def main():
    d = pathlib.Path(sys.argv[1])
    names = sys.argv[2:] or ["resnet18", "mobilenet_v2"]
    check_conv_transpose()
    ok = True
    for name in names:
        props = read_properties(d / f"{name}_grad.onnx.properties")
        model = to_float64(onnx.load(str(d / f"{name}_grad.onnx")))
        x = np.load(d / f"{name}_input.npy").astype(np.float64)
        reference = np.load(d / f"{name}_grad64.npy")
        seed_shape = [int(s) for s in props["seed_shape"].strip("[]").split(",")]
        seed = np.zeros(seed_shape, dtype=np.float64)
        seed[:, K] = 1.0
        start = time.time()
        session = ReferenceEvaluator(model, new_ops=[ConvTranspose])
        ours = session.run([props["input_gradient"]], {props["input"]: x, props["seed"]: seed})[0]
        seconds = time.time() - start
        if ours.dtype != np.float64:
            raise SystemExit(f"{name}: the gradient came back as {ours.dtype}, not float64; a node was left in float32")
        worst = float(np.abs(ours - reference).max() / np.abs(reference).max())
        l2 = float(np.linalg.norm(ours - reference) / np.linalg.norm(reference))
        nodes = len(model.graph.node)
        print(f"{name}: input {list(x.shape)}, class {K}, {nodes} nodes, {seconds:.0f} s; ONNX backward graph in float64 "
              f"vs PyTorch float64 autograd: max rel. error {worst:.2e}, L2 rel. error {l2:.2e}")
        ok &= worst <= BOUND and l2 <= BOUND
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
