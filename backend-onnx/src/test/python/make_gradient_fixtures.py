"""Reference gradients from PyTorch autograd for the ONNX backward pass (OnnxGradientsTest).

Builds small CNNs in PyTorch with seeded weights that together use every operator the ONNX backend
differentiates (Conv incl. strided/odd sizes, grouped, depthwise and dilated, ConvTranspose, Gemm,
MatMul, BatchNormalization, Relu, Clip (ReLU6), LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish,
MaxPool (ceil_mode, overlapping), AveragePool, GlobalAveragePool, ReduceMean, Add, Sub, Mul (broadcast), Div,
Concat, Flatten, Reshape, Transpose, Pad, Resize (nearest, x2; linear), Softmax, and in a third model PRelu, Elu,
Gelu, Erf, Slice, Gather, Split, GlobalMaxPool), exports them to ONNX (TorchScript exporter,
opset 17), and saves, for a fixed batch of two inputs and class K:

    input.npy                      the input batch
    logits.npy, output.npy         the model's logits and its softmax output
    grad_input_logit.npy           d Σₙ logit[n, K] / d input
    grad_input_output.npy          d Σₙ softmax[n, K] / d input
    layers/<i>_act.npy, _grad.npy  a few intermediate activations and d Σₙ logit[n, K] / d them
    manifest.json                  the ONNX tensor name of each of those layers, K, the operators used
    channels/<key>_c<C>_*.npy      for a channel target (feature visualisation): the layer's activation and
                                   d Σₙ mean_hw layer[n, C] / d input and / d an earlier layer

Everything is computed in float64 and saved as float32.

Run from the repository root (torch, onnx and onnxruntime from the local pip index):
    python backend-onnx/src/test/python/make_gradient_fixtures.py
"""
import json
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1] / "resources" / "gradients"
K = 3


def bn(c):
    b = nn.BatchNorm2d(c)
    # Non-trivial stored statistics, as a trained network has.
    with torch.no_grad():
        b.running_mean.uniform_(-0.3, 0.3)
        b.running_var.uniform_(0.5, 1.5)
        b.weight.uniform_(0.5, 1.5)
        b.bias.uniform_(-0.2, 0.2)
    return b


