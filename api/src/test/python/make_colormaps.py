#!/usr/bin/env python3
"""Writes the 256-entry colormap tables the renderer uses, and samples the tests compare against.

Run from the repository root with matplotlib installed (it is the reference, e.g.
`pip install --index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple matplotlib`
in a virtual environment):
    python3 api/src/test/python/make_colormaps.py

Outputs:
  api/src/main/resources/io/filterscope/render/colormaps.txt
      one line per map: its name, then 256 colours as RRGGBB, entry i = cmap(i / 255) rounded
      the way matplotlib.colors.to_hex rounds
  api/src/test/resources/fixtures/colormap/samples.csv
      name,t,r,g,b with matplotlib's floats for cmap(t) at values of t between the entries, so a
      test checks both the table and how t picks an entry (matplotlib: min(int(t * 256), 255))
"""
import pathlib

import matplotlib
import numpy as np
from matplotlib import colors

API = pathlib.Path(__file__).resolve().parents[2]
NAMES = ["gray", "viridis", "magma", "inferno", "coolwarm"]


def main():
    table = API / "main" / "resources" / "io" / "filterscope" / "render" / "colormaps.txt"
    lines = [f"# 256-entry colormaps from matplotlib {matplotlib.__version__}; made by api/src/test/python/make_colormaps.py"]
    for name in NAMES:
        cmap = matplotlib.colormaps[name].resampled(256)
        entries = [colors.to_hex(cmap(i))[1:] for i in range(256)]
        lines.append(name + " " + " ".join(entries))
    table.write_text("\n".join(lines) + "\n")

    samples = API / "test" / "resources" / "fixtures" / "colormap" / "samples.csv"
    samples.parent.mkdir(parents=True, exist_ok=True)
    ts = [0.0, 0.001, 0.1, 0.25, 0.3333, 0.5, 0.50196, 0.6, 0.75, 0.9, 0.99, 0.999, 1.0]
    rows = ["name,t,r,g,b"]
    for name in NAMES:
        cmap = matplotlib.colormaps[name]
        for t in ts:
            r, g, b, _ = cmap(np.float64(t))
            rows.append(f"{name},{t!r},{float(r)!r},{float(g)!r},{float(b)!r}")
    samples.write_text("\n".join(rows) + "\n")
    print("wrote", table, "and", samples)


if __name__ == "__main__":
    main()
