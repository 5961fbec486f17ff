"""The PyTorch side of the Score-CAM benchmark (docs/benchmarks.md): exports torchvision ResNet-18
(seeded random weights: nothing can be downloaded here) to ONNX, and times a batched Score-CAM written
to the paper (Wang et al. 2020) on its last block (layer4, 512 x 7 x 7), as ScoreCamBench does in Java:
each channel map upsampled bilinearly (align_corners=False), min-max normalised, multiplied into the
input, the masked inputs run in batches, the class's softmax probability as the channel's weight.

usage: python samples/scripts/bench_scorecam.py OUT_DIR [BATCH] [RUNS]
writes OUT_DIR/resnet18.onnx, input.npy (1x3x224x224), scorecam_torch.npy (7x7) and prints the times.
Then: java ... io.filterscope.samples.bench.ScoreCamBench OUT_DIR [BATCH] [RUNS]
"""
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from export_benchmark_models import import_torchvision  # noqa: E402


def score_cam(model, x, batch):
    feats = {}
    h = model.layer4.register_forward_hook(lambda m, i, o: feats.__setitem__("a", o))
    with torch.no_grad():
        logits = model(x)
        h.remove()
        k = int(logits[0].argmax())
        a = feats["a"][0]                                   # 512 x 7 x 7
        flat = a.reshape(a.shape[0], -1)
        keep = [c for c in range(a.shape[0]) if flat[c].max() > flat[c].min()]
        weights = torch.zeros(a.shape[0])
        for i in range(0, len(keep), batch):
            chans = keep[i:i + batch]
            m = F.interpolate(a[chans][None], size=x.shape[-2:], mode="bilinear", align_corners=False)[0]
            lo = m.reshape(len(chans), -1).min(1)[0][:, None, None]
            hi = m.reshape(len(chans), -1).max(1)[0][:, None, None]
            masked = x * ((m - lo) / (hi - lo))[:, None]
            weights[chans] = torch.softmax(model(masked), dim=1)[:, k]
        return k, F.relu((weights[:, None, None] * a).sum(0))


def main():
    out = pathlib.Path(sys.argv[1])
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    tv = import_torchvision()
    torch.manual_seed(0)
    model = tv.models.resnet18(weights=None).eval()
    x = torch.from_numpy(np.random.default_rng(0).uniform(-2, 2, (1, 3, 224, 224)).astype(np.float32))
    if not (out / "resnet18.onnx").exists():
        torch.onnx.export(model, x, out / "resnet18.onnx", dynamo=False, opset_version=17, input_names=["input"],
                          output_names=["logits"], do_constant_folding=True,
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    np.save(out / "input.npy", x.numpy())
    with torch.no_grad():
        for _ in range(3):
            model(x)
        t = []
        for _ in range(10):
            t0 = time.perf_counter()
            model(x)
            t.append(time.perf_counter() - t0)
    print(f"torch forward 1x3x224x224: median {np.median(t) * 1000:.1f} ms")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        k, cam = score_cam(model, x, batch)
        times.append(time.perf_counter() - t0)
    np.save(out / "scorecam_torch.npy", cam.numpy().astype(np.float32))
    print(f"torch Score-CAM layer4 (512 channels), batch {batch}, class {k}: "
          + ", ".join(f"{s:.2f}" for s in times) + f" s; median {np.median(times):.2f} s")


if __name__ == "__main__":
    main()
