"""Ablation-CAM reference at a layer that skip tensors go around, for the DL4J backend's
Model.runFrom with the input: keras3/func_branches (make_keras_fixtures.py), whose 'relu_cap' output
is added to a 1×1 conv of the input ('side', the branch around it) and then concatenated with 'c1',
the conv before it (a second tensor around it).

Computed with Keras 3 on its torch backend (float32, as the other DL4J explain references), by calling
the model's own layers: channel k of relu_cap's output zeroed, the rest of the network run with 'side'
and 'c1' computed from the unablated input, w_k = (y − y_k) / y with y the softmax output of the top-1
class (the model ends in softmax, as pytorch-grad-cam's AblationCAM takes it), CAM = ReLU(Σ_k w_k A_k).
The wiring is checked first: the tail fed the unablated output gives the model's output.

Writes backend-dl4j/src/test/resources/explain/residual/: ablationcam_relu_cap.npy (10×10, float32)
and index.json (layer, class).

usage: KERAS_BACKEND=torch python backend-dl4j/src/test/python/make_residual_ablation_fixtures.py
"""
import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[4]
MODEL = ROOT / "backend-dl4j/src/test/resources/keras3/func_branches"
OUT = ROOT / "backend-dl4j/src/test/resources/explain/residual"


def main():
    m = keras.saving.load_model(MODEL / "model.keras", compile=False)
    x = np.load(MODEL / "input.npy")
    L = m.get_layer
    c1 = L("c1")(x)
    a = L("relu_cap")(L("bn_nocenter")(c1, training=False))
    side = L("side")(x)

    def tail(t):
        n = t.shape[0]
        add = L("sum")([t, keras.ops.repeat(side, n, axis=0)])
        cat = L("cat")([add, keras.ops.repeat(c1, n, axis=0)])
        g = L("gelu")(cat)
        d = L("deconv_valid")(L("dw_s2")(g))
        avg = L("avg_valid")(L("bn_noscale")(L("sep_s2")(d), training=False))
        flat = L("cat_flat")([L("gap")(avg), L("gmp")(cat)])
        return keras.ops.convert_to_numpy(L("softmax")(L("logits")(L("fc")(flat)))).astype(np.float64)

    y_model = keras.ops.convert_to_numpy(m(x, training=False))
    np.testing.assert_allclose(tail(a), y_model, rtol=1e-5, atol=1e-7)
    k = int(y_model[0].argmax())
    a = keras.ops.convert_to_numpy(a)[0]  # H x W x C
    channels = a.shape[-1]
    ablated = np.repeat(a[None], channels, axis=0)
    for c in range(channels):
        ablated[c, :, :, c] = 0
    y = tail(a[None])[0, k]
    y_k = tail(ablated)[:, k]
    w = (y - y_k) / y
    cam = np.maximum((a.astype(np.float64) * w).sum(-1), 0)
    OUT.mkdir(parents=True, exist_ok=True)
    np.save(OUT / "ablationcam_relu_cap.npy", cam.astype(np.float32))
    index = {"model": "keras3/func_branches/model.keras", "input": "keras3/func_branches/input.npy",
             "maps": [{"file": "ablationcam_relu_cap.npy", "method": "ablationcam", "layer": "relu_cap", "class": k}]}
    (OUT / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    print("class", k, "weights", np.round(w, 4), "cam max", cam.max(), "nonzero", (cam > 0).mean())


if __name__ == "__main__":
    main()
