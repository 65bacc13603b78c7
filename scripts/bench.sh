#!/usr/bin/env bash
# Reproduces the performance figures of jds on this machine, in one command:
#
#   scripts/bench.sh [quick|full|ratio|storm]
#
#   quick (default)  small counts, about a minute: to try the script out
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
#   b. batch ingest: 100 events per request, 16 clients
#   c. single-event POSTs: 64 clients
#   d. history: one person with 10,000 events, top=50, 4 clients
#   f. IVR flows for that person (samples/flows): payment-reminder (last Water payment),
#      and repeat-caller (a profile) when BENCH_RULES=samples/rules makes its template live
#   e. memory: full mode ingests until 5,000,000 events are stored, then reads VmRSS/VmHWM
# and prints a markdown table with the machine's description. jds and every process this
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
	RSS_TARGET=5000000;    RSS_DURATION=1200s
else
	RAW_EVENTS=20000;      RAW_DURATION=30s
	BATCH_EVENTS=300000;   BATCH_DURATION=15s
	SINGLE_EVENTS=50000;   SINGLE_DURATION=15s
	SEED_EVENTS=10000
	HIST_REQUESTS=10000;   HIST_DURATION=15s
	RSS_TARGET=0;          RSS_DURATION=0s
fi
RATIO_RUNS=${BENCH_RUNS:-3}; RATIO_EVENTS=600000; RATIO_PERSONS=${BENCH_PERSONS:-10000}
WORKSPACE=bench
IDENTITY=+15550000001

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/jds-bench.XXXXXX") || die "cannot create a temporary directory"
# No profile template by default: the spine alone. BENCH_RULES=samples/rules measures
# ingest with the sample templates active.
RULES_DIR=${BENCH_RULES:-$TMP/no-rules}
JDS_PID=""
LOAD_PID=""
STORM_PID="" # storm mode: the ingest beside the flow
TAIL_PID=""
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
	for pid in "$LOAD_PID" "$TAIL_PID" "$STORM_PID"; do
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

# a. Raw Badger baseline.
run_step "a. raw Badger baseline" "$TMP/a.log" \
	"$LOAD" raw --dir "$TMP/raw" --events "$RAW_EVENTS" --group 256 --duration "$RAW_DURATION"
RA=$(result "$TMP/a.log")
rm -rf "$TMP/raw"

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
run_step "f1. flow payment-reminder" "$TMP/f1.log" \
	"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests "$HIST_REQUESTS" \
	--flow payment-reminder --duration "$HIST_DURATION"
