#!/usr/bin/env bash
# Cost of the GIS layers (the `gis` step) in a whole `divnet run`: on the demo and on
# 1,000,000 synthetic seizures. Prints the median wall time of the run and the median
# `timings_ms.gis` of run.json over RUNS runs.
#
# usage: scripts/bench/gis_layers.sh [WORK_DIR] [RUNS]
# Needs a release build (cargo test --release --no-run) and python3; CARGO_TARGET_DIR as
# for the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/divnet-gis-bench}"
runs="${2:-5}"
bin="${CARGO_TARGET_DIR:-target}/release/divnet"
mkdir -p "$work"

if [ ! -f "$work/data/seizures.csv" ]; then
  "$bin" synth --seizures 1000000 --out "$work/data"
fi
# The demo's analysis settings over the synthetic inputs.
cat > "$work/data/divnet.toml" <<'TOML'
[run]
title = "divnet scale test (1,000,000 synthetic seizures)"

[[inputs.seizures]]
path = "seizures.csv"

[[inputs.looting]]
path = "looting.csv"

[[inputs.routes]]
path = "routes.csv"

[network]
resolution = "country"
half_life_years = 3.0
border_prior_p = 0.05

[paths]
k = 5

[hotspots]
resolution = 5
k = 1
domain = "ring"
weight = "quantity"
time_step = "year"
TOML

measure() { # name, config args...
  local name="$1"; shift
  local log="$work/$name.tsv"
  : > "$log"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$work/time.txt" "$bin" run "$@" --out "$work/out-$name" >/dev/null 2>&1
    python3 - "$work/out-$name/run.json" "$(cat "$work/time.txt")" >> "$log" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
t = m["timings_ms"]
print(sys.argv[2], t["gis"], sum(t.values()), sep="\t")
PY
  done
  python3 - "$name" "$log" "$work/out-$name/manifest.json" <<'PY'
import json, statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[2])]
wall = statistics.median(r[0] for r in rows)
gis = statistics.median(r[1] for r in rows) / 1000
m = json.load(open(sys.argv[3]))
size = sum(o["bytes"] for o in m["outputs"] if o["file"].startswith("gis/"))
print(f"{sys.argv[1]}: {len(rows)} runs, median wall {wall:.2f} s, median gis step {gis:.3f} s "
      f"({100 * gis / wall:.1f}% of the run), gis/ {size / 1e6:.1f} MB; "
      f"runs (wall s, gis ms): {[(r[0], int(r[1])) for r in rows]}")
PY
}

measure demo
measure synth1m --config "$work/data/divnet.toml"
