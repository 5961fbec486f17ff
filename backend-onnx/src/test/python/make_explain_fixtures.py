"""Reference explanations for the explain tests (io.filterscope.explain), written here from the papers.

Run from the repository root (KERAS_BACKEND=torch is set below):

    python backend-onnx/src/test/python/make_explain_fixtures.py

Two models, one bundled input image (samples/models/fashion-mnist/images/6-shirt.png, pixel / 255):

* the bundled PyTorch Fashion-MNIST CNN (fashion_cnn_torch.pt, exported to ONNX as fashion_cnn.onnx),
  computed with PyTorch autograd in float64  -> backend-onnx/src/test/resources/explain/
* the bundled Keras model (fashion_cnn_keras.keras, read by the DL4J backend), computed with PyTorch
  autograd through Keras 3 on its torch backend (not TF GradientTape; the same Keras layers, float32)
  -> backend-dl4j/src/test/resources/explain/
* occlusion of one output unit of an NHWC ONNX model, by ONNX Runtime -> backend-onnx/.../explain/nhwc/
* bilinear upsampling of three random maps by F.interpolate -> api/src/test/resources/explain/

For each: Grad-CAM (Selvaraju et al. 2017), Grad-CAM++ (Chattopadhay et al. 2018, closed form with an
exponential score), LayerCAM (Jiang et al. 2021), Score-CAM (Wang et al. 2020: channel maps upsampled
bilinearly, half-pixel centres, min-max normalised, multiplied into the input, weighted by the softmax
probability of the class; constant channels get weight 0), Faster Score-CAM (the 16 channels with the
largest variance), Ablation-CAM (Ramaswamy and Desai 2020, as pytorch-grad-cam's AblationCAM: channel k of the
layer's output zeroed and the rest of the network run, w_k = (y_c - y_c^k) / y_c, CAM = ReLU(sum_k w_k A^k)),
occlusion (window 4, stride 2, baseline 0: the drop of the class logit, averaged over the
windows covering a pixel) and vanilla saliency (max over channels of |d logit / d input|, plus the raw
gradient). CAMs at the last conv block's ReLU output (7x7), for the top-1 class, and Grad-CAM also for class 2
and Ablation-CAM also for class 2, and Grad-CAM and Ablation-CAM at the last max pool (3x3). Maps are saved unnormalised at their own resolution as float32 .npy;
index.json lists them with the class explained.
"""
import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

ROOT = Path(__file__).resolve().parents[4]
BUNDLE = ROOT / "samples/models/fashion-mnist"
IMAGE = BUNDLE / "images/6-shirt.png"
TOP_N = 16
OCC_WINDOW, OCC_STRIDE, OCC_BASELINE = 4, 2, 0.0


