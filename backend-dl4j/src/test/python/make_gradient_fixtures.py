"""Reference gradients from PyTorch autograd for GradientTorchReferenceTest.

Builds a small CNN in PyTorch with seeded weights, saves the weights as .npy (the Java test builds the
same network in DL4J from them), and saves, for a fixed input batch, the logits, the softmax output and
the gradients of sum_n logit[n, K] (and of sum_n softmax[n, K]) with respect to the input and to the
outputs of three layers. Everything in float64, saved as float32 .npy.

For feature visualisation it also saves the gradients of a channel's mean activation,
sum_n mean_hw layer[n, C], with respect to the input and an earlier layer (channel_<layer>_c<C>_*.npy).

    conv1 (1->3, 3x3, pad 1, tanh) -> max pool 2x2 -> depthwise (3->6, x2, 3x3, pad 1)
    -> conv2 (6->4, 3x3, pad 1) -> batch norm (eval, stored statistics) -> relu -> flatten -> dense 64->5

Run from the repository root:  python3 backend-dl4j/src/test/python/make_gradient_fixtures.py
"""
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "resources" / "torch-gradients"
K = 3  # the differentiated class

torch.manual_seed(20261125)
dt = torch.float64


def rnd(*shape, scale=0.5):
    # Rounded to float32 first, so the float32 .npy files hold exactly the weights used here.
    return (torch.randn(*shape, dtype=dt) * scale).float().double()


w = {
    "conv1_w": rnd(3, 1, 3, 3), "conv1_b": rnd(3, scale=0.1),
    "dw_w": rnd(6, 1, 3, 3), "dw_b": rnd(6, scale=0.1),
    "conv2_w": rnd(4, 6, 3, 3, scale=0.3), "conv2_b": rnd(4, scale=0.1),
    "bn_gamma": (0.5 + torch.rand(4, dtype=dt)).float().double(), "bn_beta": rnd(4, scale=0.2),
    "bn_mean": rnd(4, scale=0.3), "bn_var": (0.3 + torch.rand(4, dtype=dt)).float().double(),
    "fc_w": rnd(5, 64, scale=0.2), "fc_b": rnd(5, scale=0.1),
}
BN_EPS = 1e-5
x = (torch.rand(2, 1, 8, 8, dtype=dt) * 2 - 1).float().double().requires_grad_(True)


def forward(x):
    acts = {}
    a = torch.tanh(F.conv2d(x, w["conv1_w"], w["conv1_b"], padding=1))
    acts["conv1"] = a
    a = F.max_pool2d(a, 2)
    a = F.conv2d(a, w["dw_w"], w["dw_b"], padding=1, groups=3)
    acts["dw"] = a
    a = F.conv2d(a, w["conv2_w"], w["conv2_b"], padding=1)
    a = F.batch_norm(a, w["bn_mean"], w["bn_var"], w["bn_gamma"], w["bn_beta"], training=False, eps=BN_EPS)
    acts["bn_pre"] = a
    a = F.relu(a)
    acts["bn"] = a
    logits = a.flatten(1) @ w["fc_w"].T + w["fc_b"]
    return acts, logits


def save(name, t):
    np.save(OUT / f"{name}.npy", t.detach().numpy().astype(np.float32))


OUT.mkdir(parents=True, exist_ok=True)
for k, v in w.items():
    save(k, v)
save("input", x)

acts, logits = forward(x)
for a in acts.values():
    a.retain_grad()
logits[:, K].sum().backward()
save("logits", logits)
save("softmax", torch.softmax(logits, dim=1))
save("grad_input_logit", x.grad)
for name, a in acts.items():
    save(f"act_{name}", a)
    save(f"grad_{name}_logit", a.grad)

x.grad = None
acts, logits = forward(x)
torch.softmax(logits, dim=1)[:, K].sum().backward()
save("grad_input_softmax", x.grad)
for layer, c, earlier in [("dw", 4, "conv1"), ("bn", 2, "dw")]:
    x.grad = None
    acts, _ = forward(x)
    acts[earlier].retain_grad()
    acts[layer][:, c].mean(dim=(1, 2)).sum().backward()
    save(f"channel_{layer}_c{c}_grad_input", x.grad)
    save(f"channel_{layer}_c{c}_grad_{earlier}", acts[earlier].grad)
print("wrote", sorted(p.name for p in OUT.glob("*.npy")))
