"""Makes swing-viewer/src/test/resources/cli/bad/small_cnn_keras2_lzf.h5 for the command line's bad-input tests.

The Keras 2 fixture of backend-dl4j (keras2/small_cnn_keras2.h5) with its conv kernel stored chunked and
compressed with LZF, h5py's own filter, which Keras never writes: a Keras file a user could be handed,
refused with the filter's name before anything is decoded (backend-dl4j's hdf5-limits/lzf.h5 is a bare
HDF5 file, which the command line refuses earlier as "not a Keras model").

usage: /tmp/kapps-venv/bin/python samples/scripts/make_cli_lzf_fixture.py   (from the repository root; needs h5py)
"""
import pathlib
import shutil

import h5py

REPO = pathlib.Path(__file__).resolve().parents[2]
SOURCE = REPO / "backend-dl4j" / "src" / "test" / "resources" / "keras2" / "small_cnn_keras2.h5"
TARGET = REPO / "swing-viewer" / "src" / "test" / "resources" / "cli" / "bad" / "small_cnn_keras2_lzf.h5"

TARGET.parent.mkdir(parents=True, exist_ok=True)
shutil.copyfile(SOURCE, TARGET)
with h5py.File(TARGET, "a") as f:
    conv = f["model_weights"]["conv"]["conv"]
    values = conv["kernel:0"][()]
    del conv["kernel:0"]
    conv.create_dataset("kernel:0", data=values, chunks=values.shape, compression="lzf")
with h5py.File(TARGET, "r") as f:
    assert f["model_weights/conv/conv/kernel:0"].compression == "lzf"
print("wrote", TARGET.relative_to(REPO))
