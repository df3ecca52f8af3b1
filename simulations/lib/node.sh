# Shared by the scripted runs that start one node from the jar (smoke.sh, junk-ids.sh, idle.sh): free loopback
# ports, and a cleanup that stops the node and, should it have been killed with -9, its embedded
# PostgreSQL. Source it after setting WORK (the run's temporary directory) and NODE_PID="".
#
#   source "$ROOT/simulations/lib/node.sh"; trap node_cleanup EXIT

# Stops the node (SIGTERM, up to 30 s, then -9) and a PostgreSQL it left behind, prints the node's last log
# lines when the run failed, removes $WORK and exits with the run's status.
node_cleanup() {
  local rc=$?
  if [[ -n "${NODE_PID:-}" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$NODE_PID" 2>/dev/null || true
  fi
  # a node killed with -9 leaves its embedded PostgreSQL behind: stop it by its own pid file
  local pg="$WORK/data/postgres/postmaster.pid"
  if [[ -f "$pg" ]]; then
    local pgpid; pgpid="$(head -1 "$pg" || true)"
    if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null; then kill "$pgpid" 2>/dev/null || true; sleep 1; fi
  fi
  if [[ $rc -ne 0 && -f "$WORK/node.log" ]]; then echo "---- node log (last 40 lines)"; tail -40 "$WORK/node.log"; fi
  rm -rf "$WORK"
  exit $rc
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free loopback port in 30000-31999.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 30000 + RANDOM % 2000 ))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}
