"""Small real files for BadInputTest: an HDF5 file that is not a Keras model (a dataset, no model_config).

Run from the repository root:  python3 backend-dl4j/src/test/python/make_bad_input_fixtures.py
"""
from pathlib import Path

import h5py
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "bad-input"
OUT.mkdir(parents=True, exist_ok=True)
with h5py.File(OUT / "measurements.h5", "w") as f:
    f.create_dataset("temperature", data=np.arange(16, dtype=np.float32).reshape(4, 4))
    f.attrs["instrument"] = "thermometer"
print("wrote", OUT / "measurements.h5")
