#!/usr/bin/env python3
"""Makes the reference fixtures the api tests compare against.

The outputs are committed; tests never run Python. Rerun from the repository root with
    python3 api/src/test/python/make_fixtures.py
after changing what a fixture should contain. Needs numpy, pillow, torch and torchvision.

Everything is seeded, so a rerun with the same library versions writes the same files.
The references come from the libraries themselves (numpy's own writer, PIL's resampler,
torchvision's transforms, torch.softmax), not from code written here, except where a
preset is a plain documented formula (Keras 'caffe' and 'tf' modes) with no library here.
"""
import io
import pathlib
import struct
import zlib

import numpy as np
from PIL import Image
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "fixtures"


def import_torchvision():
    # The torchvision wheel installed beside a CPU-only torch may be a CUDA build whose native
    # ops fail to load; its pure-Python transforms still work, so tolerate the failed fake
    # registrations of those ops rather than needing a matching wheel.
    import torch.library
    original = torch.library.register_fake

    def tolerant(op, *args, **kwargs):
        def decorate(fn):
            try:
                return original(op, *args, **kwargs)(fn)
            except RuntimeError:
                return fn
        return decorate

    torch.library.register_fake = tolerant
    try:
        import torchvision.transforms as T
    finally:
        torch.library.register_fake = original
    return T


# ---------------------------------------------------------------- npy
def make_npy():
    out = ROOT / "npy"
    out.mkdir(parents=True, exist_ok=True)
    ints = np.array([[0, 1, 2, 3], [4, 5, 100, 127]])
    for name, dtype in [("f4_le", "<f4"), ("f4_be", ">f4"), ("f8_le", "<f8"), ("i4_le", "<i4"),
                        ("i8_le", "<i8"), ("u1", "|u1"), ("i1", "|i1"), ("i2_le", "<i2"),
                        ("u2_le", "<u2"), ("i4_be", ">i4"), ("f8_be", ">f8"), ("f2_le", "<f2")]:
        np.save(out / f"{name}.npy", ints.astype(dtype))
    np.save(out / "b1.npy", np.array([[True, False, True], [False, False, True]]))
    np.save(out / "i1_negative.npy", np.array([-128, -1, 0, 127], dtype="|i1"))
    np.save(out / "f4_fractions.npy", np.array([-1.5, 0.1, 1e-3, 3.25e7, -0.0], dtype="<f4"))
    # 2×3 in Fortran order: numpy stores the columns first and says fortran_order True.
    np.save(out / "fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    np.save(out / "fortran_3d.npy", np.asfortranarray(np.arange(24, dtype="<i2").reshape(2, 3, 4)))
    np.save(out / "scalar.npy", np.float32(3.5))
    for version in [(2, 0), (3, 0)]:
        with open(out / f"v{version[0]}.npy", "wb") as f:
            np.lib.format.write_array(f, np.arange(6, dtype="<f4").reshape(3, 2), version=version)

    # Byte-for-byte references for our writer: numpy's own np.save of values that are exact in
    # float32, so the Java test can build the same tensor from arithmetic.
    np.save(out / "written_3x4.npy", ((np.arange(12) - 5.5) / 4).reshape(3, 4).astype("<f4"))
    np.save(out / "written_5.npy", (np.arange(5) * 2 - 3).astype("<f4"))
    np.save(out / "written_scalar.npy", np.float32(-2.25))
    np.save(out / "written_1000x1.npy", (np.arange(1000) / 8).reshape(1000, 1).astype("<f4"))
    np.save(out / "written_1x3x2x2.npy", (np.arange(12) * 0.5).reshape(1, 3, 2, 2).astype("<f4"))


# ---------------------------------------------------------------- preprocessing
def png16(path, array):
    """A minimal PNG writer for 16-bit RGB or gray, which PIL cannot save."""
    h, w = array.shape[:2]
    color_type = 2 if array.ndim == 3 else 0
    raw = b"".join(b"\x00" + array[y].astype(">u2").tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def save(path, array):
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))


