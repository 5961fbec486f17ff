"""FilterScope against the Python routes, on the same models and the same input, interleaved round
by round in one run, and the section of docs/benchmarks.md that reports it.

The Python peers, each timed inside this process around the call alone:
  ort-plain    ONNX Runtime Python, the unmodified model, run(None)
  ort-all      ONNX Runtime Python, every Conv/Relu/Clip/MaxPool/Concat output made a graph output
  torch-hooks  PyTorch, forward hooks on every Conv2d/ReLU/ReLU6/MaxPool2d module keeping a copy
               of its output, under torch.no_grad()
  mpl-grids    the matplotlib route: the hooks' forward pass, then per ReLU/ReLU6/MaxPool module one figure of
               every channel (a numpy mosaic, per-channel min-max scaled, one imshow with viridis)
               saved to PNG; the cheapest way matplotlib draws a whole layer
The Java side runs in one JVM (io.filterscope.samples.bench.PeerBench, kept alive on a pipe):
  java-plain   ONNX Runtime Java alone (feed, run, copy the logits)
  java-capture Model.capture(input, CaptureRequest.allSpatial()): every post-activation map as Java
               tensors, plus the logits; the result dropped (its memory returns when unreachable)
  java-closed  the same capture, closed after (try-with-resources): its memory is reused at once
  java-grids   that capture, then every layer's feature-map grid written as a PNG
Each round runs every contender once, in an order rotated from round to round, so the machine's
noise falls on all alike; the ratios are medians of the per-round ratios.

usage: python bench_peers.py MODEL_DIR CLASSPATH [--rounds N] [--grid-rounds N] [--threads N]
                             [--markdown FILE] [--models a,b,c] [--grids-only]
--grids-only runs only the PNG grids comparison and rewrites only its table (with its own date,
machine and load line), leaving the capture table as it was.
MODEL_DIR holds the files of export_benchmark_models.py (models and input.npy).
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from export_benchmark_models import MODELS, build, import_torchvision  # noqa: E402

ACTIVATION_OPS = {"Conv", "Relu", "Clip", "MaxPool", "Concat"}


def ort_sessions(path, threads):
    import onnx
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    m = onnx.load(str(path))
    plain = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    outputs = {o.name for o in m.graph.output}
    added = 0
    for n in m.graph.node:
        if n.op_type in ACTIVATION_OPS:
            for o in n.output:
                if o not in outputs:
                    m.graph.output.append(onnx.ValueInfoProto(name=o))
                    outputs.add(o)
                    added += 1
    every = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return plain, every, added


def hooked(model):
    """The model with forward hooks that keep every Conv2d/ReLU/ReLU6/MaxPool2d output."""
    import torch
    captured = {}
    for name, mod in model.named_modules():
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.ReLU, torch.nn.ReLU6, torch.nn.MaxPool2d)):
            mod.register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach().clone()))
    return captured


def mosaic(maps):
    """C×H×W to one picture: every channel min-max scaled, laid out in a near-square grid with 1 px gaps."""
    c, h, w = maps.shape
    cols = int(np.ceil(np.sqrt(c)))
    rows = int(np.ceil(c / cols))
    lo = maps.reshape(c, -1).min(axis=1)[:, None, None]
    hi = maps.reshape(c, -1).max(axis=1)[:, None, None]
    scaled = (maps - lo) / np.where(hi > lo, hi - lo, 1)
    out = np.full((rows * (h + 1), cols * (w + 1)), np.nan, dtype=np.float32)
    for i in range(c):
        r, k = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, k * (w + 1):k * (w + 1) + w] = scaled[i]
    return out


def mpl_grids(model, captured, activations, x, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch
    with torch.no_grad():
        model(x)
    written = 0
    for name, t in captured.items():
        if t.dim() != 4 or name not in activations:
            continue
        pic = mosaic(t[0].numpy())
        dpi = 100
        fig = plt.figure(figsize=(max(pic.shape[1], 64) / dpi, max(pic.shape[0], 64) / dpi + 0.3), dpi=dpi)
        ax = fig.add_axes([0, 0, 1, pic.shape[0] / (pic.shape[0] + 30)])
        ax.imshow(pic, cmap="viridis", interpolation="nearest")
        ax.set_axis_off()
        fig.suptitle(name, fontsize=8)
        path = out_dir / ((name.replace("/", "_") or "input") + ".png")
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        written += os.path.getsize(path)
    return written


class Java:
    def __init__(self, classpath, model_dir, threads, models):
        cmd = ["java", "-Xms2g", "-XX:+AlwaysPreTouch", "-cp", classpath, "io.filterscope.samples.bench.PeerBench",
               str(model_dir), str(threads)] + models
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"PeerBench did not start: {line!r}")

    def call(self, *words):
        self.proc.stdin.write(" ".join(map(str, words)) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if not answer or answer[0] != "ok":
            raise RuntimeError(f"PeerBench {words}: {' '.join(answer)}")
        return float(answer[1])

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def interleave(contenders, rounds, warmup):
    """contenders: name -> function returning milliseconds. Returns name -> list of per-round times."""
    names = list(contenders)
    for _ in range(warmup):
        for n in names:
            contenders[n]()
    times = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            times[n].append(contenders[n]())
    return times


def summary(times, base):
    out = {}
    for n, t in times.items():
        ratios = [a / b for a, b in zip(t, times[base])]
        out[n] = {"median": statistics.median(t), "min": min(t), "max": max(t), "ratio": statistics.median(ratios), "rounds": len(t)}
    return out


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} logical CPUs, {mem:.0f} GiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir", type=pathlib.Path)
    ap.add_argument("classpath")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--grid-rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--markdown", type=pathlib.Path)
    ap.add_argument("--json", type=pathlib.Path)
    ap.add_argument("--grids-only", action="store_true")
    args = ap.parse_args()

    import onnxruntime as ort
    import torch
    import matplotlib
    torch.set_num_threads(args.threads)
    tv = import_torchvision()
    models = args.models.split(",")
    x_np = np.load(args.model_dir / "input.npy")
    x = torch.from_numpy(x_np)
    java = Java(args.classpath, args.model_dir, args.threads, models)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="bench-grids-"))
    load = os.getloadavg()
    results = {}
    try:
        for name in models:
            path = args.model_dir / f"{name}.onnx"
            plain, every, added = ort_sessions(path, args.threads)
            model = build(tv, name)
            captured = hooked(model)
            # FilterScope draws post-activation maps: the matplotlib route draws the ReLU/ReLU6/MaxPool outputs.
            activations = {n for n, mod in model.named_modules()
                           if isinstance(mod, (torch.nn.ReLU, torch.nn.ReLU6, torch.nn.MaxPool2d))}
            with torch.no_grad():
                reference = model(x).numpy()
            got = plain.run(None, {"input": x_np})[0]
            # The same weights on both sides, or the comparison means nothing.
            if not np.allclose(got, reference, rtol=1e-3, atol=1e-3):
                raise SystemExit(f"{name}: ONNX and PyTorch disagree (max diff {np.abs(got - reference).max()}); export the models again")

            def torch_hooks():
                with torch.no_grad():
                    return timed(lambda: model(x))

            capture = {} if args.grids_only else interleave({
                "ort-plain": lambda: timed(lambda: plain.run(None, {"input": x_np})),
                "ort-all": lambda: timed(lambda: every.run(None, {"input": x_np})),
                "torch-hooks": torch_hooks,
                "java-plain": lambda: java.call("plain", name),
                "java-capture": lambda: java.call("capture", name),
                "java-closed": lambda: java.call("capture-closed", name),
            }, args.rounds, warmup=5)
            n_hooks = len(captured)

            def clean(d):
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir(parents=True)
                return d

            grids = interleave({
                "mpl-grids": lambda: timed(lambda: mpl_grids(model, captured, activations, x, clean(scratch / "mpl"))),
                "java-grids": lambda: java.call("grids", name, clean(scratch / "java")),
            }, args.grid_rounds, warmup=1)
            results[name] = {
                "capture": summary(capture, "ort-all") if capture else None,
                "capture_vs_plain": summary(capture, "ort-plain") if capture else None,
                "grids": summary(grids, "mpl-grids"),
                "ort_outputs": added, "torch_hooks": n_hooks,
                "mpl_pngs": len(list((scratch / "mpl").glob("*.png"))),
                "java_pngs": len(list((scratch / "java").glob("*.png"))),
            }
            print(f"{name}: " + ", ".join(f"{k} {v['median']:.2f} ms" for k, v in (results[name]["capture"] or {}).items())
                  + "; " + ", ".join(f"{k} {v['median']:.0f} ms" for k, v in results[name]["grids"].items()), flush=True)
    finally:
        java.close()
        shutil.rmtree(scratch, ignore_errors=True)
    # JAVA_TOOL_OPTIONS makes the JVM print "Picked up ..." first; the version is the first other line.
    java_version = next(l for l in subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
                        if not l.startswith("Picked up"))
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "load_before": load, "load_after": os.getloadavg(), "threads": args.threads,
        "rounds": args.rounds, "grid_rounds": args.grid_rounds,
        "versions": {"python": platform.python_version(), "onnxruntime (Python)": ort.__version__, "torch": torch.__version__,
                     "torchvision": tv.__version__, "matplotlib": matplotlib.__version__, "numpy": np.__version__, "java": java_version},
    }
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    if args.markdown:
        (write_grids_markdown if args.grids_only else write_markdown)(args.markdown, meta, results)


BEGIN, END = "<!-- bench_peers.py: begin -->", "<!-- bench_peers.py: end -->"
TITLES = {"resnet18": "ResNet-18", "mobilenet_v2": "MobileNetV2", "squeezenet1_1": "SqueezeNet 1.1"}


def write_markdown(path, meta, results):
    def cell(s):
        return f"{s['median']:.2f} ms ({s['min']:.2f}–{s['max']:.2f})"
    v = meta["versions"]
    lines = [BEGIN, "",
             f"## {meta['date']} — FilterScope against the Python routes (`bench_peers.py`)", "",
             f"Machine: {meta['machine']}; load average {meta['load_before'][0]:.1f} before, {meta['load_after'][0]:.1f} after "
             "(the machine is shared: compare the ratios, measured side by side, not the absolute times). "
             f"{meta['threads']} intra-op threads everywhere (ONNX Runtime Java and Python, `torch.set_num_threads`). "
             f"{v['java']}, ONNX Runtime 1.29.0 (Java) / {v['onnxruntime (Python)']} (Python), torch {v['torch']}, "
             f"torchvision {v['torchvision']}, matplotlib {v['matplotlib']}, numpy {v['numpy']}, Python {v['python']}. "
             "Written by `bench_peers.py` (`samples/scripts/bench.sh` runs it).", "",
             "One 1×3×224×224 input (`input.npy`), torchvision models with seeded weights, the same weights in PyTorch and ONNX "
             "(checked: equal logits). Each round runs every contender once, in an order rotated round by round; "
             f"{meta['rounds']} rounds after 5 warm-ups. Times are medians (min–max); ratios are medians of the per-round ratios.", "",
             "### Every feature map of one input", "",
             "| model | ONNX Runtime Python, plain | ONNX Runtime Python, every Conv/Relu/Clip/MaxPool/Concat an output | PyTorch forward hooks "
             "| FilterScope `capture(allSpatial)` | the same, closed after | FilterScope / ORT Python all outputs (dropped; closed) "
             "| FilterScope / ORT Python plain (dropped; closed) | ONNX Runtime Java, plain |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in results.items():
        c, p = r["capture"], r["capture_vs_plain"]
        lines.append(f"| {TITLES.get(name, name)} | {cell(c['ort-plain'])} | {cell(c['ort-all'])} ({r['ort_outputs']} outputs) | "
                     f"{cell(c['torch-hooks'])} ({r['torch_hooks']} hooks) | {cell(c['java-capture'])} ({r['java_pngs']} maps) | {cell(c['java-closed'])} | "
                     f"**{c['java-capture']['ratio']:.2f}×; {c['java-closed']['ratio']:.2f}×** | "
                     f"{p['java-capture']['ratio']:.2f}×; {p['java-closed']['ratio']:.2f}× | {cell(c['java-plain'])} |")
    lines += [""] + grid_lines(meta, results) + ["", END]
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        marker = "\n## "
        i = text.find(marker)
        text = (text[:i] + "\n" + block + "\n" + text[i:]) if i >= 0 else text + "\n" + block + "\n"
    path.write_text(text)


GRIDS = "### Image → a PNG of every captured layer's feature-map grid"


def cell(s):
    return f"{s['median']:.2f} ms ({s['min']:.2f}–{s['max']:.2f})"


def grid_lines(meta, results, own_header=False):
    lines = [f"{GRIDS} ({meta['grid_rounds']} rounds after 1 warm-up)", ""]
    if own_header:
        v = meta["versions"]
        lines += [f"Run on its own (`--grids-only`), {meta['date']}: {meta['machine']}; load average {meta['load_before'][0]:.1f} before, "
                  f"{meta['load_after'][0]:.1f} after. {meta['threads']} intra-op threads; {v['java']}, torch {v['torch']}, "
                  f"matplotlib {v['matplotlib']}, numpy {v['numpy']}, Python {v['python']}. Each round runs both routes, in an order "
                  "rotated round by round; the ratio is the median of the per-round ratios.", ""]
    lines += ["| model | matplotlib route (hooks + one figure per layer) | FilterScope (capture + `GridRenderer` + `Png`) | FilterScope / matplotlib |",
              "| --- | --- | --- | --- |"]
    for name, r in results.items():
        g = r["grids"]
        lines.append(f"| {TITLES.get(name, name)} | {cell(g['mpl-grids'])} ({r['mpl_pngs']} PNGs) | {cell(g['java-grids'])} ({r['java_pngs']} PNGs) "
                     f"| **{g['java-grids']['ratio']:.2f}×** |")
    return lines


def write_grids_markdown(path, meta, results):
    """Replaces only the grids table of the section between the markers (which must exist)."""
    text = path.read_text()
    if BEGIN not in text or END not in text or GRIDS not in text:
        raise SystemExit(f"{path} has no section of bench_peers.py with a grids table: run without --grids-only first")
    start = text.index(GRIDS, text.index(BEGIN))
    end = text.index(END)
    path.write_text(text[:start] + "\n".join(grid_lines(meta, results, own_header=True)) + "\n\n" + text[end:])


if __name__ == "__main__":
    main()
