"""Writes the rest of the bundle next to the trained models: labels.txt, one test image per class
(the first one both the PyTorch and the Keras ONNX export classify correctly, checked with ONNX
Runtime), and the sha256 lines for the model card.

usage: python samples/scripts/make_bundle.py   (after train_torch.py and train_keras.py)
"""
import hashlib

import numpy as np
import onnxruntime as ort
from PIL import Image

import fashion_mnist

OUT = fashion_mnist.MODEL_DIR


def main():
    x, y = fashion_mnist.load("t10k")
    xf = x.astype(np.float32) / 255
    torch_sess = ort.InferenceSession(str(OUT / "fashion_cnn.onnx"), providers=["CPUExecutionProvider"])
    pt = torch_sess.run(None, {torch_sess.get_inputs()[0].name: xf[:, None]})[0].argmax(1)
    keras_file = OUT / "fashion_cnn_keras.onnx"
    if keras_file.exists():
        keras_sess = ort.InferenceSession(str(keras_file), providers=["CPUExecutionProvider"])
        pk = keras_sess.run(None, {keras_sess.get_inputs()[0].name: xf[:, :, :, None]})[0].argmax(1)
    else:
        print(f"{keras_file} not made yet: choosing images by the PyTorch model alone")
        pk = pt
    print(f"ONNX Runtime test accuracy: torch export {np.mean(pt == y):.4f}, keras export {np.mean(pk == y):.4f}")
    (OUT / "labels.txt").write_text("\n".join(fashion_mnist.CLASS_NAMES) + "\n")
    images = OUT / "images"
    images.mkdir(exist_ok=True)
    for old in images.glob("*.png"):
        old.unlink()
    for c in range(10):
        i = int(np.flatnonzero((y == c) & (pt == c) & (pk == c))[0])
        Image.fromarray(x[i], mode="L").save(images / f"{fashion_mnist.slug(c)}.png")
        print(f"class {c}: test image #{i}")
    for f in sorted(OUT.glob("fashion_cnn*")):
        print(f"sha256 {hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}")


if __name__ == "__main__":
    main()
