#!/usr/bin/env bash
# mongodb-setup.sh — a MongoDB-wire-protocol server for tweetpulse, no Docker needed.
#
#   scripts/mongodb-setup.sh start    start a private server (or use yours); the last line printed is its URL
#   scripts/mongodb-setup.sh stop     stop it (SIGTERM, then SIGKILL)
#   scripts/mongodb-setup.sh status   say whether it runs and where (exit 0 if it does, 3 if not)
#   scripts/mongodb-setup.sh url      print the URL (mongodb://127.0.0.1:port/tweetpulse)
#
# Which server:
#   MONGODB_URL=mongodb://user:password@host:port/db   use that server (a real MongoDB, Atlas, ...):
#                 start and status only check that it answers
#   (otherwise)   a private server on 127.0.0.1: FerretDB 1.x (Apache-2.0, the MongoDB wire protocol
#                 over SQLite files) embedded in a small Go program (scripts/mongodb/main.go), built once
#                 with the Go toolchain into MONGODB_BIN_DIR (about two minutes the first time;
#                 the modules come from the Go module proxy) and rebuilt when its sources change.
# Settings (environment):
#   MONGODB_PORT=27017  MONGODB_STATE_DIR=.mongodb  MONGODB_DB=tweetpulse  MONGODB_START_TIMEOUT=60  GO=go
#   MONGODB_BIN_DIR=.mongodb/bin (where the built server is kept; shared by every state dir)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${MONGODB_PORT:-27017}"
STATE_DIR="${MONGODB_STATE_DIR:-$ROOT/.mongodb}"
DB="${MONGODB_DB:-tweetpulse}"
START_TIMEOUT="${MONGODB_START_TIMEOUT:-60}"
GO="${GO:-go}"
SRC="$ROOT/scripts/mongodb"
BIN_DIR="${MONGODB_BIN_DIR:-$ROOT/.mongodb/bin}"
BIN="$BIN_DIR/tweetpulse-mongodb"
STAMP="$BIN_DIR/.sources"
PID_FILE="$STATE_DIR/server.pid"
PORT_FILE="$STATE_DIR/port"
LOG_DIR="$STATE_DIR/logs"

say() { echo "mongodb-setup: $*"; }
die() { echo "mongodb-setup: error: $*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
live_port() { if [[ -f "$PORT_FILE" ]]; then cat "$PORT_FILE"; else echo "$PORT"; fi; }
private_url() { echo "mongodb://127.0.0.1:$(live_port)/$DB"; }
masked() { sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<<"$1"; }

sources_sum() { cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -d' ' -f1; }

build() {
  if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$(sources_sum)" ]]; then return 0; fi
  command -v "$GO" >/dev/null 2>&1 ||
    die "go not found ($GO): install Go 1.24+ to build the local server, or set MONGODB_URL to use a running MongoDB"
  mkdir -p "$BIN_DIR"
  say "building the local server (FerretDB embedded; about two minutes the first time) into $BIN"
  (cd "$SRC" && "$GO" build -o "$BIN.tmp" .) || die "the build failed (see above); or set MONGODB_URL to use a running MongoDB"
  mv "$BIN.tmp" "$BIN"
  sources_sum >"$STAMP"
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q tweetpulse-mongodb "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

# does the server at $1 answer a ping? (python3 with pymongo from the project's .venv when there)
ping_url() {
  local py="$ROOT/.venv/bin/python"
  [[ -x "$py" ]] || py=python3
  "$py" - "$1" <<'PY'
import sys
try:
    import pymongo
except ImportError:
    sys.exit("pymongo is not installed: run make setup")
try:
    pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=5000).admin.command("ping")
except Exception as exc:  # one line, whatever it is
    sys.exit(str(exc).splitlines()[0][:300])
PY
}

cmd_start() {
  if [[ -n "${MONGODB_URL:-}" ]]; then
    ping_url "$MONGODB_URL" || die "the server at MONGODB_URL ($(masked "$MONGODB_URL")) does not answer"
    say "using the server at MONGODB_URL: it answers"
    echo "$MONGODB_URL"
    return 0
  fi
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$(live_port)"
    private_url
    return 0
  fi
  port_open "$PORT" && die "port $PORT is taken by another program: set MONGODB_PORT to a free port"
  build
  mkdir -p "$STATE_DIR/data" "$LOG_DIR"
  echo "$PORT" >"$PORT_FILE"
  say "starting on 127.0.0.1:$PORT (data in $STATE_DIR/data, log in $LOG_DIR/server.log)"
  nohup "$BIN" -listen "127.0.0.1:$PORT" -data "$STATE_DIR/data" >>"$LOG_DIR/server.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local waited=0
  until port_open "$PORT"; do
    if ! running_pid >/dev/null; then tail -n 5 "$LOG_DIR/server.log" >&2; die "the server exited at start"; fi
    (( waited++ >= START_TIMEOUT * 5 )) && die "the server did not listen within ${START_TIMEOUT}s (see $LOG_DIR/server.log)"
    sleep 0.2
  done
  say "running (pid $(cat "$PID_FILE"))"
  private_url
}

cmd_stop() {
  if [[ -n "${MONGODB_URL:-}" ]]; then say "MONGODB_URL is set: nothing of ours to stop"; return 0; fi
  local pid
  if ! pid="$(running_pid)"; then say "not running"; rm -f "$PID_FILE"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  if [[ -n "${MONGODB_URL:-}" ]]; then
    if ping_url "$MONGODB_URL" >/dev/null 2>&1; then say "using the server at MONGODB_URL: it answers"; return 0; fi
    say "the server at MONGODB_URL does not answer"
    return 3
  fi
  local pid
  if pid="$(running_pid)"; then say "running (pid $pid) on 127.0.0.1:$(live_port) (state in $STATE_DIR)"; return 0; fi
  say "not running (start it with scripts/mongodb-setup.sh start)"
  return 3
}

cmd_url() { if [[ -n "${MONGODB_URL:-}" ]]; then echo "$MONGODB_URL"; else private_url; fi; }

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) cmd_url ;;
  build) build ;;
  *) echo "usage: $0 start|stop|status|url|build  (see the header of this script for settings)" >&2; exit 2 ;;
esac