def make_preprocess():
    T = import_torchvision()
    out = ROOT / "preprocess"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)

    # A 40×30 RGB picture with structure at several scales: gradients, a disc and noise, so a
    # resampler that is off by a pixel or a weight shows.
    yy, xx = np.mgrid[0:30, 0:40]
    r = xx * 6
    g = yy * 8
    b = np.where((xx - 22) ** 2 + (yy - 13) ** 2 < 80, 230, 20)
    rgb = np.stack([r, g, b], axis=-1) + rng.integers(-20, 21, size=(30, 40, 3))
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    Image.fromarray(rgb, "RGB").save(out / "rgb_40x30.png")
    img = Image.open(out / "rgb_40x30.png").convert("RGB")

    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    # torchvision's ImageNet eval transform at small sizes: downscale (antialiased) then crop.
    t = T.Compose([T.Resize(20), T.CenterCrop(16), T.ToTensor(), T.Normalize(mean, std)])
    save(out / "imagenet_20_16.npy", t(img).unsqueeze(0).numpy())
    # Upscaling, a non-square crop whose offsets round.
    t = T.Compose([T.Resize(48), T.CenterCrop((40, 44)), T.ToTensor(), T.Normalize(mean, std)])
    save(out / "imagenet_48_40x44.npy", t(img).unsqueeze(0).numpy())
    # The eval ratio (crop = 0.875 × resize) at 64 → 56, a large upscale of the small picture.
    t = T.Compose([T.Resize(64), T.CenterCrop(56), T.ToTensor(), T.Normalize(mean, std)])
    save(out / "imagenet_64_56.npy", t(img).unsqueeze(0).numpy())

    # Keras 'tf' mode after a straight PIL bilinear resize to 17 high × 23 wide, NHWC.
    x = np.asarray(img.resize((23, 17), Image.BILINEAR), dtype=np.float32)
    x = x / np.float32(127.5) - np.float32(1)
    save(out / "tf_17x23_nhwc.npy", x[None])
    # Keras 'caffe' mode at the picture's own size: RGB→BGR, subtract the BGR means, NHWC.
    x = np.asarray(img, dtype=np.float32)[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype=np.float32)
    save(out / "caffe_nhwc.npy", x[None])
    # One channel from RGB: PIL's convert('L') (ITU-R 601 luma), then a resize to 11×13, /255.
    x = np.asarray(img.convert("L").resize((13, 11), Image.BILINEAR), dtype=np.float32) / np.float32(255)
    save(out / "gray_from_rgb_11x13.npy", x[None, None])

    # 28×28 8-bit grayscale, no resize: /255 must be exact.
    gray = rng.integers(0, 256, size=(28, 28)).astype(np.uint8)
    Image.fromarray(gray, "L").save(out / "gray_28.png")
    x = np.asarray(Image.open(out / "gray_28.png"), dtype=np.float32) / np.float32(255)
    save(out / "gray_28_unit.npy", x[None, None])
    # Grayscale to three channels replicates, as PIL's convert('RGB') does.
    x = np.asarray(Image.open(out / "gray_28.png").convert("RGB"), dtype=np.float32) / np.float32(255)
    save(out / "gray_28_as_rgb_unit.npy", x.transpose(2, 0, 1)[None])

    # 16-bit grayscale 20 wide × 12 high with values that are not multiples of 257: 8-bit
    # rounding anywhere on the way would show. The 0..255 scale is value/257, then /255.
    g16 = rng.integers(0, 65536, size=(12, 20)).astype(np.uint16)
    g16[0, :4] = [0, 1, 65534, 65535]
    Image.fromarray(g16.astype(np.int32)).convert("I;16").save(out / "gray16_20x12.png")
    decoded = np.asarray(Image.open(out / "gray16_20x12.png"), dtype=np.float32)  # PIL's decode
    assert np.array_equal(decoded, g16.astype(np.float32))
    save(out / "gray16_20x12_unit.npy", (decoded / np.float32(257) / np.float32(255))[None, None])
    # 16-bit RGB, 6 wide × 5 high (PIL cannot save it, so a tiny writer does; values known).
    c16 = rng.integers(0, 65536, size=(5, 6, 3)).astype(np.uint16)
    png16(out / "rgb16_6x5.png", c16)
    save(out / "rgb16_6x5_unit.npy", (c16.astype(np.float32) / np.float32(257) / np.float32(255)).transpose(2, 0, 1)[None])

    # Other containers and modes: palette, RGBA, gray+alpha, BMP, GIF. PIL's convert('RGB')
    # (palette lookup, alpha dropped) is the reference.
    small = Image.fromarray(rgb[:9, :11], "RGB")
    small.quantize(colors=16).save(out / "palette_11x9.png")
    rgba = np.dstack([rgb[:9, :11], rng.integers(0, 256, size=(9, 11)).astype(np.uint8)])
    Image.fromarray(rgba, "RGBA").save(out / "rgba_11x9.png")
    la = np.dstack([gray[:9, :11], rng.integers(0, 256, size=(9, 11)).astype(np.uint8)])
    Image.fromarray(la, "LA").save(out / "la_11x9.png")
    small.save(out / "rgb_11x9.bmp")
    small.quantize(colors=16).save(out / "palette_11x9.gif")
    small.save(out / "rgb_11x9.jpg", quality=95, subsampling=0)
    for name in ["palette_11x9.png", "rgba_11x9.png", "la_11x9.png", "rgb_11x9.bmp", "palette_11x9.gif", "rgb_11x9.jpg"]:
        x = np.asarray(Image.open(out / name).convert("RGB"), dtype=np.float32) / np.float32(255)
        save(out / (name.replace(".", "_") + "_unit.npy"), x.transpose(2, 0, 1)[None])


# ---------------------------------------------------------------- predictions
def make_predict():
    out = ROOT / "predict"
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(3, 10, generator=g) * 4
    logits[2] = logits[2] + 1000  # huge logits: a naive exp overflows
    save(out / "logits_3x10.npy", logits.numpy())
    save(out / "softmax_3x10.npy", torch.softmax(logits, dim=1).numpy())


# ---------------------------------------------------------------- heatmap resize
def make_heatmap():
    out = ROOT / "render"
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(11)
    coarse = torch.rand(3, 4, generator=g)
    # Bilinear with pixel centres aligned (align_corners=False), no antialiasing: what a class
    # activation map overlay upsamples with.
    fine = torch.nn.functional.interpolate(coarse[None, None], size=(7, 9), mode="bilinear", align_corners=False)[0, 0]
    save(out / "heatmap_3x4.npy", coarse.numpy())
    save(out / "heatmap_3x4_to_7x9.npy", fine.numpy())


if __name__ == "__main__":
    make_npy()
    make_preprocess()
    make_predict()
    make_heatmap()
    print("fixtures written under", ROOT)
