#!/usr/bin/env python3
"""Side-by-side timing: divnet centrality vs NetworKit, igraph and NetworkX.

Setup (from the repository root):

    pip install networkit==11.1 igraph==0.11.9 networkx==3.6.1 numpy==2.4.6 scipy==1.17.1
    python3 scripts/bench/centrality_peers.py [--runs 3] [--skip-10k] [--only-10k]
        [--skip-pagerank] [--out results.json]

DIVNET_CRATE_DIR may point at another checkout of the crate whose examples to run.

Every library runs on the identical graph: the script writes each graph once with
`cargo run --release --example dump_graph` (divnet::synth::graphs) and loads that CSV
into every peer. Only the computation is timed (graph loading is not); every figure is
the median of --runs runs, and the divnet side runs in the same script run (through
`cargo run --release --example bench_centrality`) so the ratios are same-run.

Workloads
  betweenness  exact, weighted (cost = -ln p), directed, normalised:
               transit_like(1_000, 5, 42)   divnet, NetworKit, igraph, NetworkX
               transit_like(10_000, 5, 42)  divnet, NetworKit, igraph (60,062 edges)
  pagerank     weighted by p, alpha 0.85, directed, solved tightly:
               scale_free(170_000, 3, 42)   divnet, igraph (PRPACK), NetworkX (scipy)
               transit_like(265_000, 3, 42) divnet, igraph (PRPACK), NetworkX (scipy)
               divnet and NetworkX stop when the L1 change < N * 1e-12 (NetworkX's rule
               with tol=1e-12). NetworkX's default tol=1e-6 stops these graphs after a
               single iteration (N * 1e-6 > 0.1), which would not be comparable with
               igraph's PRPACK solve.

NetworKit and divnet use 2 threads; igraph and NetworkX are single-threaded.
"""

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Crate whose examples are run (the repository root unless overridden).
CRATE = os.environ.get("DIVNET_CRATE_DIR", ROOT)
THREADS = 2


def import_networkit():
    # The networkit wheel ships libnetworkit.so next to the package; load it first so
    # the extension module finds it without LD_LIBRARY_PATH.
    lib = os.path.join(sysconfig.get_paths()["purelib"], "libnetworkit.so")
    if os.path.exists(lib):
        ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
    import networkit

    return networkit


def cargo_example(name, args, env=None):
    cmd = ["cargo", "run", "--quiet", "--release", "--example", name, "--"] + [str(a) for a in args]
    return subprocess.run(cmd, cwd=CRATE, check=True, capture_output=True, text=True, env=env).stdout


def dump(shape, n, k, seed, path):
    with open(path, "w") as f:
        f.write(cargo_example("dump_graph", [shape, n, k, seed]))


def read_edges(path):
    with open(path) as f:
        n = int(f.readline().split("=")[1])
        f.readline()
        edges = []
        for line in f:
            s, t, c, p = line.split(",")
            edges.append((int(s), int(t), float(c), float(p)))
    return n, edges


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


PR_TOL = 1e-12


def divnet(algo, path, runs, *extra):
    env = dict(os.environ, RAYON_NUM_THREADS=str(THREADS))
    out = json.loads(cargo_example("bench_centrality", [algo, path, runs, *extra], env=env).strip())
    return out["median_s"], out["times_s"]


def bench_betweenness(path, runs, with_networkx):
    nk = import_networkit()
    import igraph as ig

    n, edges = read_edges(path)
    res = {"nodes": n, "edges": len(edges)}
    res["divnet"] = divnet("betweenness", path, runs)

    nk.engineering.setNumberOfThreads(THREADS)
    g = nk.Graph(n, weighted=True, directed=True)
    for s, t, c, _ in edges:
        g.addEdge(s, t, c)
    res["networkit"] = median_time(lambda: nk.centrality.Betweenness(g, normalized=True).run(), runs)

    h = ig.Graph(n=n, edges=[(s, t) for s, t, _, _ in edges], directed=True)
    h.es["cost"] = [c for _, _, c, _ in edges]
    res["igraph"] = median_time(lambda: h.betweenness(directed=True, weights="cost"), runs)

    if with_networkx:
        import networkx as nx

        x = nx.DiGraph()
        x.add_nodes_from(range(n))
        x.add_weighted_edges_from(((s, t, c) for s, t, c, _ in edges), weight="cost")
        res["networkx"] = median_time(
            lambda: nx.betweenness_centrality(x, weight="cost", normalized=True), runs
        )
    return res


def bench_pagerank(path, runs):
    import igraph as ig
    import networkx as nx

    n, edges = read_edges(path)
    res = {"nodes": n, "edges": len(edges)}
    res["divnet"] = divnet("pagerank", path, runs, PR_TOL)
    h = ig.Graph(n=n, edges=[(s, t) for s, t, _, _ in edges], directed=True)
    h.es["p"] = [p for _, _, _, p in edges]
    res["igraph"] = median_time(lambda: h.pagerank(directed=True, damping=0.85, weights="p"), runs)
    x = nx.DiGraph()
    x.add_nodes_from(range(n))
    x.add_weighted_edges_from(((s, t, p) for s, t, _, p in edges), weight="p")
    res["networkx"] = median_time(
        lambda: nx.pagerank(x, alpha=0.85, weight="p", tol=PR_TOL, max_iter=10_000), runs
    )
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-10k", action="store_true", help="only the 1,000-node betweenness")
    ap.add_argument("--only-10k", action="store_true", help="betweenness: only the 10,000-node graph")
    ap.add_argument("--skip-pagerank", action="store_true")
    ap.add_argument("--out", default=None, help="also write the results as JSON here")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release", "--examples"], cwd=CRATE, check=True)

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("betweenness transit 1k k5", "transit", 1_000, 5, True)]
        if args.only_10k:
            cases = [("betweenness transit 10k k5", "transit", 10_000, 5, False)]
        elif not args.skip_10k:
            cases.append(("betweenness transit 10k k5", "transit", 10_000, 5, False))
        for label, shape, n, k, nx_too in cases:
            path = os.path.join(tmp, f"{shape}_{n}_{k}.csv")
            dump(shape, n, k, 42, path)
            results[label] = bench_betweenness(path, args.runs, nx_too)
            print(label, json.dumps(results[label]), file=sys.stderr)
        for label, shape, n, k in () if args.skip_pagerank else (
            ("pagerank scale_free 170k m3", "scale_free", 170_000, 3),
            ("pagerank transit 265k k3", "transit", 265_000, 3),
        ):
            path = os.path.join(tmp, f"{shape}_{n}_{k}.csv")
            dump(shape, n, k, 42, path)
            results[label] = bench_pagerank(path, args.runs)
            print(label, json.dumps(results[label]), file=sys.stderr)

    print(f"{'workload':32} {'nodes':>7} {'edges':>8} {'library':>10} {'median s':>10} {'vs divnet':>10}")
    for label, res in results.items():
        base = res["divnet"][0]
        for lib in ("divnet", "networkit", "igraph", "networkx"):
            if lib in res:
                med = res[lib][0]
                print(f"{label:32} {res['nodes']:>7} {res['edges']:>8} {lib:>10} {med:>10.4f} {med / base:>9.1f}x")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