class FashionCnn(nn.Module):
    """The bundled model's architecture (samples/scripts/train_torch.py)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 3 * 3, 128)
        self.fc2 = nn.Linear(128, 10)

    def head(self, x):  # the ReLU after conv3, 64 x 7 x 7
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.conv3(x))

    def tail(self, a):
        return self.fc2(F.relu(self.fc1(torch.flatten(F.max_pool2d(a, 2), 1))))

    def forward(self, x):
        return self.tail(self.head(x))


def upsample(a, h, w):
    return F.interpolate(a, size=(h, w), mode="bilinear", align_corners=False)


def grad_at(head, tail, x, k):
    a = head(x).detach().requires_grad_(True)
    tail(a)[0, k].backward()
    return a.detach()[0], a.grad.detach()[0]  # C x h x w each


def grad_cam(a, g):
    return F.relu((g.mean(dim=(1, 2))[:, None, None] * a).sum(0))


def grad_cam_pp(a, g):
    g2, g3 = g ** 2, g ** 3
    sum_a = a.sum(dim=(1, 2))[:, None, None]
    denom = 2 * g2 + sum_a * g3
    alpha = g2 / torch.where(denom != 0, denom, torch.full_like(denom, 1e-7))
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    w = (alpha * F.relu(g)).sum(dim=(1, 2))
    return F.relu((w[:, None, None] * a).sum(0))


def layer_cam(a, g):
    return F.relu((F.relu(g) * a).sum(0))


def score_cam(a, x, run, k, nchw, top_n=0):
    """a: C x h x w; x: the input (1 x C x H x W or 1 x H x W x C); run(batch) -> logits."""
    h, w = (x.shape[2], x.shape[3]) if nchw else (x.shape[1], x.shape[2])
    flat = a.reshape(a.shape[0], -1)
    keep = [c for c in range(a.shape[0]) if flat[c].max() > flat[c].min()]
    if top_n:
        var = flat.var(dim=1, unbiased=False)
        keep = sorted(sorted(keep, key=lambda c: (-float(var[c]), c))[:top_n])
    weights = torch.zeros(a.shape[0], dtype=a.dtype)
    if keep:
        m = upsample(a[keep][None], h, w)[0]  # K x H x W
        lo = m.reshape(len(keep), -1).min(1)[0][:, None, None]
        hi = m.reshape(len(keep), -1).max(1)[0][:, None, None]
        m = (m - lo) / (hi - lo)
        masked = x * (m[:, None] if nchw else m[:, :, :, None])
        with torch.no_grad():
            p = torch.softmax(run(masked), dim=1)[:, k]
        weights[keep] = p.to(a.dtype)
    return F.relu((weights[:, None, None] * a).sum(0))


def ablation_cam(a, tail, k):
    """a: C x h x w at the layer; tail(batch of layer outputs) -> model outputs. Every channel zeroed in turn,
    all in one batch; the score is the model's output unit k (a logit, or a probability for a model ending in
    softmax), as pytorch-grad-cam's AblationCAM."""
    with torch.no_grad():
        y = tail(a[None])[0, k]
        ablated = a[None].repeat(a.shape[0], 1, 1, 1)
        for c in range(a.shape[0]):
            ablated[c, c] = 0
        y_k = tail(ablated)[:, k]
        w = (y - y_k) / y
    return F.relu((w.to(a.dtype)[:, None, None] * a).sum(0))


def occlusion(x, run, k, nchw):
    h, w = (x.shape[2], x.shape[3]) if nchw else (x.shape[1], x.shape[2])
    with torch.no_grad():
        base = run(x)[0, k]
        total = torch.zeros(h, w, dtype=torch.float64)
        count = torch.zeros(h, w, dtype=torch.float64)
        for y in range(0, h - OCC_WINDOW + 1, OCC_STRIDE):
            for xx in range(0, w - OCC_WINDOW + 1, OCC_STRIDE):
                o = x.clone()
                if nchw:
                    o[:, :, y:y + OCC_WINDOW, xx:xx + OCC_WINDOW] = OCC_BASELINE
                else:
                    o[:, y:y + OCC_WINDOW, xx:xx + OCC_WINDOW, :] = OCC_BASELINE
                total[y:y + OCC_WINDOW, xx:xx + OCC_WINDOW] += float(base - run(o)[0, k])
                count[y:y + OCC_WINDOW, xx:xx + OCC_WINDOW] += 1
    return torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))


def saliency(x, run, k, nchw):
    xi = x.clone().requires_grad_(True)
    run(xi)[0, k].backward()
    g = xi.grad.detach()
    return g.abs().amax(dim=1 if nchw else 3)[0], g