class ResNetish(nn.Module):
    """Stem with stride 2 on odd sizes, ceil-mode max pool, a basic block, a downsampling block,
    average pooling, a Gemm head. BatchNorm after a pool stays a BatchNormalization node (the
    exporter folds BatchNorm after Conv into the Conv)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.stem_bn = bn(8)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.pool_bn = bn(8)
        self.b1c1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.b1bn1 = bn(8)
        self.b1c2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.b1bn2 = bn(8)
        self.b2c1 = nn.Conv2d(8, 12, 3, stride=2, padding=1, bias=False)
        self.b2bn1 = bn(12)
        self.b2c2 = nn.Conv2d(12, 12, 3, padding=2, dilation=2, bias=False)
        self.b2bn2 = bn(12)
        self.down = nn.Conv2d(8, 12, 1, stride=2, bias=False)
        self.down_bn = bn(12)
        self.fc = nn.Linear(12, 6)

    def forward(self, x):
        acts = {}
        x = F.relu(self.stem_bn(self.stem(x)))
        acts["stem"] = x
        x = self.pool_bn(self.pool(x))
        idt = x
        y = F.relu(self.b1bn1(self.b1c1(x)))
        y = self.b1bn2(self.b1c2(y))
        x = F.relu(y + idt)
        acts["block1"] = x
        y = F.relu(self.b2bn1(self.b2c1(x)))
        y = self.b2bn2(self.b2c2(y))
        x = F.relu(y + self.down_bn(self.down(x)))
        acts["block2"] = x
        x = F.avg_pool2d(x, 2, stride=1)
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return acts, self.fc(x)


class MobileNetish(nn.Module):
    """MobileNetV2/V3-like: ReLU6 stem, inverted residuals with depthwise convs (one strided on odd
    sizes), a squeeze-excite with HardSigmoid and a broadcast Mul, HardSwish, a grouped conv, a
    transposed conv, Concat, LeakyRelu, Sigmoid, Tanh, Pad, a Transpose pair, a MatMul head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.expand = nn.Conv2d(8, 16, 1)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.project = nn.Conv2d(16, 8, 1)
        self.expand2 = nn.Conv2d(8, 16, 1)
        self.dw2 = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16)
        self.se_reduce = nn.Conv2d(16, 4, 1)
        self.se_expand = nn.Conv2d(4, 16, 1)
        self.grouped = nn.Conv2d(16, 12, 3, padding=1, groups=2)
        self.up = nn.ConvTranspose2d(12, 6, 3, stride=2, padding=1, output_padding=1)
        self.side = nn.Conv2d(12, 6, 3)
        self.fc = nn.Parameter(torch.randn(12, 6) * 0.3)
        self.bias = nn.Parameter(torch.randn(6) * 0.1)

    def forward(self, x):
        acts = {}
        x = F.relu6(self.stem(x))
        acts["stem"] = x
        y = F.relu6(self.expand(x))
        y = F.relu6(self.dw(y))
        x = x + self.project(y)
        y = F.hardswish(self.expand2(x))
        y = F.hardswish(self.dw2(y))
        acts["dw2"] = y
        s = F.adaptive_avg_pool2d(y, 1)
        s = F.hardsigmoid(self.se_expand(F.relu(self.se_reduce(s))))
        y = y * s
        y = F.leaky_relu(self.grouped(y), 0.1)
        acts["grouped"] = y
        up = torch.sigmoid(self.up(y)) + F.interpolate(y, scale_factor=2, mode="nearest").mean(dim=1, keepdim=True)
        side = torch.tanh(self.side(F.pad(y, (1, 1, 1, 1))))
        z = torch.cat([F.max_pool2d(up, 2), side], dim=1)
        acts["concat"] = z
        z = (z - 0.1) / 2.0
        z = z.permute(0, 2, 3, 1).permute(0, 3, 1, 2)
        # A global average both ways: GlobalAveragePool + a reshape computed from Shape (a shape
        # path, not differentiated), and ReduceMean (as Keras/tf2onnx exports express it).
        z = F.adaptive_avg_pool2d(z, 1).reshape(z.shape[0], -1) + 0.5 * z.mean(dim=(2, 3))
        return acts, z @ self.fc + self.bias


