#!/usr/bin/env bash
# Rerun times of `divnet run` with the artifact cache, beside the full run, with hyperfine.
#
#   scripts/bench/rerun.sh demo            # the shipped demo dataset (2,016 seizures)
#   scripts/bench/rerun.sh synth 1000000   # `divnet synth --seizures 1000000 --seed 1`
#
# Three commands per dataset, on the same inputs and output directory:
#   full      `run --no-cache`: every step computed;
#   cached    `run` with a cache filled by an earlier run of the same inputs and day;
#   append1   `run` after a new seizures file with 1% more rows (synthetic, seed 2, ids
#             renamed so none collides) arrived, with the cache of the run before it
#             (restored before every timed run by hyperfine's --prepare).
# Environment: RUNS (timed runs per command; default 10 for the demo, 3 for synth),
# THREADS (default 2), DIVNET (the binary; default target/release/divnet under
# CARGO_TARGET_DIR or ./target), WORK (scratch directory; default a new temporary one).
# Needs hyperfine (Debian package `hyperfine`). Results go to $WORK/*.json and stdout.
set -euo pipefail

what=${1:-demo}
rows=${2:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
divnet=${DIVNET:-$target/release/divnet}
threads=${THREADS:-2}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
export DIVNET_NOW=2026-12-01T00:00:00Z

data=$work/data
rm -rf "$data" && mkdir -p "$data"
case $what in
demo)
  runs=${RUNS:-10}
  cp "$root"/datasets/demo/{seizures.csv,looting.csv,routes.csv} "$data/"
  n=$(($(wc -l <"$data/seizures.csv") - 1))
  ;;
synth)
  runs=${RUNS:-3}
  "$divnet" synth --seizures "$rows" --seed 1 --out "$data" >/dev/null
  n=$rows
  ;;
*)
  echo "usage: $0 demo | synth [ROWS]" >&2
  exit 2
  ;;
esac
cat >"$data/divnet.toml" <<EOF
[run]
title = "rerun benchmark ($what)"

[[inputs.seizures]]
path = "seizures*.csv"

[[inputs.looting]]
path = "looting.csv"

[[inputs.routes]]
path = "routes.csv"

[cache]
dir = "$work/cache"
max_size_mb = 100000
EOF
if [ "$what" = demo ]; then # the demo's analysis settings
  sed -n '/^\[network\]/,$p' "$root/datasets/demo/divnet.toml" >>"$data/divnet.toml"
fi
extra=$((n / 100))
"$divnet" synth --seizures "$extra" --seed 2 --out "$work/extra" --force >/dev/null
sed '1!s/^SZ-/SX-/' "$work/extra/seizures.csv" >"$work/seizures_new.csv"

cat >"$work/run" <<EOF
#!/bin/sh
exec "$divnet" --threads "$threads" run --config "$data/divnet.toml" --out "$work/out" "\$@"
EOF
chmod +x "$work/run"
run() { "$work/run" "$@"; }

rm -rf "$work/cache" "$work/cache-base" "$work/out"
run >/dev/null                              # fills the cache for the base inputs
cp -a "$work/cache" "$work/cache-base"

hyperfine --runs "$runs" --warmup 0 --export-json "$work/full-cached.json" \
  -n full "'$work/run' --no-cache" \
  -n cached "'$work/run'"

cp "$work/seizures_new.csv" "$data/seizures_new.csv"
hyperfine --runs "$runs" --warmup 0 --export-json "$work/append1.json" \
  --prepare "rm -rf '$work/cache' && cp -a '$work/cache-base' '$work/cache'" \
  -n append1 "'$work/run'"
rm "$data/seizures_new.csv"

python3 - "$work" <<'PY'
import json, statistics, sys
w = sys.argv[1]
res = {}
for f in ("full-cached.json", "append1.json"):
    for r in json.load(open(f"{w}/{f}"))["results"]:
        res[r["command"]] = statistics.median(r["times"])
full = res["full"]
for name in ("full", "cached", "append1"):
    print(f"{name:8} median {res[name]:8.3f} s   {res[name] / full:6.3f} x full")
PY
echo "steps of the last append run:"
python3 -c "
import json,sys
r=json.load(open('$work/out/run.json'))
ran=[s['step']+' '+str(s['ms'])+' ms' for s in r['steps'] if not s['cached']]
print('  ran:', ', '.join(ran))
print('  from cache:', sum(s['cached'] for s in r['steps']), 'of', len(r['steps']))
"
