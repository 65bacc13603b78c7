#!/usr/bin/env bash
# bench-quota.sh: a quiet workspace's ingest alone, then beside a noisy one flooding past
# its quota (limits.workspaces.noisy: 2,000 events/s, burst 2,000), against a fresh jds
# on a free loopback port (docs/BENCHMARKS.md, "Ingest quotas: a flood beside a quiet
# workspace").
#
#   scripts/bench-quota.sh [JDS_BINARY]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
PID="" NP=""
trap 'kill $PID $NP 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
JDS=${1:-}
if [ -z "$JDS" ]; then
	(cd "$ROOT" && go build -o "$TMP/jds" ./cmd/jds)
	JDS=$TMP/jds
fi
(cd "$ROOT" && go build -o "$TMP/jdsload" ./cmd/jdsload)
unset JDS_CONFIG JDS_ADDR JDS_DATA_DIR JDS_RULES_DIR JDS_FLOWS_DIR JDS_LOG_LEVEL JDS_LOG_FORMAT JDS_TOKEN
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/jds.yaml" <<YAML
limits:
  workspaces:
    noisy: {eventsPerSecond: 2000, burst: 2000}
YAML
export JDS_CONFIG=$TMP/jds.yaml JDS_DATA_DIR=$TMP/data
JDS_ADDR=127.0.0.1:$PORT JDS_RULES_DIR=$TMP/rules JDS_FLOWS_DIR=$TMP/flows JDS_LOG_LEVEL=warn "$JDS" serve >"$TMP/jds.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$PORT
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
NP=$!
sleep 2
quiet
wait $NP || true
NP=""
echo "noisy:"
grep RESULT "$TMP/noisy.out"
curl -s "$URL/metrics" | grep -E '^jds_events_total'
