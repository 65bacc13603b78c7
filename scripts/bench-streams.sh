#!/usr/bin/env bash
# bench-streams.sh: batch ingest with N idle live streams open in the workspace being
# ingested into, against a fresh jds on a free loopback port (docs/BENCHMARKS.md,
# "Idle live streams beside ingest").
#
#   scripts/bench-streams.sh [STREAMS] [JDS_BINARY]     # STREAMS default 2000; 0: none
#
# The streams (jdsload streams) follow identities no event names, and are held for the
# whole run; the ingest is jdsload's default batch run, 300,000 events. It prints both
# RESULT lines, jds's memory, and its stream metrics (none should be dropped).
set -euo pipefail
N=${1:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
PID="" SP=""
trap 'kill $PID $SP 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
JDS=${2:-}
if [ -z "$JDS" ]; then
	(cd "$ROOT" && go build -o "$TMP/jds" ./cmd/jds)
	JDS=$TMP/jds
fi
(cd "$ROOT" && go build -o "$TMP/jdsload" ./cmd/jdsload)
unset JDS_CONFIG JDS_ADDR JDS_DATA_DIR JDS_RULES_DIR JDS_FLOWS_DIR JDS_LOG_LEVEL JDS_LOG_FORMAT JDS_TOKEN
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/jds.yaml" <<YAML
stream:
  maxSubscribers: $((N + 100))
  maxSubscribersPerWorkspace: $((N + 100))
YAML
export JDS_CONFIG=$TMP/jds.yaml JDS_DATA_DIR=$TMP/data
JDS_ADDR=127.0.0.1:$PORT JDS_RULES_DIR=$TMP/rules JDS_FLOWS_DIR=$TMP/flows JDS_LOG_LEVEL=warn "$JDS" serve >"$TMP/jds.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
JDS_TOKEN=$("$JDS" token --workspace default --service admin --perm rw --valid 2h)
export JDS_TOKEN
URL=http://127.0.0.1:$PORT
if [ "$N" -gt 0 ]; then
	"$TMP/jdsload" streams --url "$URL" --count "$N" --clients 32 --duration 150s --progress 0 >"$TMP/streams.out" 2>"$TMP/streams.err" &
	SP=$!
	for _ in $(seq 300); do grep -q holding "$TMP/streams.err" 2>/dev/null && break; sleep 0.2; done
	cat "$TMP/streams.err"
fi
"$TMP/jdsload" ingest --url "$URL" --events 300000 --duration 60s --progress 0 | grep RESULT
grep -E 'VmRSS|VmHWM' "/proc/$PID/status"
curl -s "$URL/metrics" | grep -E '^jds_stream_(subscribers|dropped_total|refused_total)'
