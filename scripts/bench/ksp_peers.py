#!/usr/bin/env python3
"""Side-by-side timing of k shortest simple paths: divnet vs igraph vs NetworkX.

For each configuration the script runs `benches/peers/bench_ksp.rs` (release build) to generate
the seeded graph, dump its edges and pairs, and time the divnet batch (median of several
runs, single thread unless --threads is given). It then loads the same edges into
python-igraph and NetworkX and times, for the same pairs,

* igraph:   Graph.get_k_shortest_paths(s, t, k=K, weights=..., mode="out")
* NetworkX: list(islice(shortest_simple_paths(G, s, t, weight="cost"), K))

Only the path computation is timed (graph loading is not); each figure is the median of
--runs runs over all pairs. The path costs of both peers are checked against divnet's.

Setup and usage (from the repository root):

    pip install networkx==3.6.1 python-igraph==1.0.0
    python3 scripts/bench/ksp_peers.py [--runs 3] [--manifest-path Cargo.toml] [--large]
        [--config SHAPE:NODES:PAIRS ...]

--large adds the ~166,000-node transit graph (igraph and NetworkX take minutes there).
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice

import igraph as ig
import networkx as nx

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

CONFIGS = [
    # (shape, nodes, pairs)
    ("transit", 1_000, 10),
    ("transit", 10_000, 10),
    ("scale-free", 190_000, 3),
]
LARGE = [("transit", 166_000, 3)]


def run_divnet(args, shape, nodes, pairs, tmp):
    files = {name: os.path.join(tmp, f"{name}.csv") for name in ("edges", "pairs", "costs")}
    cmd = [
        "cargo", "run", "--quiet", "--release", "--manifest-path", args.manifest_path,
        "--example", "bench_ksp", "--",
        "--shape", shape, "--nodes", str(nodes), "--seed", str(args.seed),
        "--pairs", str(pairs), "--k", str(args.k), "--threads", str(args.threads),
        "--runs", str(args.runs),
        "--dump-edges", files["edges"], "--dump-pairs", files["pairs"],
        "--dump-costs", files["costs"],
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]), files


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def median_time(fn, runs):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def path_costs(paths, cost_of):
    return [sum(cost_of[(u, v)] for u, v in zip(p, p[1:])) for p in paths if p]


def costs_agree(a, b):
    return len(a) == len(b) and all(
        abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1e-300) for x, y in zip(a, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest-path", default=os.path.join(ROOT, "Cargo.toml"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--config", action="append", default=[], metavar="SHAPE:NODES:PAIRS",
                    help="run only these configurations, e.g. transit:166000:3")
    args = ap.parse_args()
    configs = CONFIGS + (LARGE if args.large else [])
    if args.config:
        configs = [(c.split(":")[0], int(c.split(":")[1]), int(c.split(":")[2]))
                   for c in args.config]
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape, nodes, npairs in configs:
            div, files = run_divnet(args, shape, nodes, npairs, tmp)
            edges = read_csv(files["edges"])
            pairs = [(int(r["source"]), int(r["target"])) for r in read_csv(files["pairs"])]
            div_costs = {}
            for r in read_csv(files["costs"]):
                div_costs.setdefault(int(r["pair"]), []).append(float(r["cost"]))
            e_list = [(int(r["source"]), int(r["target"])) for r in edges]
            w_list = [float(r["cost"]) for r in edges]
            cost_of = dict(zip(e_list, w_list))

            g = ig.Graph(n=div["nodes"], edges=e_list, directed=True)
            g.es["cost"] = w_list

            def igraph_all():
                return [g.get_k_shortest_paths(s, t, k=args.k, weights="cost", mode="out")
                        for s, t in pairs]

            ig_s, ig_paths = median_time(igraph_all, args.runs)

            G = nx.DiGraph()
            G.add_nodes_from(range(div["nodes"]))
            G.add_weighted_edges_from(
                ((u, v, w) for (u, v), w in zip(e_list, w_list)), weight="cost")

            def nx_all():
                out = []
                for s, t in pairs:
                    try:
                        out.append(list(islice(
                            nx.shortest_simple_paths(G, s, t, weight="cost"), args.k)))
                    except nx.NetworkXNoPath:
                        out.append([])
                return out

            nx_s, nx_paths = median_time(nx_all, args.runs)

            mism = {"igraph": 0, "networkx": 0}
            for i in range(len(pairs)):
                mine = div_costs.get(i, [])
                if not costs_agree(mine, path_costs(ig_paths[i], cost_of)):
                    mism["igraph"] += 1
                if not costs_agree(mine, path_costs(nx_paths[i], cost_of)):
                    mism["networkx"] += 1
            best = min(ig_s, nx_s)
            row = {
                "shape": shape, "nodes": div["nodes"], "edges": div["edges"],
                "pairs": len(pairs), "k": args.k, "runs": args.runs,
                "divnet_s": div["median_s"], "divnet_threads": div["threads"],
                "igraph_s": ig_s, "networkx_s": nx_s,
                "speedup_vs_igraph": ig_s / div["median_s"],
                "speedup_vs_networkx": nx_s / div["median_s"],
                "speedup_vs_faster_peer": best / div["median_s"],
                "cost_mismatch_pairs": mism,
            }
            summary.append(row)
            print(f"{shape:>10} n={div['nodes']:>7} m={div['edges']:>8} pairs={len(pairs):>3}  "
                  f"divnet {div['median_s']:.4f}s  igraph {ig_s:.3f}s  networkx {nx_s:.3f}s  "
                  f"x{row['speedup_vs_faster_peer']:.1f} vs faster peer  "
                  f"mismatches {mism}", flush=True)
    print(json.dumps(summary, indent=2))
    ok = all(r["speedup_vs_faster_peer"] >= 5.0 for r in summary)
    bad = any(sum(r["cost_mismatch_pairs"].values()) for r in summary)
    if bad:
        print("cost mismatch between divnet and a peer", file=sys.stderr)
    return 1 if bad else (0 if ok else 2)


if __name__ == "__main__":
    sys.exit(main())
