"""Reference input gradients from PyTorch autograd for the full torchvision ResNet-18 and MobileNetV2,
for the ONNX backward-pass check (GradientCheck) and benchmark (GradientOverhead). Not run in CI: the
models are 45 MB and 14 MB. Seeded random weights (nothing can be downloaded here) with batch-norm
statistics taken from other random images, so activations keep their scale through the network;
batch norm is then folded into the convs (torch.fx fuse, float32) before the export and the references.

Writes to OUT_DIR, for each model: <name>.onnx (opset 17), <name>_input.npy (2×3×224×224),
<name>_logits.npy and <name>_grad.npy (d Σₙ logit[n, K] / d input, computed in float64, stored as
float32), K = 7, <name>_grad64.npy (the same, stored as float64, for gradient_check_float64.py) and
<name>_grad32.npy (the same by PyTorch in float32).

usage: python samples/scripts/make_gradient_check.py OUT_DIR [SIZE]
       SIZE: the input's height and width (default 224; the input is 2×3×SIZE×SIZE and the ONNX
       export is fixed to it, batch free)
       (then GradientCheck OUT_DIR, and gradient_check_float64.py for the float64 run)
"""
import pathlib
import sys

import numpy as np
import torch
import torch.fx.experimental.optimization  # noqa: F401  (fuse)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from export_benchmark_models import import_torchvision  # noqa: E402

K = 7


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    tv = import_torchvision()
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
    x = np.random.default_rng(1).standard_normal((2, 3, size, size)).astype(np.float32)
    for seed, (name, ctor) in enumerate([("resnet18", tv.models.resnet18), ("mobilenet_v2", tv.models.mobilenet_v2)]):
        torch.manual_seed(100 + seed)
        model = ctor(weights=None)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.momentum = 1.0
            # Statistics of a batch of other random images: activations keep a trained network's
            # scale through all layers (untouched statistics let them fade to ~1e-12 in MobileNetV2).
            model.train()
            model(torch.randn(8, 3, 224, 224))
        model.eval()
        # Batch norm folded into the convs here, in float32, as the exporter would otherwise do: the
        # ONNX file and the float64 reference (this model widened) then hold the very same weights,
        # and differ only in arithmetic. (Folded by the exporter, the weights differ from PyTorch's
        # unfolded ones by float32 rounding, which alone moves MobileNetV2's gradient by 6e-3.)
        model = torch.fx.experimental.optimization.fuse(model)
        torch.onnx.export(model, torch.from_numpy(x[:1]), out / f"{name}.onnx", dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        # The same in float32, the precision ONNX Runtime computes in: where a ReLU's input lies
        # within rounding of zero, float32 and float64 take different branches, so the float64
        # gradient is the exact one and the float32 one shows how far float32 itself is from it.
        x32 = torch.from_numpy(x).requires_grad_(True)
        model(x32)[:, K].sum().backward()
        np.save(out / f"{name}_grad32.npy", x32.grad.numpy())
        m64 = model.double().eval()
        xt = torch.from_numpy(x).double().requires_grad_(True)
        logits = m64(xt)
        logits[:, K].sum().backward()
        np.save(out / f"{name}_input.npy", x)
        np.save(out / f"{name}_logits.npy", logits.detach().numpy().astype(np.float32))
        np.save(out / f"{name}_grad.npy", xt.grad.numpy().astype(np.float32))
        np.save(out / f"{name}_grad64.npy", xt.grad.numpy())
        g64 = xt.grad.numpy()
        err32 = float(np.abs(x32.grad.numpy() - g64).max() / np.abs(g64).max())
        print(f"{name}: |grad| max {np.abs(g64).max():.3e}; PyTorch float32 vs float64: max rel. error {err32:.2e}")


if __name__ == "__main__":
    main()
