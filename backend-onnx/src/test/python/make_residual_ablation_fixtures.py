"""Ablation-CAM references at layers inside residual blocks, for Model.runFrom with the input
(the skip tensors that go around the layer stay the input's; only the layer's output is ablated).

A small ResNet written here with PyTorch (torchvision's BasicBlock: conv-bn-relu, conv-bn, plus the
block's input, or a strided 1×1 conv of it in the downsampling block, then relu), seeded weights and
batch-norm statistics, exported to ONNX (opset 17, batch free; the exporter folds batch norm into the
convs). The reference is computed in float64 from the papers' definition, as make_explain_fixtures.py
does (pytorch-grad-cam's AblationCAM with zeroing): channel k of the layer's output zeroed and the
rest of the network run with the skip path computed from the unablated input, w_k = (y − y_k) / y,
CAM = ReLU(Σ_k w_k A_k), for the top-1 class.

Writes backend-onnx/src/test/resources/explain/residual/: model.onnx, input.npy (1×3×19×19; odd, so
the strided block's sizes round), and for each layer (inside the first block, whose skip is the
block's input; inside the downsampling block, whose skip is a 1×1 conv) <name>.npy, the map at the
layer's resolution, float32; index.json lists them with the ONNX layer name and the class.

usage: python backend-onnx/src/test/python/make_residual_ablation_fixtures.py   (torch, onnx)
"""
import json
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

OUT = Path(__file__).resolve().parents[1] / "resources/explain/residual"


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def inner(self, x):  # the output of relu1, the layer ablated
        return self.relu1(self.bn1(self.conv1(x)))

    def finish(self, a, x):  # the rest of the block from relu1's output a, the skip from the block input x
        skip = x if self.down is None else self.down(x)
        return self.relu2(self.bn2(self.conv2(a)) + skip)

    def forward(self, x):
        return self.finish(self.inner(x), x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = Block(8, 8, 1)
        self.layer2 = Block(8, 16, 2)
        self.fc = nn.Linear(16, 5)

    def head(self, y):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))

    def forward(self, x):
        return self.head(self.layer2(self.layer1(self.stem(x))))


def ablation_cam(a, tail, k):
    """a: C × h × w at the layer; tail(batch of layer outputs) -> logits. As make_explain_fixtures.py."""
    with torch.no_grad():
        y = tail(a[None])[0, k]
        ablated = a[None].repeat(a.shape[0], 1, 1, 1)
        for c in range(a.shape[0]):
            ablated[c, c] = 0
        y_k = tail(ablated)[:, k]
        w = (y - y_k) / y
    return F.relu((w[:, None, None] * a).sum(0))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(4)
    net = Net()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    net.eval()
    x = torch.from_numpy(np.random.default_rng(3).standard_normal((1, 3, 19, 19)).astype(np.float32))
    torch.onnx.export(net, x, OUT / "model.onnx", dynamo=False, opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    model = onnx.load(str(OUT / "model.onnx"))
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    np.save(OUT / "input.npy", x.numpy())

    net = net.double()
    x64 = x.double()
    with torch.no_grad():
        logits = net(x64)[0]
        k = int(logits.argmax())
        s = net.stem(x64)
        a1 = net.layer1.inner(s)
        r1 = net.layer1(s)
        a2 = net.layer2.inner(r1)
    maps = []
    for name, layer, a, tail in [
        ("ablationcam_layer1", "/layer1/conv1/Conv", a1, lambda t: net.head(net.layer2(net.layer1.finish(t, s.expand(len(t), -1, -1, -1))))),
        ("ablationcam_layer2", "/layer2/conv1/Conv", a2, lambda t: net.head(net.layer2.finish(t, r1.expand(len(t), -1, -1, -1)))),
    ]:
        if layer not in convs:
            raise SystemExit(f"the export has no node {layer}: {convs}")
        cam = ablation_cam(a[0], tail, k)
        np.save(OUT / f"{name}.npy", cam.numpy().astype(np.float32))
        maps.append({"file": f"{name}.npy", "method": "ablationcam", "layer": layer, "class": k})
        print(name, layer, tuple(cam.shape), "max", float(cam.max()))
    (OUT / "index.json").write_text(json.dumps({"input": "input.npy", "top1": k, "logits": logits.tolist(), "maps": maps}, indent=2) + "\n")


if __name__ == "__main__":
    main()
