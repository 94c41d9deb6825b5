#!/usr/bin/env bash
# postgres-setup.sh — a real PostgreSQL for tweetpulse, no Docker needed.
#
#   scripts/postgres-setup.sh start    start a private cluster (or use yours) and create the database;
#                                      the last line printed is the URL to connect with
#   scripts/postgres-setup.sh stop     stop it (fast shutdown, then immediate)
#   scripts/postgres-setup.sh status   say whether it runs and where (exit 0 if it does, 3 if not)
#   scripts/postgres-setup.sh url      print the URL (postgresql://user:password@127.0.0.1:port/db)
#
# Which PostgreSQL:
#   POSTGRES_URL=postgresql://u:p@host:port/db   use that server; only create the database
#   (otherwise)   a private cluster: initdb under POSTGRES_STATE_DIR/data, run by a non-root OS user,
#                 listening on 127.0.0.1 only (no Unix socket), password (scram-sha-256) auth.
#                 The server binaries come from POSTGRES_BIN, else /usr/lib/postgresql/<version>/bin,
#                 else pg_ctl on PATH; when none is found, Debian's `postgresql` package is installed.
# Settings (environment):
#   POSTGRES_PORT=5432  POSTGRES_STATE_DIR=.postgres  POSTGRES_DB=tweetpulse  POSTGRES_USER=tweetpulse
#   POSTGRES_PASSWORD (default: random, made at initdb, kept in POSTGRES_STATE_DIR/password)
#   POSTGRES_OS_USER (when run as root: the OS user that owns and runs the cluster; default `postgres`
#   if it exists, else `tweetpulse-pg`, created if missing; when not root, the current user)
#   POSTGRES_START_TIMEOUT=60  POSTGRES_BIN=/usr/lib/postgresql/15/bin
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${POSTGRES_PORT:-5432}"
STATE_DIR="${POSTGRES_STATE_DIR:-$ROOT/.postgres}"
DB="${POSTGRES_DB:-tweetpulse}"
DB_USER="${POSTGRES_USER:-tweetpulse}"
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"
DATA="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
PASSWORD_FILE="$STATE_DIR/password"
BIN=""

say() { echo "postgres-setup: $*"; }
die() { echo "postgres-setup: error: $*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# --- the OS user that runs the cluster ---------------------------------------------------------
os_user() {
  if ! is_root; then id -un; return; fi
  if [[ -n "${POSTGRES_OS_USER:-}" ]]; then echo "$POSTGRES_OS_USER"
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo tweetpulse-pg
  fi
}

ensure_os_user() {
  local user="$1"
  is_root || return 0
  [[ "$user" != root ]] || die "POSTGRES_OS_USER=root: PostgreSQL refuses to run as root; name a non-root user"
  id "$user" >/dev/null 2>&1 && return 0
  say "creating the system user $user to own and run the cluster"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
    die "could not create the OS user $user: create it yourself, or name an existing non-root one with POSTGRES_OS_USER"
}

# as_pg CMD...: run a command as the cluster's OS user, from / (its cwd may be closed to that user)
as_pg() {
  if is_root; then (cd / && runuser -u "$(os_user)" -- "$@"); else (cd / && "$@"); fi
}

# --- the binaries ------------------------------------------------------------------------------
has_tools() { [[ -x "$1/pg_ctl" && -x "$1/initdb" && -x "$1/postgres" && -x "$1/psql" ]]; }

find_bin() {
  if [[ -n "${POSTGRES_BIN:-}" ]]; then
    has_tools "$POSTGRES_BIN" || die "POSTGRES_BIN=$POSTGRES_BIN lacks pg_ctl, initdb, postgres or psql: point it at a PostgreSQL bin folder"
    BIN="$POSTGRES_BIN"; return 0
  fi
  local dir
  if [[ -f "$DATA/PG_VERSION" ]] && has_tools "/usr/lib/postgresql/$(cat "$DATA/PG_VERSION")/bin"; then
    BIN="/usr/lib/postgresql/$(cat "$DATA/PG_VERSION")/bin"; return 0
  fi
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$dir" ]] && has_tools "$dir"; then BIN="$dir"; return 0; fi
  if command -v pg_ctl >/dev/null 2>&1; then
    dir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
    if has_tools "$dir"; then BIN="$dir"; return 0; fi
  fi
  return 1
}

install_postgres() {
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL not found and apt-get is missing: install PostgreSQL's server, point POSTGRES_BIN at its bin folder, or use a running server with POSTGRES_URL"
  local sudo=() log
  is_root || sudo=(sudo)
  log="$(mktemp "${TMPDIR:-/tmp}/postgres-setup-apt.XXXXXX")"
  say "PostgreSQL not found: installing Debian's postgresql package (log: $log)"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql; } \
      >"$log" 2>&1; then
    tail -n 15 "$log" >&2
    die "apt-get could not install postgresql (log: $log): install it yourself or set POSTGRES_BIN"
  fi
}

