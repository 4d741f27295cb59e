#!/usr/bin/env python3
"""Reference fixtures for divnet::hotspot (Gi*, BH FDR, Mann-Kendall, H3 binning/bbox).

Rebuild (from the repository root):

    pip install esda==2.9.0 libpysal==4.14.1 h3==4.5.0 pymannkendall==1.4.3 \
        statsmodels==0.15.0 numpy==2.4.6 scipy==1.17.1
    python3 scripts/reference/hotspot_fixtures.py

Writes JSON files under tests/data/reference/hotspots/ (read by
tests/integration/hotspots.rs). Everything is seeded; re-running gives identical files.

Weights: for each cell set, binary k-ring neighbours are written explicitly (h3.grid_disk(c, k)
restricted to the set, self excluded). esda G_Local(y, w, star=True, transform='B') then adds
the self weight 1 itself (libpysal fill_diagonal), exactly as divnet does.
"""

import json
import os
import warnings

import esda
import h3
import libpysal
import numpy as np
import pymannkendall as mk
import scipy
import statsmodels
from esda.getisord import G_Local
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "reference", "hotspots"
)
VERSIONS = {
    "esda": esda.__version__,
    "libpysal": libpysal.__version__,
    "h3": h3.__version__,
    "pymannkendall": mk.__version__,
    "statsmodels": statsmodels.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
}


def k_ring_neighbours(cells, k):
    index = {c: i for i, c in enumerate(cells)}
    out = []
    for i, c in enumerate(cells):
        nb = sorted(index[d] for d in h3.grid_disk(c, k) if d in index and index[d] != i)
        out.append(nb)
    return out


