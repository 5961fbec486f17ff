"""Exports torchvision ResNet-18 and MobileNetV2 (seeded random weights: nothing can be downloaded
here) to ONNX for the capture benchmark, and times ONNX Runtime's Python API as a reference: a
plain run against one where every node output is a graph output.

usage: python samples/scripts/export_benchmark_models.py OUT_DIR
"""
import pathlib
import re
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch


def import_torchvision():
    """torchvision's wheel here is a CUDA build beside a CPU torch: its compiled ops do not load.
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


def median_ms(sess, feeds, n=30):
    for _ in range(5):
        sess.run(None, feeds)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    tv = import_torchvision()
    torch.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    for name, ctor in [("resnet18", tv.models.resnet18), ("mobilenet_v2", tv.models.mobilenet_v2)]:
        path = out / f"{name}.onnx"
        model = ctor(weights=None).eval()
        torch.onnx.export(model, torch.from_numpy(x), path, dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"], do_constant_folding=True)
        m = onnx.load(str(path))
        plain = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        for n in m.graph.node:
            for o in n.output:
                if o != "logits":
                    m.graph.output.append(onnx.ValueInfoProto(name=o))
        every = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        a, b = median_ms(plain, {"input": x}), median_ms(every, {"input": x})
        print(f"{name}: ONNX Runtime Python plain {a:.2f} ms, every node an output {b:.2f} ms, ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