need_bin() {
  find_bin && return 0
  install_postgres
  find_bin || die "postgresql was installed but no pg_ctl was found under /usr/lib/postgresql: set POSTGRES_BIN to its bin folder"
}

major_version() { "$BIN/pg_ctl" --version | sed -n 's/.* \([0-9][0-9]*\).*/\1/p' | head -n 1; }

# --- URLs --------------------------------------------------------------------------------------
urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in [a-zA-Z0-9._~-]) out+="$c" ;; *) printf -v c '%%%02X' "'$c"; out+="$c" ;; esac
  done
  echo "$out"
}

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

password() {
  [[ -f "$PASSWORD_FILE" ]] || die "no cluster in $STATE_DIR yet: run 'scripts/postgres-setup.sh start' first"
  cat "$PASSWORD_FILE"
}

# the port of the running server (postmaster.pid line 4), else the configured one
live_port() {
  local p=""
  [[ -f "$DATA/postmaster.pid" ]] && p="$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)"
  echo "${p:-$PORT}"
}

private_url() {
  echo "postgresql://$(urlencode "$DB_USER"):$(urlencode "$(password)")@127.0.0.1:$(live_port)/$(urlencode "$DB")"
}

# split POSTGRES_URL into URL_BASE (scheme://authority), URL_DB (decoded) and URL_QUERY (?...)
parse_external_url() {
  local re='^(postgres(ql)?://[^/?#]*)(/([^?#]*))?(\?[^#]*)?$'
  [[ "$POSTGRES_URL" =~ $re ]] ||
    die "POSTGRES_URL is not a postgresql://user:password@host:port/database URL: fix it or unset it to run a private cluster"
  URL_BASE="${BASH_REMATCH[1]}"
  URL_QUERY="${BASH_REMATCH[5]}"
  URL_DB="$(urldecode "${BASH_REMATCH[4]}")"
  [[ -n "$URL_DB" ]] || URL_DB="$DB"
}

external_url() { echo "$URL_BASE/$(urlencode "$URL_DB")$URL_QUERY"; }

# --- talking to the server ---------------------------------------------------------------------
# run_sql CONNINFO DB_NAME < SQL: psql, no prompts, stop on the first error; :'db' / :"db" = DB_NAME
run_sql() {
  PGCONNECT_TIMEOUT=10 "$BIN/psql" -X -q -w -t -A -v ON_ERROR_STOP=1 -v db="$2" -d "$1"
}

private_conninfo() { echo "host=127.0.0.1 port=$(live_port) user=$DB_USER dbname=${1:-postgres}"; }

# ensure_database CONNINFO NAME: create the database NAME unless it exists
ensure_database() {
  local conn="$1" name="$2" found
  found="$(run_sql "$conn" "$name" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';" 2>"$ERR_FILE")" ||
    die "could not query the server ($(head -n 1 "$ERR_FILE")): check that it runs and the user and password are right"
  if [[ "$found" == 1 ]]; then
    say "database $name exists"
  else
    run_sql "$conn" "$name" <<<'CREATE DATABASE :"db";' 2>"$ERR_FILE" ||
      die "could not create database $name ($(head -n 1 "$ERR_FILE")): grant the user CREATEDB or create it yourself"
    say "created database $name"
  fi
}

