"""A tiny colour (RGB, NCHW, ImageNet-normalised) ONNX model, a colour image and references for
RgbModelGuiTest, made with PyTorch (export), PIL (torchvision's Resize/CenterCrop steps, done by
hand because torchvision's operators do not load here) and ONNX Runtime (Python).

Run from the repository root:  python3 swing-viewer/panel/src/test/python/make_rgb_fixture.py
Writes swing-viewer/panel/src/test/resources/viewer/rgb/{tiny_rgb.onnx, photo.png, references.json}.
The weights are random (seed 0): the tests compare numbers, not whether the model is any good.
"""
import json
import pathlib

import numpy as np
import onnxruntime as ort
import skimage.data
import torch
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "viewer" / "rgb"
SIZE = 32
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
LABELS = ["red", "green", "blue", "gray"]


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.pool1 = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.gap = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(16, len(LABELS))

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.gap(self.relu2(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


def preprocess(img):
    """torchvision's Resize(int(32 / 0.875)) + CenterCrop(32) + ToTensor + Normalize, step by step."""
    resize = int(SIZE / 0.875)
    w, h = img.size
    size = (resize, int(resize * h / w)) if w <= h else (int(resize * w / h), resize)
    img = img.resize(size, Image.BILINEAR)
    top = int(round((img.size[1] - SIZE) / 2.0))
    left = int(round((img.size[0] - SIZE) / 2.0))
    crop = img.crop((left, top, left + SIZE, top + SIZE))
    x = np.asarray(crop, dtype=np.float32) / np.float32(255)
    x = (x - MEAN) / STD
    return crop, x.transpose(2, 0, 1)[None].astype(np.float32)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = Tiny().eval()
    path = OUT / "tiny_rgb.onnx"
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), str(path), input_names=["image"], output_names=["logits"],
                      opset_version=17, dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
    (OUT / "labels.txt").write_text("\n".join(LABELS) + "\n", encoding="utf-8")

    photo = Image.fromarray(skimage.data.astronaut()).resize((60, 44), Image.BILINEAR)
    photo.save(OUT / "photo.png")
    photo = Image.open(OUT / "photo.png").convert("RGB")
    crop, x = preprocess(photo)

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"image": x})[0][0].astype(np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))

    w = model.conv1.weight.detach().numpy()
    (OUT / "references.json").write_text(json.dumps({
        "top": [{"index": i, "label": LABELS[i], "probability": float(p[i])} for i in order],
        # What the model sees: the cropped 32×32 image, RGB rows.
        "seen": np.asarray(crop, dtype=np.uint8).reshape(-1, 3).tolist(),
        "conv1_shape": list(w.shape),
        "conv1_cells": [[o, y, k, [float(v) for v in w[o, :, y, k]]] for o, y, k in [(0, 0, 0), (3, 1, 2), (7, 2, 1)]],
    }) + "\n", encoding="utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