class Extras(nn.Module):
    """The rules added after the first two models: PRelu (per channel), Elu, Gelu (exact, and with the tanh
    approximation), Slice (constant starts/ends, step 1), Gather (constant indices, repeated), Split (one
    part unused), GlobalMaxPool, linear Resize (half-pixel with scales, align-corners with sizes). Exported at opset 20, where F.gelu is a Gelu node; at lower opsets it is
    Erf arithmetic, whose Erf has a rule too (the opset-17 copy, model_opset17.onnx)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.prelu = nn.PReLU(8, init=0.2)
        self.conv2 = nn.Conv2d(8, 12, 3, stride=2, padding=1)
        self.fc = nn.Linear(16, 6)
        with torch.no_grad():
            self.prelu.weight.uniform_(-0.5, 0.5)

    def forward(self, x):
        acts = {}
        y = self.prelu(self.conv(x))
        acts["prelu"] = y
        y = F.elu(y, alpha=0.7)
        y = y[:, :, 1:-1, 2:]                                   # Slice
        y = F.gelu(self.conv2(y))
        acts["gelu"] = y
        # Linear Resize, align-corners coordinates and sizes computed in the graph
        y = y + F.interpolate(F.avg_pool2d(y, 2), size=y.shape[-2:], mode="bilinear", align_corners=True)
        a, b, c = torch.split(y, [5, 4, 3], dim=1)              # Split; c is not used
        a = F.gelu(a, approximate="tanh")
        picked = b[:, torch.tensor([3, 0, 3, 1])]               # Gather with constant, repeated indices
        z = torch.cat([a, picked], dim=1)                       # 9 channels
        acts["concat"] = z
        up = F.interpolate(z, scale_factor=2, mode="bilinear")   # linear Resize, half-pixel, constant scales
        g = F.adaptive_max_pool2d(up, 1).flatten(1)             # GlobalMaxPool
        m = z.mean(dim=(2, 3))[:, :7]                           # Slice on a 2-D tensor
        return acts, self.fc(torch.cat([g, m], dim=1))


def make(name, model, shape, layer_ops, opset=17, channel_targets=()):
    out = ROOT / name
    (out / "layers").mkdir(parents=True, exist_ok=True)
    model.eval()
    torch.onnx.export(model32(model), torch.zeros(shape), out / "model.onnx", opset_version=opset, dynamo=False,
                      input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    proto = onnx.load(out / "model.onnx")
    ops = sorted({n.op_type for n in proto.graph.node})

    m64 = model.double().eval()
    x = (torch.rand(shape, dtype=torch.float64) * 2 - 1).float().double().requires_grad_(True)
    acts, logits = m64(x)
    for a in acts.values():
        a.retain_grad()
    logits[:, K].sum().backward(retain_graph=True)
    np.save(out / "input.npy", x.detach().numpy().astype(np.float32))
    np.save(out / "logits.npy", logits.detach().numpy().astype(np.float32))
    np.save(out / "grad_input_logit.npy", x.grad.numpy().astype(np.float32))
    layers = []
    for i, (key, a) in enumerate(acts.items()):
        np.save(out / "layers" / f"{i}_act.npy", a.detach().numpy().astype(np.float32))
        np.save(out / "layers" / f"{i}_grad.npy", a.grad.numpy().astype(np.float32))
        layers.append({"key": key, "tensor": layer_ops[key](proto), "act": f"layers/{i}_act.npy", "grad": f"layers/{i}_grad.npy"})
    x.grad = None
    probs = torch.softmax(logits, dim=1)
    np.save(out / "output.npy", probs.detach().numpy().astype(np.float32))
    probs[:, K].sum().backward()
    np.save(out / "grad_input_output.npy", x.grad.numpy().astype(np.float32))
    channels = [channel_target(out, m64, x, key, c, earlier, layer_ops, proto) for key, c, earlier in channel_targets]
    (out / "manifest.json").write_text(json.dumps({"class": K, "input_shape": list(shape), "ops": ops, "layers": layers,
                                                   "softmax_in_model": False, "channels": channels}, indent=1))
    print(name, ops)


def channel_target(out, m64, x, key, c, earlier, layer_ops, proto):
    """The score Σₙ mean over H×W of channel c of layer `key`: what feature visualisation maximises."""
    (out / "channels").mkdir(exist_ok=True)
    x.grad = None
    acts, _ = m64(x)
    acts[earlier].retain_grad()
    acts[key][:, c].mean(dim=(1, 2)).sum().backward()
    stem = f"channels/{key}_c{c}"
    np.save(out / f"{stem}_act.npy", acts[key].detach().numpy().astype(np.float32))
    np.save(out / f"{stem}_grad_input.npy", x.grad.numpy().astype(np.float32))
    np.save(out / f"{stem}_{earlier}_grad.npy", acts[earlier].grad.numpy().astype(np.float32))
    x.grad = None
    return {"key": key, "tensor": layer_ops[key](proto), "channel": c, "act": f"{stem}_act.npy", "grad_input": f"{stem}_grad_input.npy",
            "earlier": {"key": earlier, "tensor": layer_ops[earlier](proto), "grad": f"{stem}_{earlier}_grad.npy"}}


class Logits(nn.Module):
    def __init__(self, inner, softmax=False):
        super().__init__()
        self.inner = inner
        self.softmax = softmax

    def forward(self, x):
        y = self.inner(x)[1]
        return torch.softmax(y, dim=1) if self.softmax else y


def model32(model):
    return Logits(model.float()).eval()


def producer_output(op_type, index):
    """The ONNX tensor made by the index-th node of this op type (graph order)."""
    return lambda proto: [n for n in proto.graph.node if n.op_type == op_type][index].output[0]


def add_softmax_variant(name):
    """The same model ending in a Softmax node: logits are then taken before it."""
    src = ROOT / name / "model.onnx"
    proto = onnx.load(src)
    out = proto.graph.output[0]
    probs = onnx.helper.make_node("Softmax", [out.name], ["probabilities"], axis=1, name="final_softmax")
    proto.graph.node.append(probs)
    new_out = onnx.helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["batch", out.type.tensor_type.shape.dim[1].dim_value])
    proto.graph.output.pop()
    proto.graph.output.append(new_out)
    onnx.checker.check_model(proto)
    onnx.save(proto, ROOT / name / "model_softmax.onnx")


class Upsampling(nn.Module):
    """Bicubic upsampling (Resize in cubic mode), which has no backward rule: the model has no
    gradients, but forward capture works as before."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        y = F.interpolate(F.relu(self.conv(x)), scale_factor=2, mode="bicubic")
        return {}, self.fc(F.adaptive_avg_pool2d(y, 1).flatten(1))


