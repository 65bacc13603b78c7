#!/usr/bin/env bash
# bench-backup.sh: what backups cost (docs/BENCHMARKS.md, "Backups"). Against a fresh
# jds on a free loopback port with the five templates of scripts/bench-rules, it stores
# EVENTS events (default 1,000,000) with jdsload, then times, with the jds command line:
# a full backup, batch ingest alone and while a full backup runs, an incremental on that
# backup once the ingest is over and another after 10,000 more events, verify, a restore
# of the full backup and its incrementals, and jds's start on the restored directory.
#
#   scripts/bench-backup.sh [JDS_BINARY]        EVENTS=200000 for a quick try
set -euo pipefail
source "$(dirname "$0")/bench-start.sh"
bench_build "${1:-}"
EVENTS=${EVENTS:-1000000}
: >"$TMP/jds.yaml"
mkdir -p "$TMP/rules" && cp "$ROOT"/scripts/bench-rules/*.yaml "$TMP/rules/"
bench_start
WS=bench
export JDS_TOKEN
JDS_TOKEN=$("$JDS" token --workspace "$WS" --service admin --perm rw --valid 2h)
export JDS_ADMIN_TOKEN
JDS_ADMIN_TOKEN=$("$JDS" token --workspace '*' --service admin --perm r --valid 2h)

ingest() { # EVENTS: batch ingest, 16 clients of 100 events; prints events/s
	"$TMP/jdsload" ingest --url "$URL" --workspace "$WS" --clients 16 --batch 100 --persons 10000 \
		--events "$1" --duration 1200s --progress 0 | grep RESULT | sed 's/.*"events_per_sec":\([0-9.]*\).*/\1/'
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
size() { du -sk "$1" | awk '{ printf "%.0f MiB", $1 / 1024 }'; } # allocated: Badger's files are sparse

echo "storing $EVENTS events"
RATE=$(ingest "$EVENTS")
echo "stored at $RATE events/s; data directory $(size "$TMP/data")"

t=$(now); "$JDS" backup --url "$URL" --out "$TMP/full.jdsbak" >"$TMP/full.out"; FULL_S=$(since "$t")
cat "$TMP/full.out"

ALONE=$(ingest 200000)
"$TMP/jdsload" ingest --url "$URL" --workspace "$WS" --clients 16 --batch 100 --persons 10000 \
	--events 200000 --duration 1200s --progress 0 >"$TMP/beside.out" 2>&1 &
LOAD=$!
PIDS+=("$LOAD")
sleep 1
t=$(now); "$JDS" backup --url "$URL" --out "$TMP/full2.jdsbak" >/dev/null; FULL2_S=$(since "$t")
wait "$LOAD"
BESIDE=$(grep RESULT "$TMP/beside.out" | sed 's/.*"events_per_sec":\([0-9.]*\).*/\1/')

# The first incremental catches up with the ingest that went on after that backup; the
# second holds 10,000 events.
t=$(now); "$JDS" backup --url "$URL" --out "$TMP/inc1.jdsbak" --since "$TMP/full2.jdsbak" >"$TMP/inc1.out"; INC1_S=$(since "$t")
cat "$TMP/inc1.out"
ingest 10000 >/dev/null
t=$(now); "$JDS" backup --url "$URL" --out "$TMP/inc2.jdsbak" --since "$TMP/inc1.jdsbak" >"$TMP/inc2.out"; INC2_S=$(since "$t")
cat "$TMP/inc2.out"
t=$(now); "$JDS" backup verify "$TMP/full2.jdsbak" >/dev/null; VERIFY_S=$(since "$t")
t=$(now); "$JDS" restore --data-dir "$TMP/restored" "$TMP/full2.jdsbak" "$TMP/inc1.jdsbak" "$TMP/inc2.jdsbak"; RESTORE_S=$(since "$t")

kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
export JDS_DATA_DIR=$TMP/restored
t=$(now); bench_start; START_S=$(since "$t")

cat <<TABLE

| step | time | size |
|---|---:|---:|
| store $EVENTS events (batch ingest, 16 clients × 100) | $RATE events/s | data directory $(size "$TMP/data") |
| full backup, idle | $FULL_S s | $(size "$TMP/full.jdsbak") |
| full backup beside batch ingest | $FULL2_S s | $(size "$TMP/full2.jdsbak") |
| batch ingest of 200,000 events alone / beside that backup | $ALONE / $BESIDE events/s | |
| incremental on it, once that ingest is over | $INC1_S s | $(size "$TMP/inc1.jdsbak") |
| incremental after 10,000 more events | $INC2_S s | $(size "$TMP/inc2.jdsbak") |
| verify of the full backup beside ingest | $VERIFY_S s | |
| restore of that full backup and both incrementals | $RESTORE_S s | restored directory $(size "$TMP/restored") |
| jds start on the restored directory, to /readyz | $START_S s | |

- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr); $(go version); jds $(git -C "$ROOT" rev-parse --short HEAD)
TABLE
