#!/usr/bin/env python3
"""Reference values for divnet::chart::projection::equal_earth.

Projects a fixed grid of lon/lat points with PROJ's Equal Earth (+proj=eqearth +R=1) and writes
tests/data/reference/chart/equal_earth.csv (lon,lat,x,y).

Rebuild:
    pip install pyproj==3.7.1
    python3 scripts/reference/chart_projection.py
"""
import csv
import pathlib

from pyproj import Transformer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "reference" / "chart" / "equal_earth.csv"


def main() -> None:
    tr = Transformer.from_crs("+proj=longlat +R=1 +no_defs", "+proj=eqearth +R=1 +no_defs",
                              always_xy=True)
    pts = [(lon, lat) for lon in (-180, -123.4, -60, 0, 17.25, 90, 180)
           for lat in (-90, -61.5, -30, 0, 12.6, 45, 89.9, 90)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["lon", "lat", "x", "y"])
        for lon, lat in pts:
            x, y = tr.transform(lon, lat)
            w.writerow([repr(float(lon)), repr(float(lat)), repr(x), repr(y)])


if __name__ == "__main__":
    main()
