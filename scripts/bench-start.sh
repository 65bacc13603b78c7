# bench-start.sh, sourced by the bench-*.sh scripts: builds jds (unless given) and
# jdsload into a temporary folder, and starts jds on a free loopback port with the
# config the caller wrote to $TMP/jds.yaml. Background processes listed in PIDS are
# killed, and the folder removed, on exit.
#
#   source "$(dirname "$0")/bench-start.sh"
#   bench_build "${1:-}"               # sets ROOT, TMP, JDS
#   cat >"$TMP/jds.yaml" <<YAML ... YAML
#   bench_start                        # sets URL; jds's pid is PIDS[0]

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT

bench_build() {
	JDS=${1:-}
	if [ -z "$JDS" ]; then
		(cd "$ROOT" && go build -o "$TMP/jds" ./cmd/jds)
		JDS=$TMP/jds
	fi
	(cd "$ROOT" && go build -o "$TMP/jdsload" ./cmd/jdsload)
	unset JDS_CONFIG JDS_ADDR JDS_DATA_DIR JDS_RULES_DIR JDS_FLOWS_DIR JDS_LOG_LEVEL JDS_LOG_FORMAT JDS_TOKEN
}

bench_start() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export JDS_CONFIG=$TMP/jds.yaml JDS_DATA_DIR=$TMP/data
	JDS_ADDR=127.0.0.1:$port JDS_RULES_DIR=$TMP/rules JDS_FLOWS_DIR=$TMP/flows JDS_LOG_LEVEL=warn "$JDS" serve >"$TMP/jds.log" 2>&1 &
	PIDS=($! "${PIDS[@]}")
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
	URL=http://127.0.0.1:$port
}
