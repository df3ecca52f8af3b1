#!/usr/bin/env bash
# Issue 13's headline figure: location reports/s at saturation of one engine node ÷ the bare Akka HTTP
# echo endpoint's, loaded by the same generator with the same settings, plus p99 at 2,000 reports/s for
# both. Runs the echo (treasurehunt.baselines.EchoServer + EchoSimulation) and then the engine (the node
# jar + SteadySimulation), back to back, each on a fresh JVM (and the engine on a fresh data directory),
# on loopback ports; stops by itself (a hard `timeout` around everything, 880 s by default) and kills what
# it started on exit.
#
#   bash simulations/ratio.sh                       # 2,000 clients, steps of 30 s: ~10 min
#   USERS=500 RAMP_S=10 STEPS=1000,250,0 STEP_S=15 bash simulations/ratio.sh    # a quick check
#
# The load (the same for both): USERS clients connect over RAMP_S seconds, then every client reports at
# the step's interval (STEPS, ms, each held STEP_S seconds; the first 10 s of each step are left out of
# its figures), always waiting for the answer to its previous report before it sends the next. So below
# saturation the rate is USERS × 1000 / interval (an open-model schedule), and past saturation each
# client's next report waits for its previous answer (a closed model): the server sets the rate, and an
# overloaded server is not buried under a queue it cannot drain. The last step, interval 0, is the pure
# closed model: every client sends its next report as soon as the previous one is answered.
#   reports/s at saturation = the highest rate of accepted answers (engine: `ack`; echo: the echoed
#     frame) of any step (the Gatling summary's facts step<i>.locationOkPerSecond);
#   p99 at 2k/s = p99 of the accepted answers during the step whose interval is USERS × 1000 / 2000 ms
#     (1000 ms with 2,000 clients; the default steps put a 1k/s step before it, so both JVMs are warm).
# The engine's answers `overloaded` (admission control) are not counted as accepted.
#
# Pairs: RUNS (1) runs the echo and the engine that many times, alternating (echo, engine, echo, engine, …,
# each on a fresh JVM), and the last line gives the median of the pairs' ratios (and of their p99s), each
# pair's own ratio before it. On a shared machine one pair's ratio moves by 15 % or more (the echo's half
# most), so a median of three is the figure to quote. A pair of the defaults takes ~8 minutes; shorter steps
# take ~5-7 (the limit grows by 880 s a pair), e.g.
#   RUNS=3 RAMP_S=20 STEPS=2000,1000,0 STEP_S=25 bash simulations/ratio.sh       # ~15-20 min
# Short steps measure the engine sooner after its start, with more of its JIT still running (BENCHMARKS.md,
# issue 13, "session 13"): compare pairs of the same settings only.
#
# Environment: USERS (2000), RAMP_S (30), STEPS (2000,1000,500,250,0), STEP_S (30), HUNTS (40), RUNS (1),
# HEAP (2g), RATIO_TIMEOUT (880 s per pair), ECHO_PORT (18320), HTTP_PORT (18310), MGMT_PORT (18311),
# CLUSTER_PORT (25650), NODE_JAR (target/treasure-hunt.jar; built when missing), GEN_EXTRA (more -D
# settings for the generator, both runs), JAVA (the java launcher of both servers; `java` on the PATH),
# SERVER_JVM (the collector options of both servers, in place of @cluster-config/jvm.options), e.g.
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java SERVER_JVM="-XX:+UseZGC" bash simulations/ratio.sh
# The bots follow docs/protocol.md §10: a report answered `overloaded` holds the bot's next one back by its
# retryAfterMs (the echo never answers so). Runs before 2026-12-01 06:00 had bots that resent at once.
# The engine's output and both summaries stay in simulations/target/ratio/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ -z "${RATIO_INNER:-}" ]]; then
  # one hard limit around everything: timeout signals its whole process group (mvn, Gatling, the node)
  exec timeout --kill-after=20 "${RATIO_TIMEOUT:-$((880 * ${RUNS:-1}))}" env RATIO_INNER=1 bash "$0" "$@"
fi