def faithfulness(cam, x, run, k, nchw, steps=50, baseline=0.0):
    """RISE deletion and insertion curves (Petsiuk et al. 2018): the class's softmax probability as the
    pixels ranked highest by the upsampled map (ties in pixel order) are set to the baseline / put back."""
    h, w = (x.shape[2], x.shape[3]) if nchw else (x.shape[1], x.shape[2])
    m = upsample(cam[None, None].to(torch.float64), h, w)[0, 0].reshape(-1).numpy()
    order = np.argsort(-m, kind="stable")
    curves = []
    for delete in (True, False):
        cur = x.clone() if delete else torch.full_like(x, baseline)
        flat = cur.view(-1) if nchw else cur.view(h * w, -1)
        src = x.reshape(-1) if nchw else x.reshape(h * w, -1)
        ys = []
        for i in range(steps + 1):
            upto = int(np.floor(i * len(order) / steps + 0.5))
            idx = torch.tensor(order[:upto], dtype=torch.long)
            if delete:
                flat[idx] = baseline
            else:
                flat[idx] = src[idx]
            with torch.no_grad():
                ys.append(float(torch.softmax(run(cur), dim=1)[0, k]))
        curves.append(np.array(ys))
    return curves


def write(out, head, tail, run, x, nchw, layer_names, pool=None):
    """pool: optionally (layer name, head, tail) of a second, coarser layer for Grad-CAM."""
    out.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        logits = run(x)
    top = int(torch.argmax(logits[0]))
    index = {"input": "input.npy", "top1": top, "logits": [float(v) for v in logits[0]], "maps": []}
    np.save(out / "input.npy", x.detach().numpy().astype(np.float32))

    def save(name, method, layer, k, t, **extra):
        np.save(out / f"{name}.npy", t.detach().numpy().astype(np.float32))
        index["maps"].append({"file": f"{name}.npy", "method": method, "layer": layer, "class": k, **extra})

    conv = layer_names
    a, g = grad_at(head, tail, x, top)
    save("gradcam", "gradcam", conv, top, grad_cam(a, g))
    save("gradcampp", "gradcampp", conv, top, grad_cam_pp(a, g))
    save("layercam", "layercam", conv, top, layer_cam(a, g))
    save("scorecam", "scorecam", conv, top, score_cam(a, x, run, top, nchw))
    save("scorecam_top16", "scorecam", conv, top, score_cam(a, x, run, top, nchw, TOP_N), top_channels=TOP_N)
    save("ablationcam", "ablationcam", conv, top, ablation_cam(a, tail, top))
    a2, g2 = grad_at(head, tail, x, 2)
    save("gradcam_class2", "gradcam", conv, 2, grad_cam(a2, g2))
    save("ablationcam_class2", "ablationcam", conv, 2, ablation_cam(a2, tail, 2))
    save("scorecam_class2", "scorecam", conv, 2, score_cam(a2, x, run, 2, nchw))
    deletion, insertion = faithfulness(grad_cam(a, g), x, run, top, nchw)
    np.save(out / "gradcam_deletion.npy", deletion.astype(np.float32))
    np.save(out / "gradcam_insertion.npy", insertion.astype(np.float32))
    index["faithfulness"] = {"map": "gradcam.npy", "steps": 50, "baseline": 0.0,
                             "deletion": "gradcam_deletion.npy", "insertion": "gradcam_insertion.npy"}
    if pool is not None:
        ap, gp = grad_at(pool[1], pool[2], x, top)
        save("gradcam_pool", "gradcam", pool[0], top, grad_cam(ap, gp))
        save("ablationcam_pool", "ablationcam", pool[0], top, ablation_cam(ap, pool[2], top))
    save("occlusion", "occlusion", None, top, occlusion(x, run, top, nchw),
         window=OCC_WINDOW, stride=OCC_STRIDE, baseline=OCC_BASELINE)
    s, raw = saliency(x, run, top, nchw)
    save("saliency", "saliency", None, top, s)
    save("saliency_gradient", "saliency-gradient", None, top, raw)
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    print(out, "top1", top, [m["file"] for m in index["maps"]])


