"""Reference for Hdf5ReaderTest, written with h5py (the HDF5 C library's Python binding): for every
committed Keras HDF5 file and .keras zip (the zip's model.weights.h5), the root attributes, and for each
group its sub-groups, datasets (shape and SHA-256 of the values as little-endian float32, C order) and
its "name" attribute. The Java test reads the same files with the pure-Java reader and compares, so the
test needs neither Python nor the native HDF5 library (whose JavaCPP objects, freed by the garbage
collector on another thread, can crash a JVM that is reading HDF5 at the same time).

usage (from backend-dl4j): python src/test/python/make_hdf5_reference.py
writes src/test/resources/hdf5-reference.json
"""
import hashlib
import io
import json
import pathlib
import zipfile

import h5py
import numpy as np

ROOTS = ["src/test/resources/keras3", "src/test/resources/keras2", "src/test/resources/bad-input", "../samples/models"]


def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return str(v)


def walk(group, path, out):
    groups = sorted(k for k in group.keys() if isinstance(group[k], h5py.Group))
    sets = sorted(k for k in group.keys() if isinstance(group[k], h5py.Dataset))
    entry = {"path": path, "groups": groups, "datasets": []}
    if path and "name" in group.attrs:
        entry["name"] = text(group.attrs["name"])
    for s in sets:
        d = group[s]
        if d.ndim == 0:
            entry["datasets"].append({"name": s, "shape": []})
            continue
        values = np.ascontiguousarray(np.asarray(d[()], dtype="<f4"))
        entry["datasets"].append({"name": s, "shape": list(d.shape), "sha256": hashlib.sha256(values.tobytes()).hexdigest()})
    out.append(entry)
    for g in groups:
        walk(group[g], path + [g], out)


def describe(h5):
    attrs = {}
    for a in ("keras_version", "backend", "model_config"):
        if a in h5.attrs:
            attrs[a] = json.loads(text(h5.attrs[a])) if a == "model_config" else text(h5.attrs[a])
    tree = []
    walk(h5, [], tree)
    return {"attributes": attrs, "tree": tree}


def main():
    files = sorted(p for r in ROOTS for p in pathlib.Path(r).rglob("*") if p.suffix in (".h5", ".keras"))
    ref = {}
    for f in files:
        if f.suffix == ".keras":
            with zipfile.ZipFile(f) as z:
                data = z.read("model.weights.h5")
            with h5py.File(io.BytesIO(data), "r") as h5:
                ref[f.as_posix()] = describe(h5)
        else:
            with h5py.File(f, "r") as h5:
                ref[f.as_posix()] = describe(h5)
    pathlib.Path("src/test/resources/hdf5-reference.json").write_text(json.dumps(ref, indent=0, sort_keys=True))
    print(len(ref), "files")


if __name__ == "__main__":
    main()
