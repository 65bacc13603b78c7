#!/usr/bin/env bash
# Reproduces the performance figures of jds on this machine, in one command:
#
#   scripts/bench.sh [quick|full|ratio|storm]
#
#   quick (default)  small counts, about two minutes: to try the script out
#   full             the published figures (several minutes; run it on a quiet machine)
#   ratio            batch ingest (as in b) with no template and with the five templates of
#                    scripts/bench-rules, alternating, BENCH_RUNS times each (default 3),
#                    each on a fresh data directory: the cost of progressive profiles.
#                    BENCH_PERSONS spreads the events over that many persons (default
#                    10000: each gets about 3 a second; 100000 is the steadier case).
#                    "committer busy" is the share of each run spent in group commits:
#                    near 100%, the commit path, not the CPUs, sets the rate
#   storm            readers first during ingest storms: the repeat-caller flow (4 clients)
#                    alone, then beside flat-out batch ingest (as in b), then that ingest
#                    alone, with jds as before the ingest gate (ingest.maxConcurrent -1,
#                    readerProcs 0) and with the defaults, alternating, BENCH_RUNS times each
#                    (default 3), each on a fresh data directory; BENCH_STORM_SECONDS per
#                    phase (default 15)
#
# It builds jds and cmd/jdsload, starts jds on 127.0.0.1 (a random free port, a fresh data
# directory, a development key, a token minted with "jds token"), then measures:
#   a. raw Badger baseline: the same event bodies written straight into Badger, 1 writer
#      (with JDS_STORE_URL=postgres://…, jds keeps its data in that database, and the
#      anchors are PostgreSQL's instead: a1. the same bodies inserted into a scratch table,
#      1 writer, 256 rows per durable commit; a2. single-row durable inserts from 64
#      clients, as pgbench does; the table then shows b ÷ a1 and c ÷ a2)
#   b. batch ingest: 100 events per request, 16 clients
#   c. single-event POSTs: 64 clients
#   h. the HTTP ceiling: an empty request (GET /livez, no token, no work), 64 clients
#   d. history: one person with 10,000 events, top=50, 4 clients
#   f. IVR flows for that person (samples/flows): payment-reminder (last Water payment),
#      and repeat-caller (a profile) when BENCH_RULES=samples/rules makes its template live;
#      f3: repeat-caller again, for a fixed time, while a second jdsload runs batch ingest
#      (as in b) flat out: it starts first, and its time limit outlasts the flow run's
#   p. profile read: a second person with 100,000 events (quick mode: 20,000), the
#      profile view of the template BENCH_PROFILE_TEMPLATE (default "Repeat Caller", which
#      samples/rules and scripts/bench-rules both have), 4 clients; needs BENCH_RULES
#   e. memory: full mode ingests until 5,000,000 events are stored, then reads VmRSS/VmHWM
#      and the anonymous (RssAnon) and file-backed (RssFile) parts of VmRSS
# and prints a markdown table with the machine's description, then a table of the goals
# of issue 22, each figure beside its goal, met or not:
#   c ÷ h  single-event POSTs ÷ the HTTP ceiling, requests/s           >= 0.6
#   b ÷ a  batch ingest ÷ raw Badger, events/s, sample templates live  >= 0.5
#   f3     repeat-caller p99 under batch ingest (f2: the same alone)   <= 5 ms
#   p      profile read p99, person with 100,000 events                <= 2 ms
#   e      anonymous and file-backed memory after 5,000,000 events     reported
# Rows that need the sample templates say so unless BENCH_RULES=samples/rules; quick
# mode's smaller counts are named in the rows. jds and every process this
# script started are stopped at exit, and the temporary directory is removed (keep it with
# BENCH_KEEP=1; put it on another disk with BENCH_TMPDIR=/path).
set -euo pipefail

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; } # the header above

MODE=${1:-quick}
case "$MODE" in
quick | full | ratio | storm) ;;
-h | --help | help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then usage >&2; exit 2; fi
COMMAND="scripts/bench.sh $MODE"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

die() { echo "bench: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not found in PATH"; }
need go; need curl; need awk; need sed; need du; need tail

# The benchmark must not pick up the caller's jds configuration or token.
unset JDS_CONFIG JDS_ADDR JDS_DATA_DIR JDS_RULES_DIR JDS_FLOWS_DIR JDS_LOG_LEVEL JDS_LOG_FORMAT JDS_TOKEN

if [ "$MODE" = full ]; then
	RAW_EVENTS=200000;     RAW_DURATION=300s
	BATCH_EVENTS=1000000;  BATCH_DURATION=60s
	SINGLE_EVENTS=300000;  SINGLE_DURATION=60s
	SEED_EVENTS=10000
	HIST_REQUESTS=20000;   HIST_DURATION=60s
	CEIL_REQUESTS=1000000; CEIL_DURATION=30s
	LOADED_DURATION=30s # f3: the flow run under ingest, bounded by time only
	PROFILE_EVENTS=100000
	RSS_TARGET=5000000;    RSS_DURATION=1200s
else
	RAW_EVENTS=100000;     RAW_DURATION=30s # about a second: 20,000 took 0.1–0.2 s and swung by half
	BATCH_EVENTS=300000;   BATCH_DURATION=15s
	SINGLE_EVENTS=50000;   SINGLE_DURATION=15s
	SEED_EVENTS=10000
	HIST_REQUESTS=10000;   HIST_DURATION=15s
	CEIL_REQUESTS=200000;  CEIL_DURATION=10s
	LOADED_DURATION=8s
	PROFILE_EVENTS=20000
	RSS_TARGET=0;          RSS_DURATION=0s
