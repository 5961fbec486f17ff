"""Keras files whose model config declares a layer far larger than the weights the file holds, made with
h5py from two valid fixtures by rewriting the model_config attribute only:

- hdf5-limits/small_cnn_keras2_huge_dense.h5: keras2/small_cnn_keras2.h5 (Keras 2, read through DL4J's
  Keras import) with its Dense layer declaring 1,500,000,000 units;
- hdf5-limits/seq_cnn_keras3_huge_dense.h5: keras3/seq_cnn/model.h5 (Keras 3, read by FilterScope's own
  assembler) with its first Dense layer declaring 1,500,000,000 units.

Initialising either network would allocate tens of gigabytes for a file of a few kilobytes; FilterScope
counts the declared parameters first (DeclaredParameters) and refuses the file in one line.

usage (from backend-dl4j): /tmp/kapps-venv/bin/python src/test/python/make_declared_params_fixtures.py
"""
import json
import pathlib
import shutil

import h5py

RES = pathlib.Path(__file__).resolve().parents[1] / "resources"
LIMITS = RES / "hdf5-limits"
UNITS = 1_500_000_000


def huge_dense(source, target):
    shutil.copyfile(source, target)
    with h5py.File(target, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
        dense["config"]["units"] = UNITS
        f.attrs["model_config"] = json.dumps(config)
    print(target.name, target.stat().st_size, "bytes")


huge_dense(RES / "keras2" / "small_cnn_keras2.h5", LIMITS / "small_cnn_keras2_huge_dense.h5")
huge_dense(RES / "keras3" / "seq_cnn" / "model.h5", LIMITS / "seq_cnn_keras3_huge_dense.h5")
