"""Fashion-MNIST loader shared by the sample scripts.

Reads the four IDX files (gzip-compressed, as shipped by the Debian package
``dataset-fashion-mnist``) from ``$FASHION_MNIST_DIR`` or, by default,
``/usr/share/datasets/fashion-mnist``.

    images, labels = load("train")   # uint8 (60000, 28, 28), uint8 (60000,)
    images, labels = load("t10k")    # uint8 (10000, 28, 28), uint8 (10000,)
"""
import gzip
import os
import re
import struct
from pathlib import Path

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def data_dir() -> Path:
    return Path(os.environ.get("FASHION_MNIST_DIR", DEFAULT_DIR))


def _read_idx(path: Path) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(
            f"Fashion-MNIST file {path} is missing. Install the Debian package "
            f"'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist) or point "
            f"FASHION_MNIST_DIR at a folder holding the four *-ubyte.gz IDX files.")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims}, found {arr.size} bytes")
    return arr.reshape(dims)


def load(split: str):
    """Returns (images uint8 N x 28 x 28, labels uint8 N) for split 'train' or 't10k'."""
    if split not in ("train", "t10k"):
        raise ValueError("split must be 'train' or 't10k'")
    d = data_dir()
    images = _read_idx(d / f"{split}-images-idx3-ubyte.gz")
    labels = _read_idx(d / f"{split}-labels-idx1-ubyte.gz")
    if len(images) != len(labels):
        raise ValueError(f"{split}: {len(images)} images but {len(labels)} labels")
    return images, labels


def slug(class_index: int) -> str:
    """'0-t-shirt-top', '9-ankle-boot', ..."""
    name = re.sub(r"[^a-z0-9]+", "-", CLASS_NAMES[class_index].lower()).strip("-")
    return f"{class_index}-{name}"


# Paths shared by the scripts.
SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent.parent
MODEL_DIR = REPO_ROOT / "samples" / "models" / "fashion-mnist"