fi
RATIO_RUNS=${BENCH_RUNS:-3}; RATIO_EVENTS=600000; RATIO_PERSONS=${BENCH_PERSONS:-10000}
WORKSPACE=bench
IDENTITY=+15550000001
BIG_IDENTITY=+15550000002 # p: the person with PROFILE_EVENTS events
PROFILE_TEMPLATE=${BENCH_PROFILE_TEMPLATE:-Repeat Caller}
WARMUP=3 # f3: seconds of ingest before the flow run starts
MARGIN=5 # f3: seconds the ingest's time limit outlasts the flow run's

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/jds-bench.XXXXXX") || die "cannot create a temporary directory"
# No profile template by default: the spine alone. BENCH_RULES=samples/rules measures
# ingest with the sample templates active.
RULES_DIR=${BENCH_RULES:-$TMP/no-rules}
JDS_PID=""
LOAD_PID=""
STORM_PID="" # storm mode: the ingest beside the flow
TAIL_PID=""
BG_PID="" # f3's background ingest
FAILED=""

stop_jds() {
	[ -n "$JDS_PID" ] || return 0
	if kill -0 "$JDS_PID" 2>/dev/null; then
		kill -TERM "$JDS_PID" 2>/dev/null || true
		local i
		for i in $(seq 1 300); do # up to 30 s for a graceful shutdown
			kill -0 "$JDS_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$JDS_PID" 2>/dev/null; then
			echo "bench: jds (pid $JDS_PID) did not stop within 30 s; killing it" >&2
			kill -KILL "$JDS_PID" 2>/dev/null || true
		fi
	fi
	wait "$JDS_PID" 2>/dev/null || true
	JDS_PID=""
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for pid in "$LOAD_PID" "$TAIL_PID" "$BG_PID" "$STORM_PID"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	stop_jds
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# jds_log_tail prints the end of jds's log, without the token lines of its banner.
jds_log_tail() {
	echo "---- last lines of the jds log ($TMP/jds.log) ----" >&2
	grep -v 'sig=' "$TMP/jds.log" | tail -n 40 >&2 || true
	echo "----" >&2
}

check_jds() {
	if ! kill -0 "$JDS_PID" 2>/dev/null; then
		local rc=0
		wait "$JDS_PID" 2>/dev/null || rc=$?
		JDS_PID=""
		echo "bench: jds exited (status $rc) during: $1" >&2
		jds_log_tail
		exit 1
	fi
}

# field JSON KEY: one value of a flat RESULT object ("" when absent).
field() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | tr -d '"'
}

# result LOG: the RESULT object of a step's log ("" when there is none).
result() { grep '^RESULT ' "$1" 2>/dev/null | tail -n 1 | cut -c8- || true; }

# run_step NAME LOG CMD...: runs a jdsload step in the background (so that a signal stops
# it at once), shows its output as it comes, and records a failure without stopping.
run_step() {
	local name=$1 log=$2
	shift 2
	printf '\n== %s\n$ %s\n' "$name" "$(printf '%q ' "$@" | sed "s|$TMP|\$TMP|g")"
	: >"$log"
	"$@" >"$log" 2>&1 &
	LOAD_PID=$!
	tail -n +1 -f --pid="$LOAD_PID" "$log" &
	TAIL_PID=$!
	local rc=0
	wait "$LOAD_PID" || rc=$?
	LOAD_PID=""
	wait "$TAIL_PID" 2>/dev/null || true
	TAIL_PID=""
	if [ "$rc" -ne 0 ]; then
		echo "bench: step '$name' FAILED (jdsload exit status $rc; its output is above)" >&2
		FAILED="$FAILED${FAILED:+, }$name"
	fi
	if [ -n "$JDS_PID" ]; then check_jds "$name"; fi
}

# Numbers for the table.
num() { awk -v x="${1:-}" 'BEGIN { if (x == "") { print "n/a"; exit }
	s = sprintf("%.0f", x); o = ""; n = length(s)
	for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if ((n - i) % 3 == 0 && i < n && substr(s, i, 1) != "-") o = o "," }
	print o }'; }
msf() { awk -v x="${1:-}" 'BEGIN { if (x == "") print "n/a"; else printf "%.2f", x }'; }
mib() { awk -v k="${1:-}" 'BEGIN { if (k == "") print "n/a"; else printf "%.0f MiB", k / 1024 }'; }
secs() { awk -v x="${1:-}" 'BEGIN { if (x == "") print "n/a"; else printf "%.1f s", x }'; }

# metrics: jds's own counters, "accepted duplicates rejected commits committed_events
# commit_seconds" (empty when /metrics does not answer).
metrics() {
	curl -fsS --max-time 5 "$URL/metrics" 2>/dev/null | awk '
		/^jds_events_total\{.*result="accepted"/ { a = $NF + 0 }
		/^jds_events_total\{.*result="duplicate"/ { d = $NF + 0 }
		/^jds_events_total\{.*result="rejected"/ { r = $NF + 0 }
		/^jds_commit_batch_events_count / { c = $NF + 0 }
		/^jds_commit_batch_events_sum / { e = $NF + 0 }
		/^jds_commit_duration_seconds_sum / { t = $NF + 0 }
		END { if (NR) printf "%d %d %d %d %d %.6f\n", a, d, r, c, e, t }' || true
}

# commit_note BEFORE AFTER: what jds's committer did between two metrics snapshots.
commit_note() {
	awk -v x="$1" -v y="$2" 'BEGIN {
		if (split(x, a, " ") < 6 || split(y, b, " ") < 6) { print "jds metrics n/a"; exit }
		c = b[4] - a[4]; e = b[5] - a[5]; t = b[6] - a[6]
		s = sprintf("jds: %d stored", b[1] - a[1])
		if (b[2] - a[2] > 0) s = s sprintf(", %d duplicates", b[2] - a[2])
		if (b[3] - a[3] > 0) s = s sprintf(", %d rejected", b[3] - a[3])
		if (c > 0) s = s sprintf(", %d group commits of %.0f events, %.1f ms each on average", c, e / c, 1000 * t / c)
		print s }'
}

# busy BEFORE AFTER SECONDS: the share of SECONDS that jds's committer spent in group
# commits between two metrics snapshots.
busy() {
	awk -v x="$1" -v y="$2" -v s="${3:-0}" 'BEGIN {
		if (split(x, a, " ") < 6 || split(y, b, " ") < 6 || s <= 0) { print "n/a"; exit }
		printf "%.0f%%", 100 * (b[6] - a[6]) / s }'
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# machine describes the CPUs, memory and kernel, for the tables.
machine() {
	echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr)"
}

echo "== building into $TMP"
go build -o "$TMP/jds" ./cmd/jds || die "building ./cmd/jds failed"
go build -o "$TMP/jdsload" ./cmd/jdsload || die "building ./cmd/jdsload failed"
LOAD="$TMP/jdsload"
TREE=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null | head -n 1)" ]; then TREE="$TREE + uncommitted changes"; fi

