"""Compressed (chunked, deflate) HDF5 fixtures for the size limits of Hdf5Reader, made with h5py.

From the Keras 2 fixture keras2/small_cnn_keras2.h5 (make_keras2_fixture.py):

- keras2/small_cnn_keras2_gzip.h5: the same model with every weight stored chunked, shuffled, deflated
  and Fletcher-32 checksummed, in chunks that do not divide the shapes (edge chunks lie partly outside).
  A valid file: it must open and predict as the uncompressed one (Keras' references), and its values are
  in hdf5-reference.json (run make_hdf5_reference.py after this script).
- hdf5-limits/small_cnn_keras2_bomb.h5: the conv kernel (3x3x1x3 float32: one 108-byte chunk) whose
  stored chunk inflates to 16 MiB of zeros: a decompression bomb inside a Keras file.
- hdf5-limits/small_cnn_keras2_big_chunk.h5: the conv kernel declared resizable with one chunk of
  1024x1024x64x3 float32 (768 MiB) for its 108 bytes of values.

And two bare files, one dataset "weights" each (float32, 256 values, one 1 KiB chunk):

- hdf5-limits/bomb.h5: the chunk inflates to 16 MiB of zeros (16 KiB stored);
- hdf5-limits/bomb-twice.h5: deflated twice (a pipeline of two deflate filters), the chunk inflates to
  4 GiB of zeros, more than the test JVM's heap, from a few KiB stored;
- hdf5-limits/lzf.h5: valid, but compressed with LZF (h5py's own filter), which Keras never writes.

The chunks of the bombs are written raw (write_direct_chunk), as an attacker would: HDF5 itself never
writes a chunk that decodes to more than its declared size.

usage (from backend-dl4j): /tmp/kapps-venv/bin/python src/test/python/make_hdf5_limit_fixtures.py
"""
import pathlib
import shutil
import zlib

import h5py
import numpy as np
from h5py import h5p, h5z

RES = pathlib.Path(__file__).resolve().parents[1] / "resources"
SOURCE = RES / "keras2" / "small_cnn_keras2.h5"
LIMITS = RES / "hdf5-limits"
LIMITS.mkdir(exist_ok=True)


def zeros_deflated(size, times=1):
    """zlib of `size` zero bytes, streamed (never `size` bytes in memory), `times` times over."""
    c = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = []
    left = size
    while left:
        n = min(left, len(block))
        parts.append(c.compress(block[:n]))
        left -= n
    parts.append(c.flush())
    data = b"".join(parts)
    for _ in range(times - 1):
        data = zlib.compress(data, 9)
    return data


def replace(group, name, make):
    """Recreates dataset `name` of `group` with `make(group, name, values)`, keeping its values."""
    values = group[name][()]
    del group[name]
    make(group, name, values)


def gzip_chunks(group, name, values):
    chunks = tuple(max(1, (s + 1) // 2) for s in values.shape)  # 3 -> 2, 27 -> 14, 4 -> 2: partial edge chunks
    group.create_dataset(name, data=values, chunks=chunks, compression="gzip", compression_opts=6, shuffle=True, fletcher32=True)


def bomb_chunk(group, name, values):
    d = group.create_dataset(name, shape=values.shape, dtype=values.dtype, chunks=values.shape, compression="gzip")
    d.id.write_direct_chunk((0,) * values.ndim, zeros_deflated(16 << 20))


def big_chunk(group, name, values):
    d = group.create_dataset(name, shape=values.shape, dtype=values.dtype, maxshape=(None,) * values.ndim, chunks=(1024, 1024, 64, 3),
                             compression="gzip")
    assert d.chunks == (1024, 1024, 64, 3)
    # Only the values' bytes are stored: the declared chunk, not its content, is what is refused.
    d.id.write_direct_chunk((0,) * values.ndim, zlib.compress(np.ascontiguousarray(values).tobytes()))


def keras2_copy(target, make):
    shutil.copyfile(SOURCE, target)
    with h5py.File(target, "a") as f:
        weights = f["model_weights"]
        for layer in ("conv", "dense"):
            for name in list(weights[layer][layer].keys()):
                if make is gzip_chunks or (layer == "conv" and name == "kernel:0"):
                    replace(weights[layer][layer], name, make)


keras2_copy(RES / "keras2" / "small_cnn_keras2_gzip.h5", gzip_chunks)
keras2_copy(LIMITS / "small_cnn_keras2_bomb.h5", bomb_chunk)
keras2_copy(LIMITS / "small_cnn_keras2_big_chunk.h5", big_chunk)

with h5py.File(LIMITS / "bomb.h5", "w") as f:
    d = f.create_dataset("weights", shape=(256,), dtype="<f4", chunks=(256,), compression="gzip")
    d.id.write_direct_chunk((0,), zeros_deflated(16 << 20))

with h5py.File(LIMITS / "bomb-twice.h5", "w") as f:
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk((256,))
    dcpl.set_filter(h5z.FILTER_DEFLATE, h5z.FLAG_OPTIONAL, (9,))
    dcpl.set_filter(h5z.FILTER_DEFLATE, h5z.FLAG_OPTIONAL, (9,))
    space = h5py.h5s.create_simple((256,))
    dsid = h5py.h5d.create(f.id, b"weights", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    h5py.Dataset(dsid).id.write_direct_chunk((0,), zeros_deflated(4 << 30, times=2))

with h5py.File(LIMITS / "lzf.h5", "w") as f:
    f.create_dataset("weights", data=np.arange(256, dtype="<f4"), chunks=(64,), compression="lzf")

for p in sorted(LIMITS.iterdir()) + [RES / "keras2" / "small_cnn_keras2_gzip.h5"]:
    print(p.relative_to(RES), p.stat().st_size, "bytes")
