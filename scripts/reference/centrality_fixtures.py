#!/usr/bin/env python3
"""Reference values for divnet's centrality module (betweenness, subset betweenness, PageRank).

Rebuild (from the repository root):

    pip install networkx==3.6.1 numpy==2.4.6 scipy==1.17.1
    python3 scripts/reference/centrality_fixtures.py

Writes, for every case below, into tests/data/reference/centrality/:

    <case>_edges.csv   source,target,cost        one row per directed edge; row i is edge index i
    <case>_nodes.csv   node,betweenness_raw,betweenness_norm,subset_raw,subset_norm,pagerank
    <case>_edge_bc.csv source,target,edge_betweenness_raw,edge_betweenness_norm
    <case>_subset.csv  role,node                 the source / target sets of the subset columns

Nodes are 0..n-1 (every case lists all of them in _nodes.csv, isolated ones included).
NetworkX calls (DiGraph, edge attribute "cost"):

    betweenness_centrality(G, weight="cost", normalized=False / True)
    edge_betweenness_centrality(G, weight="cost", normalized=False / True)
    betweenness_centrality_subset(G, sources, targets, normalized=False / True, weight="cost")
    pagerank(G, alpha=0.85, weight="cost", tol=1e-13, max_iter=1000)

PageRank uses the cost column as the edge weight (any positive weight exercises the
out-weight normalisation). Floats are written with repr() so they round-trip exactly.
"""

import csv
import math
import os
import random

import networkx as nx

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "centrality")


def random_ties(seed):
    """Random digraph with small integer costs: many equal-length shortest paths."""
    rng = random.Random(seed)
    n = 40
    edges = []
    for u in range(n):
        for v in range(n):
            if u != v and rng.random() < 0.09:
                edges.append((u, v, float(rng.randint(1, 3))))
    return n, edges


def disconnected(seed):
    """Two random parts with no link between them, an isolated node, and sinks."""
    rng = random.Random(seed)
    edges = []
    for lo, hi in ((0, 20), (20, 35)):
        for u in range(lo, hi):
            for v in range(lo, hi):
                if u != v and rng.random() < 0.15:
                    p = round(rng.uniform(0.05, 0.99), 6)
                    edges.append((u, v, -math.log(p)))
    n = 37  # node 35 only receives edges (a sink), node 36 is isolated
    edges.append((3, 35, 0.5))
    edges.append((25, 35, 0.25))
    edges = [(u, v, c) for (u, v, c) in edges if u != 7]  # node 7: no out-edges
    return n, edges


def scale_free(seed):
    """Small Barabasi-Albert graph, both directions, float costs -ln p."""
    rng = random.Random(seed)
    g = nx.barabasi_albert_graph(60, 2, seed=seed)
    edges = []
    for u, v in sorted(g.edges()):
        for a, b in ((u, v), (v, u)):
            p = round(rng.uniform(0.05, 0.99), 6)
            edges.append((a, b, -math.log(p)))
    return 60, edges


def grid_ties(seed):
    """Directed 6x6 grid with unit costs one way and cost 2 the other: dense ties."""
    del seed
    k = 6
    edges = []
    for r in range(k):
        for c in range(k):
            v = r * k + c
            if c + 1 < k:
                edges.append((v, v + 1, 1.0))
                edges.append((v + 1, v, 2.0))
            if r + 1 < k:
                edges.append((v, v + k, 1.0))
                edges.append((v + k, v, 2.0))
    return k * k, edges


CASES = {
    "random_ties": (random_ties, 11),
    "disconnected": (disconnected, 12),
    "scale_free": (scale_free, 13),
    "grid_ties": (grid_ties, 14),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (build, seed) in CASES.items():
        n, edges = build(seed)
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        for u, v, c in edges:
            g.add_edge(u, v, cost=c)
        assert g.number_of_edges() == len(edges), "duplicate edges"
        rng = random.Random(seed + 1000)
        sources = sorted(rng.sample(range(n), 6))
        targets = sorted(rng.sample(range(n), 8))

        bc_raw = nx.betweenness_centrality(g, weight="cost", normalized=False)
        bc_norm = nx.betweenness_centrality(g, weight="cost", normalized=True)
        sub_raw = nx.betweenness_centrality_subset(g, sources, targets, normalized=False, weight="cost")
        sub_norm = nx.betweenness_centrality_subset(g, sources, targets, normalized=True, weight="cost")
        pr = nx.pagerank(g, alpha=0.85, weight="cost", tol=1e-13, max_iter=1000)
        eb_raw = nx.edge_betweenness_centrality(g, weight="cost", normalized=False)
        eb_norm = nx.edge_betweenness_centrality(g, weight="cost", normalized=True)

        with open(os.path.join(OUT, f"{name}_edges.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["source", "target", "cost"])
            for u, v, c in edges:
                w.writerow([u, v, repr(c)])
        with open(os.path.join(OUT, f"{name}_nodes.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["node", "betweenness_raw", "betweenness_norm", "subset_raw", "subset_norm", "pagerank"])
            for v in range(n):
                w.writerow([v, repr(bc_raw[v]), repr(bc_norm[v]), repr(float(sub_raw[v])),
                            repr(float(sub_norm[v])), repr(pr[v])])
        with open(os.path.join(OUT, f"{name}_edge_bc.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["source", "target", "edge_betweenness_raw", "edge_betweenness_norm"])
            for u, v, _ in edges:
                w.writerow([u, v, repr(eb_raw[(u, v)]), repr(eb_norm[(u, v)])])
        with open(os.path.join(OUT, f"{name}_subset.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["role", "node"])
            for s in sources:
                w.writerow(["source", s])
            for t in targets:
                w.writerow(["target", t])
        print(f"{name}: n={n} m={len(edges)}")


if __name__ == "__main__":
    main()
