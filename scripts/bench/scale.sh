#!/usr/bin/env bash
# Whole-run scale: `divnet synth --seizures N`, then, on the same files and 2 threads,
#   validate  `divnet validate` (read, resolve and check every row),
#   run       `divnet run --no-cache` (tables as Parquet and CSV),
#   parquet   `divnet run --no-cache` with `[output] formats = ["parquet"]`,
# each timed RUNS times (median printed) under /usr/bin/time -v for the peak memory, with
# the slowest steps of the last run (run.json; large table and GIS steps run one at a
# time, the others share the cores with their level) and the hop counts of the top paths.
#
#   scripts/bench/scale.sh 1000000
#
# Environment: RUNS (default 3), THREADS (default 2), DIVNET (the binary; default
# target/release/divnet under CARGO_TARGET_DIR or ./target), WORK (scratch directory;
# default a new temporary one).
set -euo pipefail

rows=${1:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
divnet=${DIVNET:-$target/release/divnet}
threads=${THREADS:-2}
runs=${RUNS:-3}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
export DIVNET_NOW=2026-12-01T00:00:00Z

data=$work/data
if [ ! -f "$data/seizures.csv" ] || [ "$(cat "$data/rows" 2>/dev/null)" != "$rows" ]; then
  rm -rf "$data" && mkdir -p "$data"
  "$divnet" synth --seizures "$rows" --seed 1 --out "$data" >/dev/null
  echo "$rows" >"$data/rows"
fi
write_config() {
  cat >"$data/$1.toml" <<CFG
[run]
title = "scale benchmark"

[[inputs.seizures]]
path = "seizures.csv"

[[inputs.looting]]
path = "looting.csv"

[[inputs.routes]]
path = "routes.csv"
$2
CFG
}
write_config run ""
write_config parquet $'\n[output]\nformats = ["parquet"]'

# time_it NAME ARGS...: RUNS timed runs; prints "NAME median_s peak_MB".
time_it() {
  local name=$1
  shift
  local times=() peaks=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$work/$name.time" "$@" >/dev/null 2>&1 || true
    times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$work/$name.time")")
    peaks+=("$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$work/$name.time")")
  done
  local med peak
  med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  peak=$(printf '%s\n' "${peaks[@]}" | sort -g | tail -1)
  echo "$name ${med} s, peak ${peak} MB"
}

time_it validate "$divnet" --threads "$threads" validate --config "$data/run.toml"
time_it run "$divnet" --threads "$threads" run --no-cache --config "$data/run.toml" --out "$work/out-run"
time_it parquet "$divnet" --threads "$threads" run --no-cache --config "$data/parquet.toml" --out "$work/out-parquet"
echo "output sizes: $(du -sh "$work/out-run" | cut -f1) (Parquet and CSV), $(du -sh "$work/out-parquet" | cut -f1) (Parquet only)"
python3 - "$work/out-run" <<'PY'
import csv, json, statistics, sys
out = sys.argv[1]
t = json.load(open(f"{out}/run.json"))["timings_ms"]
top = sorted(t.items(), key=lambda kv: -kv[1])[:12]
total = sum(t.values())
print("slowest steps (ms, share of all step times):", ", ".join(f"{k} {v} ({100 * v / total:.0f}%)" for k, v in top))
hops = [int(r["hops"]) for r in csv.DictReader(open(f"{out}/pair_paths.csv")) if r["rank"] == "1"]
print(f"top paths of {len(hops)} pairs: hops median {statistics.median(hops)}, max {max(hops)}")
PY