RF1=$(result "$TMP/f1.log")
RF2=""
if grep -qs 'name: Repeat Caller' "$RULES_DIR"/*.yaml; then
	run_step "f2. flow repeat-caller" "$TMP/f2.log" \
		"$LOAD" history "${COMMON[@]}" --identity "$IDENTITY" --clients 4 --requests "$HIST_REQUESTS" \
		--flow repeat-caller --duration "$HIST_DURATION"
	RF2=$(result "$TMP/f2.log")
fi

# e. Memory after many events.
STORED=$(awk -v b="$(field "$RB" events)" -v c="$(field "$RC" events)" -v d="$(field "$RD1" events)" \
	'BEGIN { printf "%d", b + c + d }')
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
ratio=$(awk -v b="$(field "$RB" events_per_sec)" -v a="$(field "$RA" events_per_sec)" \
	'BEGIN { if (a > 0 && b != "") printf "%.2f× the raw baseline (%.0f%%)", b / a, 100 * b / a; else print "ratio n/a" }')
errs() { local e; e=$(field "$1" errors); echo "${e:-n/a} errors"; }
stopped() { local s; s=$(field "$1" stopped_by); [ "$s" = duration ] && echo "; stopped by the time limit" || true; }
FS_TYPE=$(df -PT "$TMP" 2>/dev/null | awk 'NR == 2 { print $2 }')
RULES="none"
[ -n "${BENCH_RULES:-}" ] && RULES="$BENCH_RULES (the profile templates of its rule files are active)"

cat <<EOF

## jds benchmark ($MODE mode)

| scenario | events/s or req/s | p50 ms | p99 ms | notes |
|---|---:|---:|---:|---|
| a. raw Badger: 1 writer, 256 events per synced commit | $(num "$(field "$RA" events_per_sec)") events/s | $(msf "$(field "$RA" p50_ms)") | $(msf "$(field "$RA" p99_ms)") | $(num "$(field "$RA" events)") events in $(secs "$(field "$RA" seconds)"); latency of one commit (+ db.Sync)$(stopped "$RA") |
| b. batch ingest: 100 events/request, 16 clients | $(num "$(field "$RB" events_per_sec)") events/s | $(msf "$(field "$RB" p50_ms)") | $(msf "$(field "$RB" p99_ms)") | $(num "$(field "$RB" events)") events in $(secs "$(field "$RB" seconds)"), $(errs "$RB"); **$ratio**; $(commit_note "$M0" "$M1")$(stopped "$RB") |
| c. single-event POST: 64 clients | $(num "$(field "$RC" events_per_sec)") events/s | $(msf "$(field "$RC" p50_ms)") | $(msf "$(field "$RC" p99_ms)") | $(num "$(field "$RC" events)") events in $(secs "$(field "$RC" seconds)"), $(errs "$RC"); $(commit_note "$M1" "$M2")$(stopped "$RC") |
| d. history top=50: one person with $(num "$(field "$RD1" events)") events, 4 clients | $(num "$(field "$RD2" requests_per_sec)") req/s | $(msf "$(field "$RD2" p50_ms)") | $(msf "$(field "$RD2" p99_ms)") | $(num "$(field "$RD2" requests)") requests in $(secs "$(field "$RD2" seconds)"), $(errs "$RD2"); seeding: $(num "$(field "$RD1" events_per_sec)") events/s$(stopped "$RD2") |
| f1. flow payment-reminder (\`last()\` of the Water payments) for that person, 4 clients | $(num "$(field "$RF1" requests_per_sec)") req/s | $(msf "$(field "$RF1" p50_ms)") | $(msf "$(field "$RF1" p99_ms)") | $(num "$(field "$RF1" requests)") calls in $(secs "$(field "$RF1" seconds)"), $(errs "$RF1")$(stopped "$RF1") |
| f2. flow repeat-caller (\`profile()\`) for that person, 4 clients | $( [ -n "$RF2" ] && echo "$(num "$(field "$RF2" requests_per_sec)") req/s | $(msf "$(field "$RF2" p50_ms)") | $(msf "$(field "$RF2" p99_ms)") | $(num "$(field "$RF2" requests)") calls in $(secs "$(field "$RF2" seconds)"), $(errs "$RF2")$(stopped "$RF2")" || echo "| | | needs BENCH_RULES=samples/rules (its Repeat Caller template)") |
| e. jds memory after $(num "$STORED") stored events | | | | VmRSS $(mib "$(field "$RR" vm_rss_kb)") (anonymous $(mib "$(field "$RR" rss_anon_kb)"), file-backed $(mib "$(field "$RR" rss_file_kb)")), VmHWM $(mib "$(field "$RR" vm_hwm_kb)"), data dir $DATA_SIZE; read right after the last step$( [ -n "$RE" ] && echo "; the top-up ingest ran at $(num "$(field "$RE" events_per_sec)") events/s (p50 $(msf "$(field "$RE" p50_ms)") ms, p99 $(msf "$(field "$RE" p99_ms)") ms), $(errs "$RE"); $(commit_note "$M3" "$M4")$(stopped "$RE")" ) |

- command: \`$COMMAND\` ($(date -u +%Y-%m-%dT%H:%M:%SZ))
- machine: $(machine)
- disk: data on ${FS_TYPE:-unknown} ($(df -P "$TMP" | awk 'NR == 2 { print $1 }'))
- $(go version), jds tree $TREE, rules: $RULES
- jds: defaults (SyncWrites on), log level warn, on $URL; jdsload runs on the same machine and shares its CPUs
- latencies are per request (a: per commit), exact percentiles over every request
- jds logged $WARN_LINES warning/error lines; events acknowledged $(num "$STORED"), stored per jds's metrics $(num "$SERVER_STORED")
EOF
if [ "$FS_TYPE" = tmpfs ]; then
	echo "- WARNING: the data directory is on tmpfs, where fsync costs nothing: durable-write figures are not meaningful. Set BENCH_TMPDIR to a directory on a real disk."
fi

if [ -n "$FAILED" ]; then
	echo
	echo "bench: some steps failed: $FAILED (see their output above)" >&2
	exit 1
fi
