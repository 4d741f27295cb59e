#!/usr/bin/env python3
"""Same-run timing of divnet::hotspot against h3-py + PySAL esda.

Setup (pinned):

    pip install h3==4.5.0 esda==2.9.0 libpysal==4.14.1 numba==0.68.1 numpy==2.4.6 pandas==3.1.1
    cargo build --release --example bench_hotspots --bin divnet

Run from the repository root:

    python3 scripts/bench/hotspot_peers.py [--events 1000000] [--repeats 3] [--perm-repeats 3]

Both sides read the same CSV of seeded events (40 Gaussian clusters with sd 0.25 degrees in
lat -5..15 / lon 0..30 plus 0.1 % uniform background, weight 1). Only computation is timed
(CSV loading excluded); each figure is the median of several runs. Python steps:
binning = h3.latlng_to_cell over every event + pandas groupby sum; domain+weights = ring
study area (grid_disk k=1 of occupied cells) + k-ring neighbour dict + libpysal W;
analytical = esda G_Local(y, w, transform='B', star=True, permutations=0);
permutations = the same with permutations=999 (numba, all cores; JIT warm-up excluded).
The divnet side is benches/peers/bench_hotspots.rs, run in the same invocation.

Whole process (`process` in the output): the `divnet hotspots` command on the same CSV
(start, read, bin, Gi*, write the cell table, exit; median of --repeats runs, at least 5)
against the peers' read (pandas.read_csv) + binning + study area and weights + Gi*. The
peers' interpreter start and imports are not counted. Needs `cargo build --release --bin divnet`
(--divnet-bin).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import h3
import libpysal
import numpy as np
import pandas as pd
from esda.getisord import G_Local

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_events(n, seed=7):
    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(-5, 15, 40), rng.uniform(0, 30, 40)])
    nb = n // 1000
    which = rng.integers(0, 40, n - nb)
    lat = np.concatenate([rng.uniform(-5, 15, nb), centres[which, 0] + rng.normal(0, 0.25, n - nb)])
    lon = np.concatenate([rng.uniform(0, 30, nb), centres[which, 1] + rng.normal(0, 0.25, n - nb)])
    return lat, lon, np.ones(n)


def py_bin(lat, lon, w, res):
    cells = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist())]
    return pd.Series(w).groupby(pd.Series(cells)).sum()


def py_domain_weights(binned):
    ring = set()
    for c in binned.index:
        ring.update(h3.grid_disk(c, 1))
    cells = sorted(ring, key=lambda c: int(c, 16))
    index = {c: i for i, c in enumerate(cells)}
    neighbours = {
        i: [index[d] for d in h3.grid_disk(c, 1) if d != c and d in index]
        for i, c in enumerate(cells)
    }
    y = np.zeros(len(cells))
    for c, v in binned.items():
        y[index[c]] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(neighbours, silence_warnings=True)
    return y, w


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--perm-repeats", type=int, default=3)
    ap.add_argument("--resolution", type=int, default=6)
    ap.add_argument(
        "--divnet",
        default=os.path.join(
            os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
            "release",
            "examples",
            "bench_hotspots",
        ),
    )
    ap.add_argument(
        "--divnet-bin",
        default=os.path.join(
            os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "divnet"
        ),
    )
    args = ap.parse_args()

    lat, lon, w = make_events(args.events)
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "events.csv")
        pd.DataFrame({"lat": lat, "lon": lon, "weight": w}).to_csv(csv, index=False, float_format="%.10f")
        t_read, ev = timed(lambda: pd.read_csv(csv), args.repeats)
        lat, lon, w = ev["lat"].to_numpy(), ev["lon"].to_numpy(), ev["weight"].to_numpy()

        t_bin, binned = timed(lambda: py_bin(lat, lon, w, args.resolution), args.repeats)
        t_dom, (y, wts) = timed(lambda: py_domain_weights(binned), args.repeats)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_gi, _ = timed(
                lambda: G_Local(y, wts, transform="B", star=True, permutations=0), args.repeats
            )
            # numba JIT warm-up on a tiny problem (not timed)
            yw = np.arange(1.0, 11.0)
            ww = libpysal.weights.lat2W(2, 5)
            G_Local(yw, ww, transform="B", star=True, permutations=9, seed=1)
            t_perm, _ = timed(
                lambda: G_Local(y, wts, transform="B", star=True, permutations=999, seed=11),
                args.perm_repeats,
            )
        py = {
            "occupied_cells": int(len(binned)),
            "study_area_cells": int(len(y)),
            "bin_s": t_bin,
            "domain_weights_s": t_dom,
            "gistar_s": t_gi,
            "whole_s": t_bin + t_dom + t_gi,
            "perm999_s": t_perm,
        }
        out = subprocess.run(
            [args.divnet, csv, str(max(args.repeats, 5)), str(args.perm_repeats), str(args.resolution)],
            check=True,
            capture_output=True,
            text=True,
        )
        rs = json.loads(out.stdout)
        process = []
        for _ in range(max(args.repeats, 5)):
            out_csv = os.path.join(tmp, "cells.csv")
            if os.path.exists(out_csv):
                os.remove(out_csv)
            cmd = [args.divnet_bin, "hotspots", "--resolution", str(args.resolution)]
            t = time.perf_counter()
            subprocess.run(cmd + ["--events", csv, "--out", out_csv], check=True, capture_output=True)
            process.append(time.perf_counter() - t)
        rs["process_s"] = statistics.median(process)
        py["read_s"] = t_read
        py["process_s"] = t_read + py["whole_s"]

    if rs["study_area_cells"] != py["study_area_cells"] or rs["occupied_cells"] != py["occupied_cells"]:
        print("WARNING: cell counts differ", file=sys.stderr)
    ratio = {
        k: py[k] / rs[k]
        for k in ("bin_s", "domain_weights_s", "gistar_s", "whole_s", "perm999_s", "process_s")
        if rs[k] > 0
    }
    ratio["perm999_per_cell"] = py["perm999_s"] / rs["perm999_per_cell_s"]
    ratio["bin_plus_gistar"] = (py["bin_s"] + py["gistar_s"]) / (rs["bin_s"] + rs["gistar_s"])
    print(json.dumps({"events": args.events, "python": py, "divnet": rs, "speedup": ratio}, indent=2))


if __name__ == "__main__":
    main()