def make_unsupported():
    out = ROOT / "unsupported"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20261128)
    model = Upsampling().eval()
    torch.onnx.export(model32(model), torch.zeros(1, 3, 8, 8), out / "model.onnx", opset_version=17, dynamo=False,
                      input_names=["input"], output_names=["logits"])
    x = torch.rand(1, 3, 8, 8)
    np.save(out / "input.npy", x.numpy())
    np.save(out / "logits.npy", model32(model)(x).detach().numpy())
    print("unsupported", sorted({n.op_type for n in onnx.load(out / "model.onnx").graph.node}))


def global_max_pool(path):
    """PyTorch exports adaptive_max_pool2d(x, 1) as a MaxPool over the whole map: the same values as
    GlobalMaxPool, which other exporters write; the node is swapped for one."""
    proto = onnx.load(path)
    for i, n in enumerate(proto.graph.node):
        if n.op_type == "MaxPool" and len(n.output) == 1:
            proto.graph.node[i].CopyFrom(onnx.helper.make_node("GlobalMaxPool", [n.input[0]], [n.output[0]], name=n.name))
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


def make_extras():
    torch.manual_seed(20261129)
    model = Extras()
    make("extras", model, (2, 3, 13, 14), {
        "prelu": producer_output("PRelu", 0), "gelu": producer_output("Gelu", 0), "concat": producer_output("Concat", 2)}, opset=20)
    torch.onnx.export(model32(model), torch.zeros(2, 3, 13, 14), ROOT / "extras" / "model_opset17.onnx", opset_version=17, dynamo=False,
                      input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    global_max_pool(ROOT / "extras" / "model.onnx")
    global_max_pool(ROOT / "extras" / "model_opset17.onnx")
    manifest = json.loads((ROOT / "extras" / "manifest.json").read_text())
    manifest["ops"] = sorted({n.op_type for n in onnx.load(ROOT / "extras" / "model.onnx").graph.node})
    (ROOT / "extras" / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print("extras opset 17", sorted({n.op_type for n in onnx.load(ROOT / "extras" / "model_opset17.onnx").graph.node}))


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["extras"]:
        # Only the models changed later: the others stay as committed.
        make_unsupported()
        make_extras()
        sys.exit(0)
    torch.manual_seed(20261126)
    make("resnetish", ResNetish(), (2, 3, 17, 15), {
        "stem": producer_output("Relu", 0), "block1": producer_output("Relu", 2), "block2": producer_output("Relu", 4)},
         channel_targets=[("block1", 5, "stem"), ("block2", 10, "block1")])
    add_softmax_variant("resnetish")
    torch.manual_seed(20261127)
    make("mobilenetish", MobileNetish(), (2, 3, 19, 21), {
        "stem": producer_output("Clip", 0), "dw2": producer_output("HardSwish", 1), "grouped": producer_output("LeakyRelu", 0),
        "concat": producer_output("Concat", 1)},
         channel_targets=[("dw2", 7, "stem"), ("concat", 3, "grouped")])
    add_softmax_variant("mobilenetish")
    make_unsupported()
    make_extras()