# start_jds RULES_DIR DATA_DIR [CONFIG]: starts jds on a free loopback port (with the
# configuration file CONFIG, if given) and mints a token; sets JDS_PID, URL and JDS_TOKEN.
start_jds() {
	local rules=$1 data=$2 conf=${3:-} p attempt ready i
	PORT=""
	for attempt in 1 2 3 4 5; do
		p=$((20000 + RANDOM % 20000))
		if port_in_use "$p"; then continue; fi
		JDS_CONFIG="$conf" JDS_ADDR="127.0.0.1:$p" JDS_DATA_DIR="$data" JDS_RULES_DIR="$rules" JDS_FLOWS_DIR="$ROOT/samples/flows" JDS_LOG_LEVEL=warn "$TMP/jds" serve >"$TMP/jds.log" 2>&1 &
		JDS_PID=$!
		ready=0
		for i in $(seq 1 300); do # up to 30 s
			kill -0 "$JDS_PID" 2>/dev/null || break
			if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$p/readyz" 2>/dev/null; then
				ready=1
				break
			fi
			sleep 0.1
		done
		if [ "$ready" = 1 ]; then
			PORT=$p
			break
		fi
		if kill -0 "$JDS_PID" 2>/dev/null; then
			jds_log_tail
			die "jds did not answer /readyz within 30 s"
		fi
		wait "$JDS_PID" 2>/dev/null || true
		JDS_PID=""
		if grep -qi 'address already in use' "$TMP/jds.log"; then continue; fi
		jds_log_tail
		die "jds exited during startup"
	done
	[ -n "$PORT" ] || die "could not start jds on a free port after 5 attempts"
	URL="http://127.0.0.1:$PORT"
	echo "jds pid $JDS_PID listening on $URL, rules in ${rules/#$TMP/\$TMP}, data in ${data/#$TMP/\$TMP}"
	JDS_TOKEN=$(JDS_DATA_DIR="$data" "$TMP/jds" token --workspace "$WORKSPACE" --service admin --perm rw --valid 2h) ||
		die "minting a token with 'jds token' failed"
	export JDS_TOKEN # jdsload reads it from the environment: it stays off the command lines
}