# --- the private cluster -----------------------------------------------------------------------
running_pid() {
  [[ -f "$DATA/postmaster.pid" ]] || return 1
  local pid; pid="$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ "$(ps -o comm= -p "$pid")" == postgres* ]] && echo "$pid"
}

# the postmaster serving DATA, found by its command line: also one that has not written
# postmaster.pid yet (a start that timed out)
postmaster_of_data() {
  local pid
  running_pid && return 0
  for pid in $(ps -e -o pid= -o comm= | awk '$2 == "postgres" {print $1}'); do
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == "$BIN/postgres -D $DATA " ]] && { echo "$pid"; return 0; }
  done
  return 1
}

# a start that failed may leave a postmaster behind (pg_ctl's child may still be exec'ing it)
stop_half_started() {
  local pid i
  for ((i = 0; i < 10; i++)); do
    if pid="$(postmaster_of_data)"; then stop_pid "$pid"; return 0; fi
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

prepare_state_dir() {
  local user="$1"
  # the folder is handed to the cluster's OS user: never a folder that holds other things
  if [[ -d "$STATE_DIR" && -n "$(ls -A "$STATE_DIR")" && ! -e "$PASSWORD_FILE" && ! -d "$LOG_DIR" ]]; then
    die "POSTGRES_STATE_DIR=$STATE_DIR holds other files: point it at a new or empty folder"
  fi
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  chmod 700 "$STATE_DIR" "$LOG_DIR"
  STATE_DIR="$(cd "$STATE_DIR" && pwd)"; DATA="$STATE_DIR/data"; LOG_DIR="$STATE_DIR/logs"
  PASSWORD_FILE="$STATE_DIR/password"
  if is_root; then
    chown "$user:" "$STATE_DIR" "$LOG_DIR"
    as_pg test -w "$LOG_DIR" ||
      die "the OS user $user cannot reach $STATE_DIR (a folder above it is closed to other users): set POSTGRES_STATE_DIR to a place such as /var/tmp/tweetpulse-pg"
  fi
}

new_password() {
  if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then printf '%s' "$POSTGRES_PASSWORD"
  else head -c 18 /dev/urandom | base64 | tr '+/' '-_'
  fi
}

init_cluster() {
  local user="$1"
  if [[ -f "$DATA/PG_VERSION" ]]; then
    local have want; have="$(cat "$DATA/PG_VERSION")"; want="$(major_version)"
    [[ "$have" == "$want" ]] ||
      die "$DATA was made by PostgreSQL $have but the binaries in $BIN are $want: set POSTGRES_BIN to a $have bin folder, or delete $DATA"
    [[ -f "$PASSWORD_FILE" ]] || die "$PASSWORD_FILE is missing, so the cluster's password is unknown: delete $STATE_DIR and start again"
    return 0
  fi
  say "creating a cluster in $DATA (PostgreSQL $(major_version), superuser $DB_USER, run by OS user $user)"
  rm -rf "$DATA"
  (umask 077; new_password >"$PASSWORD_FILE")
  is_root && chown "$user:" "$PASSWORD_FILE"
  if ! as_pg "$BIN/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$PASSWORD_FILE" -E UTF8 --no-locale \
      --auth-host=scram-sha-256 --auth-local=scram-sha-256 >"$LOG_DIR/initdb.log" 2>&1; then
    tail -n 15 "$LOG_DIR/initdb.log" >&2
    rm -rf "$DATA" "$PASSWORD_FILE"
    die "initdb failed (log: $LOG_DIR/initdb.log); see the lines above"
  fi
  echo "include_if_exists = 'tweetpulse.conf'" >>"$DATA/postgresql.conf"
}

write_config() {
  cat >"$DATA/tweetpulse.conf" <<EOF
# written by postgres-setup.sh at each start: TCP on 127.0.0.1 only, no Unix socket
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
EOF
  is_root && chown "$(os_user):" "$DATA/tweetpulse.conf"
  chmod 600 "$DATA/tweetpulse.conf"
}

server_log_tail() {
  echo "---- last lines of $LOG_DIR/postgres.log ----" >&2
  tail -n 20 "$LOG_DIR/postgres.log" 2>/dev/null >&2 || true
}

# stop_pid PID: fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL
stop_pid() {
  local pid="$1" sig i
  for sig in INT QUIT KILL; do
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.2
    done
    say "server pid $pid did not stop after SIG$sig within 30s"
  done
}

launch() {
  local pid
  if ! as_pg "$BIN/pg_ctl" start -D "$DATA" -l "$LOG_DIR/postgres.log" -w -t "$START_TIMEOUT" -s \
      >"$LOG_DIR/pg_ctl.out" 2>&1; then
    server_log_tail
    stop_half_started
    die "the server did not get ready within ${START_TIMEOUT}s ($(tail -n 1 "$LOG_DIR/pg_ctl.out")); raise POSTGRES_START_TIMEOUT or check the log above"
  fi
  # a real query with the password, over TCP, before we call it up
  if ! PGPASSWORD="$(password)" run_sql "$(private_conninfo)" "" <<<'SELECT 1;' >/dev/null 2>"$ERR_FILE"; then
    server_log_tail
    stop_half_started
    die "the server started but did not answer a query on 127.0.0.1:$PORT ($(head -n 1 "$ERR_FILE")); see the log above"
  fi
}

# --- commands ----------------------------------------------------------------------------------
cmd_start() {
  if [[ -n "${POSTGRES_URL:-}" ]]; then
    parse_external_url
    need_bin
    say "using the server at POSTGRES_URL (nothing to start)"
    ensure_database "$URL_BASE/postgres$URL_QUERY" "$URL_DB"
    external_url
    return 0
  fi
  local pid user
  user="$(os_user)"
  if pid="$(running_pid)"; then
    find_bin || die "a server runs (pid $pid) but no PostgreSQL binaries were found: set POSTGRES_BIN"
    say "already running (pid $pid) on 127.0.0.1:$(live_port)"
  else
    if port_open "$PORT"; then
      die "port $PORT is taken by another program (perhaps the system's own PostgreSQL: pg_lsclusters): stop it, or pick a free one with POSTGRES_PORT=..., or use that server with POSTGRES_URL=..."
    fi
    need_bin
    ensure_os_user "$user"
    prepare_state_dir "$user"
    init_cluster "$user"
    write_config
    say "starting PostgreSQL $(major_version) on 127.0.0.1:$PORT (state in $STATE_DIR, OS user $user)"
    launch
    say "PostgreSQL is up on 127.0.0.1:$PORT (pid $(running_pid), logs in $LOG_DIR)"
  fi
  PGPASSWORD="$(password)" ensure_database "$(private_conninfo)" "$DB"
  private_url
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    return 0
  fi
  stop_pid "$pid"
  say "stopped"
}

cmd_status() {
  if [[ -n "${POSTGRES_URL:-}" ]]; then
    parse_external_url
    need_bin
    if run_sql "$URL_BASE/postgres$URL_QUERY" "" <<<'SELECT 1;' >/dev/null 2>"$ERR_FILE"; then
      say "using the server at POSTGRES_URL: it answers"
      return 0
    fi
    say "the server at POSTGRES_URL does not answer: $(head -n 1 "$ERR_FILE")"
    return 3
  fi
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on 127.0.0.1:$(live_port) (state in $STATE_DIR)"
    return 0
  fi
  say "not running (start it with scripts/postgres-setup.sh start)"
  return 3
}

cmd_url() {
  if [[ -n "${POSTGRES_URL:-}" ]]; then parse_external_url; external_url; else private_url; fi
}

ERR_FILE="$(mktemp "${TMPDIR:-/tmp}/postgres-setup-err.XXXXXX")"
trap 'rm -f "$ERR_FILE"' EXIT

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) cmd_url ;;
  *) echo "usage: $0 start|stop|status|url  (see the header of this script for settings)" >&2; exit 2 ;;
esac
