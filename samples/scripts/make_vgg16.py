"""Exports torchvision VGG-16 (seeded random weights, about 528 MB) to ONNX for the heap benchmark
(OpenMemory): the issue's "500 MB model". The file is large: write it outside the repository.

usage: python samples/scripts/make_vgg16.py OUT.onnx [--dynamic-batch]
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from export_benchmark_models import benchmark_input, build, import_torchvision  # noqa: E402


def main():
    out = pathlib.Path(sys.argv[1])
    dynamic = "--dynamic-batch" in sys.argv[2:]
    tv = import_torchvision()
    axes = {"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic else None
    torch.onnx.export(build(tv, "vgg16"), torch.from_numpy(benchmark_input()), out, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"], do_constant_folding=True, dynamic_axes=axes)
    print(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