if [ "$MODE" = storm ]; then
	# Readers first during ingest storms (issue 22, item 2): flow latency alone and beside
	# flat-out batch ingest, and that ingest's rate alone, with jds as before the ingest
	# gate and with the defaults, alternating.
	SECS=${BENCH_STORM_SECONDS:-15}
	STORM_RULES=${BENCH_RULES:-$ROOT/samples/rules} # the Repeat Caller template
	grep -qs 'name: Repeat Caller' "$STORM_RULES"/*.yaml || die "storm needs the Repeat Caller template of samples/rules (BENCH_RULES=$STORM_RULES has none)"
	printf 'ingest:\n  maxConcurrent: -1\nreaderProcs: 0\n' >"$TMP/before.yaml"
	ROWS=()
	for run in $(seq 1 "$RATIO_RUNS"); do
		for variant in before defaults; do
			conf=""
			[ "$variant" = before ] && conf="$TMP/before.yaml"
			start_jds "$STORM_RULES" "$TMP/data" "$conf"
			COMMON=(--url "$URL" --workspace "$WORKSPACE")
			run_step "storm run $run, $variant: seed one person" "$TMP/s1.log" \
				"$LOAD" seed "${COMMON[@]}" --identity "$IDENTITY" --events "$SEED_EVENTS" --batch 1000 --duration 120s
			FLOW=("$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests 1000000 --flow repeat-caller --duration "${SECS}s")
			INGEST=("$LOAD" ingest "${COMMON[@]}" --clients 16 --batch 100 --events 100000000 --persons 10000)
			run_step "storm run $run, $variant: flow alone" "$TMP/s2.log" "${FLOW[@]}"
			# The flow beside flat-out ingest, which starts 2 s before it and stops after.
			"${INGEST[@]}" --duration "$((SECS + 30))s" --progress 0 >"$TMP/s3i.log" 2>&1 &
			STORM_PID=$!
			sleep 2
			run_step "storm run $run, $variant: flow beside batch ingest" "$TMP/s3.log" "${FLOW[@]}"
			kill -INT "$STORM_PID" 2>/dev/null || true
			wait "$STORM_PID" || FAILED="$FAILED${FAILED:+, }storm run $run, $variant: the ingest beside the flow"
			STORM_PID=""
			run_step "storm run $run, $variant: batch ingest alone" "$TMP/s4.log" "${INGEST[@]}" --duration "${SECS}s"
			A=$(result "$TMP/s2.log"); B=$(result "$TMP/s3.log"); BI=$(result "$TMP/s3i.log"); C=$(result "$TMP/s4.log")
			ROWS+=("| $run | $variant | $(msf "$(field "$A" p50_ms)") / $(msf "$(field "$A" p99_ms)") ms | $(msf "$(field "$B" p50_ms)") / $(msf "$(field "$B" p99_ms)") ms | $(num "$(field "$BI" events_per_sec)") events/s | $(num "$(field "$C" events_per_sec)") events/s | $(field "$A" errors) / $(field "$B" errors) / $(field "$BI" errors) / $(field "$C" errors) |")
			stop_jds
			rm -rf "$TMP/data"
		done
	done
	echo
	echo "## Readers first during ingest storms ($COMMAND, $(date -u +%Y-%m-%dT%H:%M:%SZ))"
	echo
	echo "| run | jds | flow alone p50 / p99 | flow beside batch ingest p50 / p99 | that ingest | batch ingest alone | errors |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "- before: ingest.maxConcurrent -1 (no gate) and readerProcs 0; defaults: the gate at the CPUs - 1 decoders (at least 1), readerProcs 2 (added while ingest is busy)"
	echo "- the flow: repeat-caller (\`profile()\`), 4 clients, for one person with $(num "$SEED_EVENTS") events; batch ingest: 100 events/request, 16 clients, 10,000 persons; ${SECS} s a phase"
	echo "- machine: $(machine); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(go version); jds tree $TREE"
	[ -z "$FAILED" ] || die "some runs failed: $FAILED"
	exit 0
fi

if [ "$MODE" = ratio ]; then
	# Batch ingest as in b, without templates and with the five of scripts/bench-rules,
	# alternating, each run on a fresh data directory.
	mkdir -p "$TMP/no-rules"
	RATES=()
	BUSY=() # the committer's share of each run: with every commit following the last, it sets the rate
	for run in $(seq 1 "$RATIO_RUNS"); do
		for rules in "$TMP/no-rules" "$ROOT/scripts/bench-rules"; do
			start_jds "$rules" "$TMP/data"
			M0=$(metrics)
			run_step "ratio run $run, rules in ${rules/#$TMP/\$TMP}" "$TMP/r.log" \
				"$LOAD" ingest --url "$URL" --workspace "$WORKSPACE" --clients 16 --batch 100 --events "$RATIO_EVENTS" --persons "$RATIO_PERSONS" --duration 300s
			R=$(result "$TMP/r.log")
			RATES+=("$(field "$R" events_per_sec)")
			BUSY+=("$(busy "$M0" "$(metrics)" "$(field "$R" seconds)")")
			stop_jds
			rm -rf "$TMP/data"
		done
	done
	echo
	echo "## Ingest with five templates against none, $RATIO_PERSONS persons ($COMMAND, $(date -u +%Y-%m-%dT%H:%M:%SZ))"
	echo
	echo "| run | no template | 5 templates | ratio | committer busy |"
	echo "|---|---:|---:|---:|---:|"
	for ((i = 0; i < ${#RATES[@]}; i += 2)); do
		echo "| $((i / 2 + 1)) | $(num "${RATES[i]}") events/s | $(num "${RATES[i + 1]}") events/s | $(awk -v a="${RATES[i]}" -v b="${RATES[i + 1]}" 'BEGIN { if (a > 0) printf "%.0f%%", 100 * b / a; else print "n/a" }') | ${BUSY[i]} / ${BUSY[i + 1]} |"
	done
	printf '%s\n' "${RATES[@]}" | awk 'NR % 2 == 1 { n[++i] = $1 } NR % 2 == 0 { f[i] = $1 }
		function median(a, k,   t, x, y) { for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
			return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
		END { for (x = 1; x <= i; x++) r[x] = f[x] / n[x]; mn = median(n, i); mf = median(f, i)
			printf "| median | %.0f events/s | %.0f events/s | %.0f%% (median of the ratios: %.0f%%) | |\n", mn, mf, 100 * mf / mn, 100 * median(r, i) }'
	echo
	echo "- machine: $(machine); $(go version); jds tree $TREE"
	[ -z "$FAILED" ] || die "some runs failed: $FAILED"
	exit 0
fi

echo "== starting jds"
start_jds "$RULES_DIR" "$TMP/data"
COMMON=(--url "$URL" --workspace "$WORKSPACE")

# a. The anchors: raw Badger, or raw PostgreSQL when jds keeps its data there.
PG=""
RA2=""
case "${JDS_STORE_URL:-}" in
postgres://* | postgresql://*) PG=1 ;;
esac
if [ -n "$PG" ]; then
	run_step "a1. raw PostgreSQL: 256 rows per durable commit, 1 writer" "$TMP/a.log" \
		"$LOAD" rawpg --events "$RAW_EVENTS" --group 256 --clients 1 --duration "$RAW_DURATION"
	run_step "a2. raw PostgreSQL: single-row durable inserts, 64 clients" "$TMP/a2.log" \
		"$LOAD" rawpg --events "$SINGLE_EVENTS" --group 1 --clients 64 --duration "$SINGLE_DURATION"
	RA2=$(result "$TMP/a2.log")
else
	run_step "a. raw Badger baseline" "$TMP/a.log" \
		"$LOAD" raw --dir "$TMP/raw" --events "$RAW_EVENTS" --group 256 --duration "$RAW_DURATION"
	rm -rf "$TMP/raw"
fi
RA=$(result "$TMP/a.log")

# b. Batch ingest.
M0=$(metrics)
run_step "b. batch ingest" "$TMP/b.log" \
	"$LOAD" ingest "${COMMON[@]}" --clients 16 --batch 100 --events "$BATCH_EVENTS" --persons 10000 --duration "$BATCH_DURATION"
RB=$(result "$TMP/b.log")
M1=$(metrics)

# c. Single-event POSTs.
run_step "c. single-event ingest" "$TMP/c.log" \
	"$LOAD" ingest "${COMMON[@]}" --clients 64 --batch 1 --events "$SINGLE_EVENTS" --persons 10000 --duration "$SINGLE_DURATION"
RC=$(result "$TMP/c.log")
M2=$(metrics)

# h. The HTTP ceiling: empty requests, as many clients as c.
run_step "h. HTTP ceiling (GET /livez)" "$TMP/h.log" \
	"$LOAD" ceiling --url "$URL" --clients 64 --requests "$CEIL_REQUESTS" --duration "$CEIL_DURATION"
RH=$(result "$TMP/h.log")

# d. History of one person with many events.
run_step "d1. seed one person" "$TMP/d1.log" \
	"$LOAD" seed "${COMMON[@]}" --identity "$IDENTITY" --events "$SEED_EVENTS" --batch 1000 --duration 120s
RD1=$(result "$TMP/d1.log")
SEEDED=$(field "$RD1" events)
run_step "d2. history top=50" "$TMP/d2.log" \
	"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests "$HIST_REQUESTS" --top 50 \
	--expect "${SEEDED:-$SEED_EVENTS}" --duration "$HIST_DURATION"
RD2=$(result "$TMP/d2.log")

# f. IVR flows for the same person: the flow decision over HTTP.
# The seeded events' notices are random: so that f1 answers alike on every run (and
# writes nothing, as "remind" would on every call), the person's latest Water payment is
# made a second notice: the flow routes to an agent.
curl -fsS -o /dev/null -X POST -H "Authorization: $JDS_TOKEN" -H 'Content-Type: application/json' \
	"$URL/publish/v1/api/event?workspaceId=$WORKSPACE" \
	-d '{"id":"bench-f1-notice","specversion":"1.0","type":"Payment","source":"bench","identity":"'"$IDENTITY"'","identitytype":"phone","data":{"category":"Water","status":"overdue","Notification":"2","Past Due Amount":"$10.00"}}' ||
	die "posting the second notice for f1 failed"
run_step "f1. flow payment-reminder" "$TMP/f1.log" \
	"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests "$HIST_REQUESTS" \
	--flow payment-reminder --duration "$HIST_DURATION"
RF1=$(result "$TMP/f1.log")
RF2=""
HAVE_RC="" # the Repeat Caller template is live: f2, f3 and p can run
if grep -qs 'name: Repeat Caller' "$RULES_DIR"/*.yaml; then HAVE_RC=1; fi
HAVE_PT="" # the template of p is live
if grep -qsF "name: $PROFILE_TEMPLATE" "$RULES_DIR"/*.yaml; then HAVE_PT=1; fi
if [ -n "$HAVE_RC" ]; then
	run_step "f2. flow repeat-caller" "$TMP/f2.log" \
		"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests "$HIST_REQUESTS" \
		--flow repeat-caller --duration "$HIST_DURATION"
	RF2=$(result "$TMP/f2.log")
fi

# p. Profile reads for a second person with many events (seeded over 30 days).
RP1=""
RP2=""
if [ -n "$HAVE_PT" ]; then
	run_step "p1. seed one person with $(num "$PROFILE_EVENTS") events" "$TMP/p1.log" \
		"$LOAD" seed "${COMMON[@]}" --identity "$BIG_IDENTITY" --events "$PROFILE_EVENTS" --batch 1000 --duration 300s
	RP1=$(result "$TMP/p1.log")
	run_step "p2. profile read ($PROFILE_TEMPLATE)" "$TMP/p2.log" \
		"$LOAD" history "${COMMON[@]}" --identity "$BIG_IDENTITY" --clients 4 --requests "$HIST_REQUESTS" \
		--template "$PROFILE_TEMPLATE" --duration "$HIST_DURATION"
	RP2=$(result "$TMP/p2.log")
fi

# f3. repeat-caller again while batch ingest (as in b) runs flat out: a second jdsload
# starts the ingest WARMUP seconds before the flow run, which is bounded by time only, and
# the ingest's own time limit outlasts it by MARGIN s, so that every flow call meets the load.
# The ingest then ends by its time limit (a signal would cut requests whose events jds may
# still store, and spoil the count of acknowledged events).
RF3=""
RF3I=""
F3_NOTE=""
M5=""
M6=""
if [ -n "$HAVE_RC" ]; then
	F3_INGEST_DURATION=$((${LOADED_DURATION%s} + WARMUP + MARGIN))s
	printf '\n== f3. batch ingest in the background for %s (its output follows the flow run); the flow run starts in %d s\n' "$F3_INGEST_DURATION" "$WARMUP"
	"$LOAD" ingest "${COMMON[@]}" --clients 16 --batch 100 --events 100000000 --persons 10000 \
		--duration "$F3_INGEST_DURATION" --progress 5s >"$TMP/f3i.log" 2>&1 &
	BG_PID=$!
	sleep "$WARMUP"
	if ! kill -0 "$BG_PID" 2>/dev/null; then F3_NOTE="; WARNING: the ingest had ended before the flow run began"; fi
	M5=$(metrics)
	run_step "f3. flow repeat-caller under batch ingest" "$TMP/f3.log" \
		"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests 1000000 \
		--flow repeat-caller --duration "$LOADED_DURATION"
	M6=$(metrics)
	RF3=$(result "$TMP/f3.log")
	if [ -z "$F3_NOTE" ] && ! kill -0 "$BG_PID" 2>/dev/null; then
		F3_NOTE="; WARNING: the ingest ended before the flow run did"
	fi
	echo "waiting for the background ingest to reach its time limit"
	rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=""
	sed 's/^/  ingest | /' "$TMP/f3i.log"
	RF3I=$(result "$TMP/f3i.log")
	if [ "$rc" -ne 0 ]; then
		echo "bench: the background ingest of f3 FAILED (jdsload exit status $rc; its output is above)" >&2
		FAILED="$FAILED${FAILED:+, }f3 background ingest"
	fi
	check_jds "f3"
	if [ -n "$F3_NOTE" ]; then echo "bench: ${F3_NOTE#; }" >&2; fi
fi

# e. Memory after many events.
STORED=$(awk -v b="$(field "$RB" events)" -v c="$(field "$RC" events)" -v d="$(field "$RD1" events)" \
	-v p="$(field "$RP1" events)" -v f="$(field "$RF3I" events)" 'BEGIN { printf "%d", b + c + d + p + f + 1 }') # + f1's notice
RE=""
M3=$(metrics)
M4=$M3
if [ "$MODE" = full ]; then
	REMAINING=$((RSS_TARGET - STORED))
	if [ "$REMAINING" -gt 0 ]; then
		run_step "e. ingest up to $(num "$RSS_TARGET") stored events" "$TMP/e.log" \
			"$LOAD" ingest "${COMMON[@]}" --clients 16 --batch 100 --events "$REMAINING" --persons 10000 --duration "$RSS_DURATION"
		RE=$(result "$TMP/e.log")
		M4=$(metrics)
		E=$(field "$RE" events)
		STORED=$((STORED + ${E:-0}))
	fi
fi
run_step "e. jds memory" "$TMP/rss.log" "$LOAD" rss --pid "$JDS_PID"
RR=$(result "$TMP/rss.log")
DATA_SIZE=$(du -sh "$TMP/data" | cut -f1)
echo "data directory: $DATA_SIZE"
SERVER_STORED=$(awk -v m="$M4" 'BEGIN { split(m, a, " "); print (m == "" ? "n/a" : a[1]) }')
echo "events acknowledged to jdsload: $STORED; stored according to jds's metrics: $SERVER_STORED"
if [ "$SERVER_STORED" != "$STORED" ]; then
	echo "bench: WARNING: jdsload saw $STORED events acknowledged but jds counts $SERVER_STORED stored" >&2
fi
WARN_LINES=$(grep -v 'sig=' "$TMP/jds.log" | grep -ciE 'level=(warn|error)|"level":"(warn|error)"|panic' || true)
if [ "$WARN_LINES" -gt 0 ]; then
	echo
	echo "== jds logged $WARN_LINES warning/error lines; the first 20:"
	grep -v 'sig=' "$TMP/jds.log" | grep -iE 'level=(warn|error)|"level":"(warn|error)"|panic' | head -n 20 || true
fi

# The table.
errs() { local e; e=$(field "$1" errors); echo "${e:-n/a} errors"; }
stopped() { local s; s=$(field "$1" stopped_by); [ "$s" = duration ] && echo "; stopped by the time limit" || true; }
# anchor_ratio B A WHAT GOAL: B's events/s over A's.
anchor_ratio() {
	awk -v b="$(field "$1" events_per_sec)" -v a="$(field "$2" events_per_sec)" -v what="$3" -v goal="$4" \
		'BEGIN { if (a > 0 && b != "") printf "%s %.2f (goal ≥ %s)", what, b / a, goal; else printf "%s n/a", what }'
}
if [ -n "$PG" ]; then
	ratio=$(anchor_ratio "$RB" "$RA" "batch ÷ batch anchor (a1)" 0.5)
	single_ratio="**$(anchor_ratio "$RC" "$RA2" "single ÷ single-row anchor (a2)" 1.0)**; "
	ANCHOR_ROWS="| a1. raw PostgreSQL: 1 writer, 256 rows per durable commit (scratch table, primary key only) | $(num "$(field "$RA" events_per_sec)") events/s | $(msf "$(field "$RA" p50_ms)") | $(msf "$(field "$RA" p99_ms)") | $(num "$(field "$RA" events)") events in $(secs "$(field "$RA" seconds)"); latency of one commit$(stopped "$RA") |
| a2. raw PostgreSQL: 64 clients, one row per durable commit (as pgbench) | $(num "$(field "$RA2" events_per_sec)") events/s | $(msf "$(field "$RA2" p50_ms)") | $(msf "$(field "$RA2" p99_ms)") | $(num "$(field "$RA2" events)") events in $(secs "$(field "$RA2" seconds)"), $(errs "$RA2")$(stopped "$RA2") |"
	ANCHOR_NAME="raw PostgreSQL (a1)"
	STORE_NOTE="PostgreSQL at $(printf '%s' "$JDS_STORE_URL" | sed 's|://\([^:@/]*\):[^@]*@|://\1:…@|') (synchronous_commit on)"
else
	ratio=$(awk -v b="$(field "$RB" events_per_sec)" -v a="$(field "$RA" events_per_sec)" \
		'BEGIN { if (a > 0 && b != "") printf "%.2f× the raw baseline (%.0f%%)", b / a, 100 * b / a; else print "ratio n/a" }')
	single_ratio=""
	ANCHOR_ROWS="| a. raw Badger: 1 writer, 256 events per synced commit | $(num "$(field "$RA" events_per_sec)") events/s | $(msf "$(field "$RA" p50_ms)") | $(msf "$(field "$RA" p99_ms)") | $(num "$(field "$RA" events)") events in $(secs "$(field "$RA" seconds)"); latency of one commit (+ db.Sync)$(stopped "$RA") |"
	ANCHOR_NAME="raw Badger (a)"
	STORE_NOTE="the embedded store, defaults (SyncWrites on)"
fi
FS_TYPE=$(df -PT "$TMP" 2>/dev/null | awk 'NR == 2 { print $2 }')
NEEDS_RC="needs BENCH_RULES=samples/rules (its Repeat Caller template)"
NEEDS_PT="needs BENCH_RULES set to rules with the template \"$PROFILE_TEMPLATE\" (samples/rules has it)"

# quot A B: A ÷ B with two decimals ("" when either is missing or B is not positive).
quot() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && b + 0 > 0) printf "%.2f", a / b }'; }

# stored_rate BEFORE AFTER SECONDS: events jds stored per second between two metrics snapshots.
stored_rate() {
	awk -v x="$1" -v y="$2" -v s="${3:-0}" 'BEGIN {
		if (split(x, a, " ") < 6 || split(y, b, " ") < 6 || s <= 0) exit
		printf "%.0f", (b[1] - a[1]) / s }'
}

# verdict VALUE OP GOAL [RESULT...]: "met" or "not met" for VALUE OP GOAL (OP is <= or
# >=); "n/a" without a value; "not met" too when a RESULT it came from had failed requests.
verdict() {
	local x=${1:-} op=$2 goal=$3 r e bad=0
	shift 3
	for r in "$@"; do
		e=$(field "$r" errors)
		if [ -n "$e" ] && [ "$e" != 0 ]; then bad=$((bad + e)); fi
	done
	awk -v x="$x" -v op="$op" -v g="$goal" -v bad="$bad" 'BEGIN {
		if (x == "") { print "n/a"; exit }
		if (bad > 0) { printf "**not met**: %d failed requests\n", bad; exit }
		ok = op == ">=" ? x + 0 >= g + 0 : x + 0 <= g + 0
		print ok ? "**met**" : "**not met**" }'
}

ROW_H="| h. HTTP ceiling: GET /livez (no token, no work), 64 clients | $(num "$(field "$RH" requests_per_sec)") req/s | $(msf "$(field "$RH" p50_ms)") | $(msf "$(field "$RH" p99_ms)") | $(num "$(field "$RH" requests)") requests in $(secs "$(field "$RH" seconds)"), $(errs "$RH")$(stopped "$RH") |"
if [ -n "$HAVE_RC" ]; then
	ROW_F3="| f3. flow repeat-caller for that person while batch ingest (as in b) runs flat out, 4 clients | $(num "$(field "$RF3" requests_per_sec)") req/s | $(msf "$(field "$RF3" p50_ms)") | $(msf "$(field "$RF3" p99_ms)") | $(num "$(field "$RF3" requests)") calls in $(secs "$(field "$RF3" seconds)"), $(errs "$RF3"); jds stored $(num "$(stored_rate "$M5" "$M6" "$(field "$RF3" seconds)")") events/s meanwhile; the ingest's whole run: $(num "$(field "$RF3I" events_per_sec)") events/s (p99 $(msf "$(field "$RF3I" p99_ms)") ms), $(num "$(field "$RF3I" events)") events in $(secs "$(field "$RF3I" seconds)"), $(errs "$RF3I"), stopped by $(field "$RF3I" stopped_by)$F3_NOTE |"
else
	ROW_F3="| f3. flow repeat-caller while batch ingest runs flat out, 4 clients | | | | $NEEDS_RC |"
fi
if [ -n "$HAVE_PT" ]; then
	PER_ANSWER=$(awk -v b="$(field "$RP2" bytes_received)" -v n="$(field "$RP2" requests)" 'BEGIN { if (n > 0) printf "%.1f KB", b / n / 1000; else print "n/a" }')
	ROW_P="| p. profile read \"$PROFILE_TEMPLATE\": one person with $(num "$(field "$RP1" events)") events, 4 clients | $(num "$(field "$RP2" requests_per_sec)") req/s | $(msf "$(field "$RP2" p50_ms)") | $(msf "$(field "$RP2" p99_ms)") | $(num "$(field "$RP2" requests)") requests in $(secs "$(field "$RP2" seconds)"), $(errs "$RP2"), $PER_ANSWER per answer; seeding: $(num "$(field "$RP1" events_per_sec)") events/s$(stopped "$RP2") |"
else
	ROW_P="| p. profile read, one person with $(num "$PROFILE_EVENTS") events, 4 clients | | | | $NEEDS_PT |"
fi
RULES="none"
[ -n "${BENCH_RULES:-}" ] && RULES="$BENCH_RULES (the profile templates of its rule files are active)"

cat <<EOF

## jds benchmark ($MODE mode)

| scenario | events/s or req/s | p50 ms | p99 ms | notes |
|---|---:|---:|---:|---|
$ANCHOR_ROWS
| b. batch ingest: 100 events/request, 16 clients | $(num "$(field "$RB" events_per_sec)") events/s | $(msf "$(field "$RB" p50_ms)") | $(msf "$(field "$RB" p99_ms)") | $(num "$(field "$RB" events)") events in $(secs "$(field "$RB" seconds)"), $(errs "$RB"); **$ratio**; $(commit_note "$M0" "$M1")$(stopped "$RB") |
| c. single-event POST: 64 clients | $(num "$(field "$RC" events_per_sec)") events/s | $(msf "$(field "$RC" p50_ms)") | $(msf "$(field "$RC" p99_ms)") | $(num "$(field "$RC" events)") events in $(secs "$(field "$RC" seconds)"), $(errs "$RC"); $single_ratio$(commit_note "$M1" "$M2")$(stopped "$RC") |
$ROW_H
| d. history top=50: one person with $(num "$(field "$RD1" events)") events, 4 clients | $(num "$(field "$RD2" requests_per_sec)") req/s | $(msf "$(field "$RD2" p50_ms)") | $(msf "$(field "$RD2" p99_ms)") | $(num "$(field "$RD2" requests)") requests in $(secs "$(field "$RD2" seconds)"), $(errs "$RD2"); seeding: $(num "$(field "$RD1" events_per_sec)") events/s$(stopped "$RD2") |
| f1. flow payment-reminder (\`last()\` of the Water payments) for that person, 4 clients | $(num "$(field "$RF1" requests_per_sec)") req/s | $(msf "$(field "$RF1" p50_ms)") | $(msf "$(field "$RF1" p99_ms)") | $(num "$(field "$RF1" requests)") calls in $(secs "$(field "$RF1" seconds)"), $(errs "$RF1")$(stopped "$RF1") |
| f2. flow repeat-caller (\`profile()\`) for that person, 4 clients | $( [ -n "$RF2" ] && echo "$(num "$(field "$RF2" requests_per_sec)") req/s | $(msf "$(field "$RF2" p50_ms)") | $(msf "$(field "$RF2" p99_ms)") | $(num "$(field "$RF2" requests)") calls in $(secs "$(field "$RF2" seconds)"), $(errs "$RF2")$(stopped "$RF2")" || echo "| | | needs BENCH_RULES=samples/rules (its Repeat Caller template)") |
$ROW_F3
$ROW_P
| e. jds memory after $(num "$STORED") stored events | | | | VmRSS $(mib "$(field "$RR" vm_rss_kb)") (anonymous $(mib "$(field "$RR" rss_anon_kb)"), file-backed $(mib "$(field "$RR" rss_file_kb)")), VmHWM $(mib "$(field "$RR" vm_hwm_kb)"), data dir $DATA_SIZE; read right after the last step$( [ -n "$RE" ] && echo "; the top-up ingest ran at $(num "$(field "$RE" events_per_sec)") events/s (p50 $(msf "$(field "$RE" p50_ms)") ms, p99 $(msf "$(field "$RE" p99_ms)") ms), $(errs "$RE"); $(commit_note "$M3" "$M4")$(stopped "$RE")" ) |

- command: \`$COMMAND\` ($(date -u +%Y-%m-%dT%H:%M:%SZ))
- machine: $(machine)
- disk: data on ${FS_TYPE:-unknown} ($(df -P "$TMP" | awk 'NR == 2 { print $1 }'))
- $(go version), jds tree $TREE, rules: $RULES
- jds: $STORE_NOTE, log level warn, on $URL; jdsload runs on the same machine and shares its CPUs
- latencies are per request (a: per commit), exact percentiles over every request
- jds logged $WARN_LINES warning/error lines; events acknowledged $(num "$STORED"), stored per jds's metrics $(num "$SERVER_STORED")
EOF
if [ "$FS_TYPE" = tmpfs ]; then
	echo "- WARNING: the data directory is on tmpfs, where fsync costs nothing: durable-write figures are not meaningful. Set BENCH_TMPDIR to a directory on a real disk."
fi

# The goals of issue 22, each figure beside its goal.
HTTP_RATIO=$(quot "$(field "$RC" requests_per_sec)" "$(field "$RH" requests_per_sec)")
G_HTTP="| single-event POSTs (c) ÷ the HTTP ceiling (h), requests/s, 64 clients each | ${HTTP_RATIO:-n/a} ($(num "$(field "$RC" requests_per_sec)") ÷ $(num "$(field "$RH" requests_per_sec)")) | ≥ 0.6 | $(verdict "$HTTP_RATIO" '>=' 0.6 "$RC" "$RH") |"
BATCH_RATIO=$(quot "$(field "$RB" events_per_sec)" "$(field "$RA" events_per_sec)")
case "${BENCH_RULES:-}" in
"") G_BATCH="| batch ingest (b) ÷ $ANCHOR_NAME, events/s, sample templates live | needs BENCH_RULES=samples/rules (row b ran without templates) | ≥ 0.5 | not measured |" ;;
samples/rules | samples/rules/ | ./samples/rules | ./samples/rules/ | "$ROOT/samples/rules" | "$ROOT/samples/rules/")
	G_BATCH="| batch ingest (b) ÷ $ANCHOR_NAME, events/s, sample templates live | ${BATCH_RATIO:-n/a} ($(num "$(field "$RB" events_per_sec)") ÷ $(num "$(field "$RA" events_per_sec)")) | ≥ 0.5 | $(verdict "$BATCH_RATIO" '>=' 0.5 "$RB" "$RA") |" ;;
*) G_BATCH="| batch ingest (b) ÷ $ANCHOR_NAME, events/s, sample templates live | ${BATCH_RATIO:-n/a} ($(num "$(field "$RB" events_per_sec)") ÷ $(num "$(field "$RA" events_per_sec)")), with the templates of $BENCH_RULES, not samples/rules | ≥ 0.5 | $(verdict "$BATCH_RATIO" '>=' 0.5 "$RB" "$RA") (other templates) |" ;;
esac
if [ -n "$HAVE_RC" ]; then
	F3_P99=$(field "$RF3" p99_ms)
	G_FLOW="| IVR flow repeat-caller p99, 4 clients, while batch ingest runs flat out (f3) | $(msf "$F3_P99") ms under ingest; $(msf "$(field "$RF2" p99_ms)") ms alone (f2)$F3_NOTE | ≤ 5 ms | $(verdict "$F3_P99" '<=' 5 "$RF3" "$RF3I") |"
else
	G_FLOW="| IVR flow repeat-caller p99, 4 clients, while batch ingest runs flat out (f3) | $NEEDS_RC | ≤ 5 ms | not measured |"
fi
if [ -n "$HAVE_PT" ]; then
	P_P99=$(field "$RP2" p99_ms)
	P_EVENTS=$(field "$RP1" events)
	P_NOTE=""
	if [ "${P_EVENTS:-0}" -lt 100000 ]; then P_NOTE=" (at $(num "$P_EVENTS") events, not 100,000: run full mode)"; fi
	G_PROFILE="| profile read p99, person with 100,000 events, 4 clients (p) | $(msf "$P_P99") ms with $(num "$P_EVENTS") events, \"$PROFILE_TEMPLATE\" ($PER_ANSWER per answer) | ≤ 2 ms | $(verdict "$P_P99" '<=' 2 "$RP2" "$RP1")$P_NOTE |"
else
	G_PROFILE="| profile read p99, person with 100,000 events, 4 clients (p) | $NEEDS_PT | ≤ 2 ms | not measured |"
fi
MEM_STATUS="reported"
if [ "$STORED" -lt 5000000 ]; then MEM_STATUS="at $(num "$STORED") events, not 5,000,000: run full mode"; fi
G_MEM="| memory after 5,000,000 stored events (e) | anonymous $(mib "$(field "$RR" rss_anon_kb)"), file-backed $(mib "$(field "$RR" rss_file_kb)") (VmRSS $(mib "$(field "$RR" vm_rss_kb)")) after $(num "$STORED") | reported separately | $MEM_STATUS |"

cat <<EOF

### Goals (issue 22)

| figure | value | goal | status |
|---|---|---|---|
$G_HTTP
$G_BATCH
$G_FLOW
$G_PROFILE
$G_MEM
EOF

if [ -n "$FAILED" ]; then
	echo
	echo "bench: some steps failed: $FAILED (see their output above)" >&2
	exit 1
fi
