"""Writes the 1,000 ImageNet class names FilterScope uses for a 1,000-way output without a labels file.

The names are torchvision's, read from the metadata of its ResNet-18 weights
(ResNet18_Weights.IMAGENET1K_V1.meta["categories"], which is torchvision.models._meta._IMAGENET_CATEGORIES;
nothing is downloaded: the list is part of torchvision's source). Where torchvision's compiled
operators do not match the installed torch (importing torchvision then fails), the same list is read
from torchvision/models/_meta.py without importing the package. One name a line, in class-index order.

usage: python samples/scripts/make_imagenet_classes.py   (from the repository root)
"""
import importlib.util
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
OUT = REPO / "api" / "src" / "main" / "resources" / "io" / "filterscope" / "predict" / "imagenet-classes.txt"

try:
    import torchvision

    names = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    version = torchvision.__version__
except (ImportError, RuntimeError):
    spec = importlib.util.find_spec("torchvision")
    meta_py = pathlib.Path(spec.origin).parent / "models" / "_meta.py"
    meta_spec = importlib.util.spec_from_file_location("torchvision_models_meta", meta_py)
    meta = importlib.util.module_from_spec(meta_spec)
    meta_spec.loader.exec_module(meta)
    names = meta._IMAGENET_CATEGORIES
    version = (pathlib.Path(spec.origin).parent / "version.py").read_text().split("__version__ = ")[1].split()[0].strip("'\"")
assert len(names) == 1000, len(names)
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text("".join(n + "\n" for n in names), encoding="utf-8")
print(f"wrote {len(names)} names to {OUT.relative_to(REPO)} (torchvision {version})")
