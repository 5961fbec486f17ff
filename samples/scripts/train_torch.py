"""Trains the bundled Fashion-MNIST CNN in PyTorch and exports it to ONNX.

usage: python samples/scripts/train_torch.py   (writes samples/models/fashion-mnist/fashion_cnn.onnx)
"""
import pathlib

import numpy as np
import torch
from torch import nn

import fashion_mnist

OUT = pathlib.Path(__file__).resolve().parents[1] / "models" / "fashion-mnist"



class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool3 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64 * 3 * 3, 128)
        self.relu4 = nn.ReLU()
        self.dropout = nn.Dropout(0.3)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.pool3(self.relu3(self.conv3(x)))
        return self.fc2(self.dropout(self.relu4(self.fc1(self.flatten(x)))))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)
    xtr, ytr = fashion_mnist.load("train")
    xte, yte = fashion_mnist.load("t10k")
    xtr = torch.from_numpy(xtr).float().div(255).unsqueeze(1)
    xte = torch.from_numpy(xte).float().div(255).unsqueeze(1)
    ytr = torch.from_numpy(ytr.astype(np.int64))
    yte = torch.from_numpy(yte.astype(np.int64))
    model = FashionCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(10):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1}: test accuracy {acc:.4f}", flush=True)
    assert acc >= 0.90, f"test accuracy {acc:.4f} below 0.90"
    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), OUT / "fashion_cnn_torch.pt")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), OUT / "fashion_cnn.onnx", dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print("wrote", OUT / "fashion_cnn.onnx")


if __name__ == "__main__":
    main()
