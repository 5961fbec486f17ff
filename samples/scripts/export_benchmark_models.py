"""Exports torchvision ResNet-18, MobileNetV2 and SqueezeNet 1.1 to ONNX for the benchmarks, with
seeded random weights (nothing can be downloaded here), plus the one input every benchmark feeds
them (input.npy, 1x3x224x224 float32, seeded). samples/scripts/bench_peers.py builds the same
PyTorch models with the same seeds (see `build`), so the PyTorch peers run the very weights the
ONNX files hold.

Any torchvision model name works as MODEL: the report benchmark (docs/benchmarks.md, `ReportBench`)
exports `resnet50` this way, and the dataset-examples one a `--dynamic-batch` `resnet18`.

usage: python samples/scripts/export_benchmark_models.py OUT_DIR [--dynamic-batch] [MODEL...]
  --dynamic-batch  export with a free batch dimension (for batch-32 captures); the default is a
                   fixed batch of 1, as the timed comparisons use
"""
import pathlib
import re
import sys

import numpy as np
import torch

MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1"]


def import_torchvision():
    """torchvision's wheel here may be a CUDA build beside a CPU torch: its compiled ops do not load.
    The models are pure Python, so declare placeholder ops until the import goes through."""
    lib = torch.library.Library("torchvision", "DEF")
    for _ in range(40):
        try:
            import torchvision
            return torchvision
        except RuntimeError as e:
            m = re.search(r"operator torchvision::(\w+) does not exist", str(e))
            if not m:
                raise
            for k in [k for k in sys.modules if k.startswith("torchvision")]:
                del sys.modules[k]
            lib.define(m.group(1) + "(Tensor x) -> Tensor")
    raise RuntimeError("torchvision would not import")


def build(tv, name):
    """The torchvision model `name` with weights drawn from seed 0, in eval mode."""
    torch.manual_seed(0)
    return getattr(tv.models, name)(weights=None).eval()


def benchmark_input():
    return np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)


def main():
    out = pathlib.Path(sys.argv[1])
    dynamic = "--dynamic-batch" in sys.argv[2:]
    names = [a for a in sys.argv[2:] if not a.startswith("--")] or MODELS
    out.mkdir(parents=True, exist_ok=True)
    tv = import_torchvision()
    x = benchmark_input()
    np.save(out / "input.npy", x)
    for name in names:
        path = out / f"{name}.onnx"
        axes = {"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic else None
        torch.onnx.export(build(tv, name), torch.from_numpy(x), path, dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"], do_constant_folding=True, dynamic_axes=axes)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