def torch_model():
    torch.set_default_dtype(torch.float64)
    m = FashionCnn().double().eval()
    sd = torch.load(BUNDLE / "fashion_cnn_torch.pt", map_location="cpu")
    m.load_state_dict({k: v.double() for k, v in sd.items()})
    img = np.asarray(Image.open(IMAGE).convert("L"), dtype=np.float32) / 255.0
    x = torch.tensor(img[None, None], dtype=torch.float64)
    pool = ("/pool3/MaxPool", lambda t: F.max_pool2d(m.head(t), 2), lambda p: m.fc2(F.relu(m.fc1(torch.flatten(p, 1)))))
    write(ROOT / "backend-onnx/src/test/resources/explain", m.head, m.tail, m, x, True, "/conv3/Conv", pool)
    torch.set_default_dtype(torch.float32)


def keras_model():
    model = keras.saving.load_model(BUNDLE / "fashion_cnn_keras.keras", compile=False)
    names = [l.name for l in model.layers]
    to_conv3 = keras.Model(model.inputs, model.get_layer("conv3").output)

    def head(t):  # N x H x W x C from Keras -> N x C x H x W
        return to_conv3(t, training=False).permute(0, 3, 1, 2)

    def tail(a):
        h = a.permute(0, 2, 3, 1)
        for layer in model.layers[names.index("conv3") + 1:]:
            h = layer(h, training=False)
        return h

    run = lambda t: model(t, training=False)
    img = np.asarray(Image.open(IMAGE).convert("L"), dtype=np.float32) / 255.0
    x = torch.tensor(img[None, :, :, None])
    write(ROOT / "backend-dl4j/src/test/resources/explain", head, tail, run, x, False, "conv3")


def nhwc_occlusion():
    """Occlusion on an NHWC ONNX model (Transpose, Conv, Relu, Transpose; output N x 8 x 8 x 4) for one
    output unit that is not a class (flat index 100: row 3, column 1, channel 0), run by ONNX Runtime."""
    import onnxruntime as ort
    out = ROOT / "backend-onnx/src/test/resources/explain/nhwc"
    out.mkdir(parents=True, exist_ok=True)
    sess = ort.InferenceSession(str(ROOT / "backend-onnx/src/test/resources/models/nhwc_input.onnx"),
                                providers=["CPUExecutionProvider"])
    x = np.random.default_rng(3).uniform(0, 1, (1, 8, 8, 3)).astype(np.float32)
    run = lambda t: torch.tensor(sess.run(None, {sess.get_inputs()[0].name: t.numpy()})[0]).reshape(t.shape[0], -1)
    global OCC_WINDOW, OCC_STRIDE, OCC_BASELINE
    saved = OCC_WINDOW, OCC_STRIDE, OCC_BASELINE
    OCC_WINDOW, OCC_STRIDE, OCC_BASELINE = 3, 1, 0.5
    occ = occlusion(torch.tensor(x), run, 100, False)
    OCC_WINDOW, OCC_STRIDE, OCC_BASELINE = saved
    np.save(out / "input.npy", x)
    np.save(out / "occlusion_unit100_w3_s1_b0.5.npy", occ.numpy().astype(np.float32))


def upsample_references():
    """Heatmap.upsampled against F.interpolate(bilinear, align_corners=False), for the api's own test."""
    out = ROOT / "api/src/test/resources/explain"
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(5)
    for (h, w), (oh, ow) in (((5, 7), (17, 30)), ((7, 7), (28, 28)), ((3, 4), (2, 9))):
        m = torch.rand(h, w, generator=g, dtype=torch.float64).float()
        up = upsample(m.double()[None, None], oh, ow)[0, 0]
        np.save(out / f"map_{h}x{w}.npy", m.numpy())
        np.save(out / f"map_{h}x{w}_to_{oh}x{ow}.npy", up.numpy().astype(np.float32))


if __name__ == "__main__":
    torch.manual_seed(0)
    upsample_references()
    nhwc_occlusion()
    torch_model()
    keras_model()
