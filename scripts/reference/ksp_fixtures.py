#!/usr/bin/env python3
"""Reference fixtures for divnet::algo::ksp (k shortest simple paths).

For a set of small seeded graphs of several shapes, writes the first K + 1 simple paths
(K = 5 plus one look-ahead path, so that a test can tell whether the K-th path is tied with
the next one) between seeded node pairs, as given by NetworkX
`shortest_simple_paths(G, s, t, weight="cost")`, together with their costs.

Rebuild (from the repository root):

    pip install networkx==3.6.1
    python3 scripts/reference/ksp_fixtures.py

Output, under tests/data/reference/ksp/:

* graphs.csv  graph,name,nodes
* edges.csv   graph,source,target,cost  (the edge list as given to divnet; it may hold
  parallel edges and self-loops, NetworkX gets the cheapest edge of each ordered pair)
* pairs.csv   graph,pair,source,target,paths  (paths = number of NetworkX paths stored)
* paths.csv   graph,pair,rank,cost,nodes  (nodes space-separated; cost is the
  left-to-right sum of the edge costs from the source, as printed by repr())
* meta.json   versions and parameters

Costs are -ln p with p drawn in [0.05, 0.99) and rounded to 1e-6, except the grid, which
uses only -ln 0.5 and -ln 0.25 to create many equal-cost (tied) paths.
"""

import json
import math
import os
import random
from itertools import islice

import networkx as nx

K = 5
LOOKAHEAD = 1
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data",
                   "reference", "ksp")


def draw_cost(rng):
    p = round(rng.uniform(0.05, 0.99), 6)
    return -math.log(p)


def random_directed(rng, n=40, m=170):
    edges = []
    while len(edges) < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            edges.append((u, v, draw_cost(rng)))
    return n, edges


def grid_ties(rng, w=6, h=6):
    a, b = -math.log(0.5), -math.log(0.25)
    edges = []
    for y in range(h):
        for x in range(w):
            u = y * w + x
            for dx, dy in ((1, 0), (0, 1)):
                if x + dx < w and y + dy < h:
                    v = (y + dy) * w + (x + dx)
                    c = a if rng.random() < 0.8 else b
                    edges.append((u, v, c))
                    edges.append((v, u, c))
    return w * h, edges


def dag(rng, n=30, m=110):
    edges = set()
    while len(edges) < m:
        u, v = sorted(rng.sample(range(n), 2))
        edges.add((u, v))
    return n, [(u, v, draw_cost(rng)) for u, v in sorted(edges)]


def unreachable(rng):
    # Two strongly connected blocks 0..14 and 15..29 with one-way links from the first
    # to the second, plus isolated nodes 30..33.
    edges = []
    for lo in (0, 15):
        for _ in range(45):
            u, v = rng.randrange(lo, lo + 15), rng.randrange(lo, lo + 15)
            if u != v:
                edges.append((u, v, draw_cost(rng)))
        for i in range(lo, lo + 15):
            edges.append((i, lo + (i - lo + 1) % 15, draw_cost(rng)))
    for _ in range(3):
        edges.append((rng.randrange(0, 15), rng.randrange(15, 30), draw_cost(rng)))
    return 34, edges


def scale_free(rng, n=60, m=2):
    g = nx.barabasi_albert_graph(n, m, seed=rng.randrange(2**31))
    edges = []
    for u, v in sorted(g.edges()):
        edges.append((u, v, draw_cost(rng)))
        edges.append((v, u, draw_cost(rng)))
    return n, edges


def two_way_multi(rng, n=25):
    # Two-way edges with different costs per direction, parallel duplicates and self-loops.
    edges = []
    for u in range(n):
        for v in rng.sample(range(n), 3):
            if u != v:
                edges.append((u, v, draw_cost(rng)))
                edges.append((v, u, draw_cost(rng)))
    for u, v, _ in list(edges[::4]):
        edges.append((u, v, draw_cost(rng)))
    for u in range(0, n, 5):
        edges.append((u, u, draw_cost(rng)))
    return n, edges


def to_digraph(n, edges):
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, c in edges:
        if g.has_edge(u, v):
            g[u][v]["cost"] = min(g[u][v]["cost"], c)
        else:
            g.add_edge(u, v, cost=c)
    return g


def path_cost(g, nodes):
    total = 0.0
    for u, v in zip(nodes, nodes[1:]):
        total += g[u][v]["cost"]
    return total


def main():
    rng = random.Random(20261122)
    shapes = [
        ("random_directed", random_directed),
        ("grid_ties", grid_ties),
        ("dag", dag),
        ("unreachable", unreachable),
        ("scale_free", scale_free),
        ("two_way_multi", two_way_multi),
    ]
    os.makedirs(OUT, exist_ok=True)
    graphs, edge_rows, pair_rows, path_rows = [], [], [], []
    for gi, (name, make) in enumerate(shapes):
        n, edges = make(rng)
        graphs.append(f"{gi},{name},{n}")
        edge_rows += [f"{gi},{u},{v},{c!r}" for u, v, c in edges]
        g = to_digraph(n, edges)
        pairs = []
        while len(pairs) < 14:
            s, t = rng.randrange(n), rng.randrange(n)
            if s != t and (s, t) not in pairs:
                pairs.append((s, t))
        if name == "grid_ties":
            pairs[:3] = [(0, n - 1), (n - 1, 0), (2, 3 * 6 + 4)]
        if name == "random_directed":
            pairs.append((7, 7))
        for pi, (s, t) in enumerate(pairs):
            try:
                found = list(islice(nx.shortest_simple_paths(g, s, t, weight="cost"),
                                    K + LOOKAHEAD))
            except nx.NetworkXNoPath:
                found = []
            pair_rows.append(f"{gi},{pi},{s},{t},{len(found)}")
            for rank, p in enumerate(found):
                nodes = " ".join(str(x) for x in p)
                path_rows.append(f"{gi},{pi},{rank},{path_cost(g, p)!r},{nodes}")

    def write(fname, header, rows):
        with open(os.path.join(OUT, fname), "w") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(r + "\n")

    write("graphs.csv", "graph,name,nodes", graphs)
    write("edges.csv", "graph,source,target,cost", edge_rows)
    write("pairs.csv", "graph,pair,source,target,paths", pair_rows)
    write("paths.csv", "graph,pair,rank,cost,nodes", path_rows)
    meta = {
        "generator": "scripts/reference/ksp_fixtures.py",
        "networkx": nx.__version__,
        "call": "islice(networkx.shortest_simple_paths(G, s, t, weight='cost'), K + LOOKAHEAD)",
        "k": K,
        "lookahead": LOOKAHEAD,
        "seed": 20261122,
    }
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
