#!/usr/bin/env bash
# bench-quota.sh: a quiet workspace's ingest alone, then beside a noisy one flooding past
# its quota (limits.workspaces.noisy: 2,000 events/s, burst 2,000), against a fresh jds
# on a free loopback port (docs/BENCHMARKS.md, "Ingest quotas: a flood beside a quiet
# workspace").
#
#   scripts/bench-quota.sh [JDS_BINARY]
set -euo pipefail
source "$(dirname "$0")/bench-start.sh"
bench_build "${1:-}"
cat >"$TMP/jds.yaml" <<YAML
limits:
  workspaces:
    noisy: {eventsPerSecond: 2000, burst: 2000}
YAML
bench_start
QUIET=$("$JDS" token --workspace default --service admin --perm rw --valid 2h)
NOISY=$("$JDS" token --workspace noisy --service admin --perm rw --valid 2h)
quiet() {
	"$TMP/jdsload" ingest --url "$URL" --token "$QUIET" --workspace default --clients 2 --batch 10 \
		--events 20000 --duration 20s --progress 0 | grep RESULT
}
echo "quiet alone:"
quiet
echo "quiet beside noisy (16 clients, batches of 100):"
"$TMP/jdsload" ingest --url "$URL" --token "$NOISY" --workspace noisy --clients 16 --batch 100 \
	--events 10000000 --duration 25s --max-errors 0 --progress 0 >"$TMP/noisy.out" 2>&1 &
PIDS+=($!)
NP=$!
sleep 2
quiet
wait $NP || true
echo "noisy:"
grep RESULT "$TMP/noisy.out"
curl -s "$URL/metrics" | grep -E '^jds_events_total'
