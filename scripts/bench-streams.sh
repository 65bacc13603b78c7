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
source "$(dirname "$0")/bench-start.sh"
bench_build "${2:-}"
cat >"$TMP/jds.yaml" <<YAML
stream:
  maxSubscribers: $((N + 100))
  maxSubscribersPerWorkspace: $((N + 100))
YAML
bench_start
JDS_TOKEN=$("$JDS" token --workspace default --service admin --perm rw --valid 2h)
export JDS_TOKEN
if [ "$N" -gt 0 ]; then
	"$TMP/jdsload" streams --url "$URL" --count "$N" --clients 32 --duration 150s --progress 0 >"$TMP/streams.out" 2>"$TMP/streams.err" &
	PIDS+=($!)
	for _ in $(seq 300); do grep -q holding "$TMP/streams.err" 2>/dev/null && break; sleep 0.2; done
	cat "$TMP/streams.err"
fi
"$TMP/jdsload" ingest --url "$URL" --events 300000 --duration 60s --progress 0 | grep RESULT
grep -E 'VmRSS|VmHWM' "/proc/${PIDS[0]}/status"
curl -s "$URL/metrics" | grep -E '^jds_stream_(subscribers|dropped_total|refused_total)'