def gi_case(name, cells, values, neighbours, k=None, resolution=None):
    n = len(values)
    wdict = {i: list(nb) for i, nb in enumerate(neighbours)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(wdict, id_order=list(range(n)), silence_warnings=True)
        g = G_Local(np.asarray(values, dtype=float), w, transform="B", star=True, permutations=0)
    card = np.array([len(nb) + 1 for nb in neighbours])
    defined = (card > 1) & (card < n)
    p_two = 2.0 * np.asarray(g.p_norm)
    p_fdr = [None] * n
    if defined.any():
        adj = multipletests(p_two[defined], method="fdr_bh")[1]
        for i, q in zip(np.flatnonzero(defined), adj):
            p_fdr[i] = float(q)
    return {
        "name": name,
        "resolution": resolution,
        "k": k,
        "cells": cells,
        "values": [float(v) for v in values],
        "neighbours": neighbours,
        "defined": [bool(d) for d in defined],
        "gs": [float(v) for v in g.Gs],
        "zs": [float(v) for v in g.Zs],
        "p_norm": [float(v) for v in g.p_norm],
        "p_two_sided": [float(v) for v in p_two],
        "p_fdr_bh": p_fdr,
    }


def ring_domain(seeds, k):
    cells = set()
    for s in seeds:
        cells.update(h3.grid_disk(s, k))
    return sorted(cells, key=lambda c: int(c, 16))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)
    cases = []

    # 1: resolution 7, ring domain (k=1) around clustered occupied cells, Poisson values (zeros, ties)
    centre = h3.latlng_to_cell(9.05, 7.49, 7)
    occ = sorted(set(rng.choice(sorted(h3.grid_disk(centre, 6)), size=40, replace=False)))
    cells = ring_domain(occ, 1)
    vals = [int(rng.poisson(3)) if c in occ else 0 for c in cells]
    cases.append(gi_case("res7_ring_k1_poisson", cells, vals, k_ring_neighbours(cells, 1), 1, 7))

    # 2: resolution 5, occupied-only sparse cells, k=2: islands present
    centre = h3.latlng_to_cell(14.0, -1.5, 5)
    pool = sorted(h3.grid_disk(centre, 12))
    cells = sorted(rng.choice(pool, size=60, replace=False), key=lambda c: int(c, 16))
    cells = [str(c) for c in cells]
    vals = [float(np.round(rng.gamma(2.0, 2.0), 1)) for _ in cells]
    cases.append(gi_case("res5_occupied_k2_islands", cells, vals, k_ring_neighbours(cells, 2), 2, 5))

    # 3: resolution 9, larger ring domain (k=1), integer ties and a strong cluster
    centre = h3.latlng_to_cell(-4.32, 15.31, 9)
    base = sorted(h3.grid_disk(centre, 15))
    occ = set(rng.choice(base, size=300, replace=False))
    hot = set(h3.grid_disk(base[10], 2))
    cells = ring_domain(sorted(occ | hot), 1)
    vals = []
    for c in cells:
        v = int(rng.integers(0, 4)) if c in occ else 0
        if c in hot:
            v += 12
        vals.append(v)
    cases.append(gi_case("res9_ring_k1_cluster", cells, vals, k_ring_neighbours(cells, 1), 1, 9))

    # 4: resolution 6, ring k=2 domain, k=3 weights, continuous values
    centre = h3.latlng_to_cell(33.3, 44.4, 6)
    occ = sorted(set(rng.choice(sorted(h3.grid_disk(centre, 8)), size=25, replace=False)))
    cells = ring_domain(occ, 2)
    vals = [float(rng.exponential(5.0)) if c in occ else 0.0 for c in cells]
    cases.append(gi_case("res6_ring2_k3_exponential", cells, vals, k_ring_neighbours(cells, 3), 3, 6))

    # 5: space-time cube, resolution 7, k=1, 6 steps, time lag 1, observation index
    # cell * n_steps + step; (c, t) neighbours (c', t') for c' in {c} + ring(c), t-1 <= t' <= t
    centre = h3.latlng_to_cell(4.85, 31.6, 7)
    occ = sorted(set(rng.choice(sorted(h3.grid_disk(centre, 3)), size=12, replace=False)))
    cells = ring_domain(occ, 1)
    steps, lag = 6, 1
    spatial = k_ring_neighbours(cells, 1)
    vals, nbs = [], []
    for ci, c in enumerate(cells):
        for t in range(steps):
            vals.append(int(rng.poisson(1 + t)) if c in occ else 0)
            group = sorted(spatial[ci] + [ci])
            nbs.append(
                sorted(
                    cj * steps + tj
                    for cj in group
                    for tj in range(max(0, t - lag), t + 1)
                    if not (cj == ci and tj == t)
                )
            )
    st = gi_case("space_time_res7_k1_lag1", cells, vals, nbs, 1, 7)
    st["n_steps"] = steps
    st["time_lag"] = lag
    cases.append(st)

    # esda's own docstring example (DistanceBand threshold 15 on six points)
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    wd = libpysal.weights.DistanceBand(points, threshold=15, silence_warnings=True)
    nbs = [sorted(wd.neighbors[i]) for i in range(6)]
    doc = gi_case("esda_docstring_example", None, [2, 3, 3.2, 5, 8, 7], nbs)
    doc["docstring_zs"] = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
    cases.append(doc)

    with open(os.path.join(OUT, "gistar.json"), "w") as f:
        json.dump({"versions": VERSIONS, "cases": cases}, f)

    # Mann-Kendall (pymannkendall.original_test, alpha 0.05)
    series = {
        "normal_30": rng.normal(size=30).tolist(),
        "trend_up_25": (np.arange(25) * 0.2 + rng.normal(size=25)).tolist(),
        "trend_down_ties_20": np.round(10 - np.arange(20) * 0.3 + rng.normal(size=20)).tolist(),
        "ties_ints_40": rng.integers(0, 4, size=40).astype(float).tolist(),
        "short_3": [1.0, 3.0, 2.0],
        "two_equal": [5.0, 5.0],
        "constant_6": [2.0] * 6,
        "gi_like_12": [0.1, 0.5, 1.2, 1.1, 2.5, 2.4, 2.4, 3.9, 3.0, 4.4, 5.1, 5.0],
    }
    mk_cases = []
    for name, x in series.items():
        r = mk.original_test(np.asarray(x), alpha=0.05)
        mk_cases.append(
            {
                "name": name,
                "x": [float(v) for v in x],
                "trend": r.trend,
                "h": bool(r.h),
                "p": float(r.p),
                "z": float(r.z),
                "tau": float(r.Tau),
                "s": float(r.s),
                "var_s": float(r.var_s),
                "slope": float(r.slope),
                "intercept": float(r.intercept),
            }
        )
    with open(os.path.join(OUT, "mann_kendall.json"), "w") as f:
        json.dump({"versions": VERSIONS, "cases": mk_cases}, f)

    # BH on plain p-values (with ties, zeros and ones)
    p = np.concatenate([rng.uniform(size=30), [0.0, 1.0, 0.02, 0.02, 0.5]])
    with open(os.path.join(OUT, "fdr.json"), "w") as f:
        json.dump(
            {"versions": VERSIONS, "p": p.tolist(), "q": multipletests(p, method="fdr_bh")[1].tolist()},
            f,
        )

    # H3 binning and bbox domain (centre containment) from h3-py
    res = 8
    lat = rng.uniform(11.9, 12.1, size=400)
    lon = rng.uniform(8.4, 8.6, size=400)
    wt = rng.integers(1, 5, size=400).astype(float)
    sums = {}
    counts = {}
    for a, b, c in zip(lat, lon, wt):
        cell = h3.latlng_to_cell(float(a), float(b), res)
        sums[cell] = sums.get(cell, 0.0) + c
        counts[cell] = counts.get(cell, 0) + 1
    order = sorted(sums, key=lambda c: int(c, 16))
    bbox = {"west": 8.0, "south": 11.0, "east": 8.5, "north": 11.4, "resolution": 6}
    poly = h3.LatLngPoly(
        [(11.0, 8.0), (11.0, 8.5), (11.4, 8.5), (11.4, 8.0)]
    )
    bcells = sorted(h3.polygon_to_cells(poly, bbox["resolution"]), key=lambda c: int(c, 16))
    with open(os.path.join(OUT, "binning.json"), "w") as f:
        json.dump(
            {
                "versions": VERSIONS,
                "resolution": res,
                "events": [[float(a), float(b), float(c)] for a, b, c in zip(lat, lon, wt)],
                "cells": order,
                "sums": [sums[c] for c in order],
                "counts": [counts[c] for c in order],
                "bbox": bbox,
                "bbox_cells": bcells,
            },
            f,
        )
    print("wrote", OUT)


if __name__ == "__main__":
    main()