USERS="${USERS:-2000}"; RAMP_S="${RAMP_S:-30}"; STEPS="${STEPS:-2000,1000,500,250,0}"; STEP_S="${STEP_S:-30}"
HUNTS="${HUNTS:-40}"; HEAP="${HEAP:-2g}"
ECHO_PORT="${ECHO_PORT:-18320}"; HTTP_PORT="${HTTP_PORT:-18310}"; MGMT_PORT="${MGMT_PORT:-18311}"
CLUSTER_PORT="${CLUSTER_PORT:-25650}"; NODE_JAR="${NODE_JAR:-target/treasure-hunt.jar}"
ADMIN="ratio-admin-token-$RANDOM$RANDOM"
RUNS="${RUNS:-1}"
OUT="$ROOT/simulations/target/ratio"; mkdir -p "$OUT"; rm -f "$OUT"/*.json "$OUT"/pairs.txt
WORK="$(mktemp -d /tmp/th-ratio.XXXXXX)"
PIDS=()

stop_pid() {
  local pid="$1"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
stop_all() {
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  # a node killed with -9 leaves its embedded PostgreSQL behind: stop it by its own pid file
  local pg="$WORK/data/postgres/postmaster.pid"
  if [[ -f "$pg" ]]; then
    local pgpid; pgpid="$(head -1 "$pg" || true)"
    if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null; then kill "$pgpid" 2>/dev/null || true; sleep 1; fi
  fi
}
cleanup() { local rc=$?; trap - EXIT; stop_all; rm -rf "$WORK"; exit "$rc"; }
trap cleanup EXIT
trap 'echo "ratio: stopped (time limit or signal)" >&2; exit 143' TERM INT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# CPU while a server runs, once a second: "epoch ms, the server's ticks, its PostgreSQL's ticks (the engine's
# embedded one; 0 for the echo), the machine's busy ticks, the generator's ticks (Gatling's forked JVM)" (ticks
# of 1/CLK_TCK s, user + system). With the steps' windows from the summaries this gives each step's CPU per
# answer: how much of the gap between the two servers is the server's own work, how much the generator's, and
# how much the rest of the machine (PostgreSQL, the kernel's share outside those processes).
cpu_sampler() { # <pid> <file> [postgres data dir]
  local pid="$1" file="$2" pgdir="${3:-}"
  while kill -0 "$pid" 2>/dev/null; do
    local own pg=0 q
    own=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null) || break
    if [[ -n "$pgdir" && -f "$pgdir/postmaster.pid" ]]; then
      # the postmaster and its children (the backends, whose command lines do not name the data dir)
      local pm; pm=$(head -1 "$pgdir/postmaster.pid" 2>/dev/null || true)
      for q in $pm $( [[ -n "$pm" ]] && pgrep -P "$pm" 2>/dev/null ); do
        pg=$((pg + $(awk '{print $14+$15}' "/proc/$q/stat" 2>/dev/null || echo 0)))
      done
    fi
    local gen=0
    for q in $(pgrep -f -- "-Dsimulations.dir=" 2>/dev/null); do
      gen=$((gen + $(awk '{print $14+$15}' "/proc/$q/stat" 2>/dev/null || echo 0)))
    done
    echo "$(date +%s%3N) $own $pg $(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat) $gen $(awk '/^cpu /{print $9}' /proc/stat)"
    sleep 1
  done > "$file"
}
for p in "$ECHO_PORT" "$HTTP_PORT" "$MGMT_PORT" "$CLUSTER_PORT"; do
  port_free "$p" || { echo "ratio: port $p is in use (set ECHO_PORT/HTTP_PORT/MGMT_PORT/CLUSTER_PORT)"; exit 1; }
done
JAVA="${JAVA:-java}"
JVM_OPTS=()
if [[ -n "${SERVER_JVM:-}" ]]; then
  # shellcheck disable=SC2206
  JVM_OPTS+=($SERVER_JVM)
elif [[ -f cluster-config/jvm.options ]]; then
  JVM_OPTS+=("@cluster-config/jvm.options")
fi
JVM_OPTS+=("-Xms$HEAP" "-Xmx$HEAP")

[[ -f "$NODE_JAR" ]] || mvn -B -q package -DskipTests
cp "$NODE_JAR" "$WORK/node.jar"   # a concurrent rebuild cannot pull the jar from under the node
mvn -B -q -f simulations/pom.xml test-compile
mvn -B -q -f simulations/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK/sim-cp.txt" >/dev/null

# the generator's settings, identical for both runs
# GEN_EXTRA: more -D settings for both (e.g. -DlocationBackoff=false: bots that do not wait retryAfterMs)
# shellcheck disable=SC2206
GEN=(-Dusers="$USERS" -Dramp="$RAMP_S" -Dsteps="$STEPS" -DstepS="$STEP_S" -Dhunts="$HUNTS" -DchatP=0
  -Dp99Ms=600000 -DminOkPercent=0 -Dseed=42 ${GEN_EXTRA:-})
echo "ratio: $USERS clients, ramp ${RAMP_S} s, steps $STEPS ms × ${STEP_S} s; servers: $("$JAVA" -version 2>&1 | head -1) ${JVM_OPTS[*]}"

gatling() { # <class> <baseUrl> <summary name> [extra -D...]
  local class="$1" url="$2" name="$3"; shift 3
  local started=$SECONDS
  mvn -B -q -f simulations/pom.xml gatling:test -Dgatling.simulationClass="treasurehunt.simulations.$class" \
    -DbaseUrl="$url" -DsummaryDir="$WORK/summary-$name" "${GEN[@]}" "$@" > "$OUT/gatling-$name.log" 2>&1 \
    || echo "ratio: $class missed its assertions (figures kept)"
  local latest; latest=$(ls -t "$WORK/summary-$name"/*-latest.json 2>/dev/null | head -1 || true)
  if [[ -z "$latest" ]]; then echo "ratio: $class wrote no summary"; tail -30 "$OUT/gatling-$name.log"; exit 1; fi
  cp "$latest" "$OUT/$name.json"
  echo "ratio: $class done in $((SECONDS - started)) s"
}

for RUN in $(seq 1 "$RUNS"); do
if [[ "$RUNS" -gt 1 ]]; then echo "ratio: pair $RUN of $RUNS"; fi
# ---- 1. the echo baseline
"$JAVA" "${JVM_OPTS[@]}" -cp "simulations/target/classes:$(cat "$WORK/sim-cp.txt")" treasurehunt.baselines.EchoServer \
  --port "$ECHO_PORT" --interface 127.0.0.1 --seconds 900 > "$OUT/echo-server.log" 2>&1 &
PIDS+=($!)
cpu_sampler "${PIDS[0]}" "$OUT/cpu-echo.txt" &
for _ in $(seq 1 120); do port_free "$ECHO_PORT" || break; sleep 0.5; done
port_free "$ECHO_PORT" && { echo "ratio: the echo server did not start"; cat "$OUT/echo-server.log"; exit 1; }
echo "ratio: echo server on 127.0.0.1:$ECHO_PORT"
gatling EchoSimulation "http://127.0.0.1:$ECHO_PORT" echo
stop_all

# ---- 2. the engine: one node, fresh data directory, the limits per address and per player off
rm -rf "$WORK/data"
env TH_DATA_DIR="$WORK/data" TH_HTTP_PORT="$HTTP_PORT" TH_HTTP_INTERFACE=127.0.0.1 TH_MANAGEMENT_PORT="$MGMT_PORT" \
  TH_CLUSTER_HOST=127.0.0.1 TH_CLUSTER_PORT="$CLUSTER_PORT" TH_ADMIN_TOKEN="$ADMIN" TH_LOG_LEVEL=WARNING \
  TH_REGISTRATIONS_PER_MINUTE=0 TH_CHAT_PER_MINUTE=0 \
  "$JAVA" "${JVM_OPTS[@]}" -jar "$WORK/node.jar" > "$OUT/node.log" 2>&1 &
PIDS+=($!)
cpu_sampler "${PIDS[0]}" "$OUT/cpu-engine.txt" "$WORK/data/postgres" &
ready=""
for _ in $(seq 1 240); do
  if curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/ready"; then ready=1; break; fi
  kill -0 "${PIDS[0]}" 2>/dev/null || break
  sleep 0.5
done
[[ -n "$ready" ]] || { echo "ratio: the node did not become ready"; tail -30 "$OUT/node.log"; exit 1; }
echo "ratio: engine node ready on 127.0.0.1:$HTTP_PORT"
gatling SteadySimulation "http://127.0.0.1:$HTTP_PORT" engine -DadminToken="$ADMIN"
stop_all

# ---- 3. figures: each step of both, the pair's ratio, and after the last pair of several their median
python3 - "$OUT/echo.json" "$OUT/engine.json" "$USERS" "$STEPS" "$OUT/cpu-echo.txt" "$OUT/cpu-engine.txt" "$(getconf CLK_TCK)" "$(nproc)" "$RUN" "$RUNS" "$OUT/pairs.txt" <<'EOF'
import json, statistics, sys
echo, engine = (json.load(open(p)) for p in sys.argv[1:3])
tick_us = 1e6 / int(sys.argv[7])
NCPU = int(sys.argv[8])

def samples(path):
    rows = []
    try:
        for line in open(path):
            f = line.split()
            if len(f) == 6: rows.append(tuple(int(x) for x in f))
    except OSError:
        pass
    return rows

def at(rows, t, col):
    """The sampled counter `col` at epoch ms t, interpolated; None outside the samples."""
    for a, b in zip(rows, rows[1:]):
        if a[0] <= t <= b[0]:
            return a[col] + (b[col] - a[col]) * (t - a[0]) / max(1, b[0] - a[0])
    return None

def cpu_per_answer(summary, rows, i):
    """Step i's CPU per answer (µs): the server, its PostgreSQL, the machine, the generator; then the share
    of the step's time the host stole from the VM's vCPUs (%); None without samples."""
    facts = summary["facts"]
    a, b = facts.get(f"step{i}.fromEpochMs"), facts.get(f"step{i}.toEpochMs")
    if a is None or b is None: return None
    answers = sum(facts.get(f"step{i}.location{k}PerSecond", 0) for k in ("Ok", "Overloaded", "Unavailable"))
    answers *= (b - a) / 1000.0
    out = []
    for col in (1, 2, 3, 4):
        x, y = at(rows, a, col), at(rows, b, col)
        if x is None or y is None or answers <= 0: return None
        out.append((y - x) * tick_us / answers)
    x, y = at(rows, a, 5), at(rows, b, 5)
    out.append((y - x) * tick_us / ((b - a) * 1000.0 * NCPU) * 100)
    return out

cpu = {"echo": samples(sys.argv[5]), "engine": samples(sys.argv[6])}
users = int(sys.argv[3]); steps = [int(s) for s in sys.argv[4].split(",") if s.strip()]
two_k = users * 1000 // 2000

def figures(summary, group):
    facts, hist = summary["facts"], summary["histograms"]
    rows, best, p99 = [], 0, None
    for i, interval in enumerate(steps, 1):
        ok = facts.get(f"step{i}.locationOkPerSecond", 0)
        shed = facts.get(f"step{i}.locationOverloadedPerSecond", 0)
        h = hist.get(f"latency_us.location.ok.{group}.step{i}-{interval}ms", {})
        asked = "closed" if interval == 0 else f"{users * 1000 // interval}/s"
        rows.append((asked, ok, shed, h.get("p50"), h.get("p99")))
        best = max(best, ok)
        if interval == two_k and h.get("p99") is not None and p99 is None:
            p99 = h["p99"] / 1000.0
    return rows, best, p99

def ms(us):
    return "-" if us is None else f"{us / 1000.0:.1f}"

res = {}
for name, summary, group in (("echo", echo, "echo"), ("engine", engine, "players")):
    rows, best, p99 = figures(summary, group)
    res[name] = (best, p99)
    for i, (asked, ok, shed, p50, p99s) in enumerate(rows, 1):
        c = cpu_per_answer(summary, cpu[name], i)
        used = "" if c is None else (f"  CPU/answer: server {c[0]:,.0f} µs"
                                     + (f" + PostgreSQL {c[1]:,.0f} µs" if name == "engine" else "")
                                     + f", generator {c[3]:,.0f} µs, machine {c[2]:,.0f} µs"
                                     + f"; stolen {c[4]:.0f} %")
        print(f"ratio: {name:6s} asked {asked:>8s}: ok {ok:>6,}/s  overloaded {shed:>5,}/s  p50 {ms(p50)} ms  p99 {ms(p99s)} ms{used}")

def p(v):
    if v is None: return "n/a"
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms" if v >= 10 else f"{v:.2g} ms"

(e, ep), (b, bp) = res["engine"], res["echo"]
ratio = e / b if b else 0.0
line = f"{ratio:.2f} (engine {e:,}/s ÷ echo {b:,}/s) | p99 at 2k/s: engine {p(ep)}, echo {p(bp)}"
run, runs, pairs = int(sys.argv[9]), int(sys.argv[10]), sys.argv[11]
if runs == 1:
    print("ratio " + line)
    sys.exit(0)
print("ratio: this pair " + line)
with open(pairs, "a") as out:
    out.write(f"{ratio} {e} {b} {-1 if ep is None else ep} {-1 if bp is None else bp}\n")
if run == runs:
    rows = [[float(x) for x in l.split()] for l in open(pairs) if l.strip()]
    med = lambda i: statistics.median([r[i] for r in rows if r[i] >= 0] or [None])
    print(f"ratio {med(0):.2f} (median of {len(rows)} pairs: {' '.join(f'{r[0]:.2f}' for r in rows)}; "
          f"engine {med(1):,.0f}/s ÷ echo {med(2):,.0f}/s, medians) | "
          f"p99 at 2k/s: engine {p(med(3))}, echo {p(med(4))} (medians)")
EOF
if [[ "$RUNS" -gt 1 ]]; then   # keep each pair's files
  for f in echo.json engine.json cpu-echo.txt cpu-engine.txt gatling-echo.log gatling-engine.log node.log echo-server.log; do
    if [[ -f "$OUT/$f" ]]; then mv "$OUT/$f" "$OUT/${f%.*}-$RUN.${f##*.}"; fi
  done
fi
done

