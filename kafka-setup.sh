#!/usr/bin/env bash
# kafka-setup.sh — a real Apache Kafka for tweetpulse, no Docker needed.
#
#   ./kafka-setup.sh start    start a single-node KRaft broker (or use yours) and create the topics
#   ./kafka-setup.sh stop     stop it (gracefully, then by pid)
#   ./kafka-setup.sh status   say whether it runs and where (exit 0 if it does, 3 if not)
#   ./kafka-setup.sh topics   create the topics if missing and list them
#   ./kafka-setup.sh libs     only fetch Kafka's jars (cached in .kafka/libs)
#
# Which Kafka:
#   KAFKA_BOOTSTRAP_SERVERS=host:port  use that cluster; only create topics (KAFKA_COMMAND_CONFIG=file
#                                      gives client settings such as SASL for kafka-topics)
#   KAFKA_HOME=/opt/kafka              run that installation's scripts
#   (neither)                          fetch Kafka's jars from Maven Central with Maven (pinned in
#                                      scripts/kafka/pom.xml) and run the broker from them
# Settings (environment):
#   KAFKA_PORT=9092  KAFKA_CONTROLLER_PORT=9093  KAFKA_STATE_DIR=.kafka  KAFKA_LIBS_DIR=.kafka/libs
#   KAFKA_HEAP=512m  KAFKA_START_TIMEOUT=90  TWEETS_TOPIC=tweets  TWEETS_PARTITIONS=12
#   PRICES_TOPIC=prices
#   JAVA=java  MVN=mvn  (which java and Maven to use)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
STATE_DIR="${KAFKA_STATE_DIR:-$ROOT/.kafka}"
LIBS_DIR="${KAFKA_LIBS_DIR:-$ROOT/.kafka/libs}"
HEAP="${KAFKA_HEAP:-512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
TOPIC="${TWEETS_TOPIC:-tweets}"
PARTITIONS="${TWEETS_PARTITIONS:-12}"  # divides evenly over 1, 2, 3, 4, 6 or 12 workers
PRICES="${PRICES_TOPIC:-prices}"  # price ticks (tweetpulse prices), key = product
POM="$ROOT/scripts/kafka/pom.xml"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
PID_FILE="$STATE_DIR/kafka.pid"
LOG_DIR="$STATE_DIR/logs"
PROPS="$STATE_DIR/server.properties"

say() { echo "kafka-setup: $*"; }
die() { echo "kafka-setup: error: $*" >&2; exit 1; }

bootstrap() { echo "${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$PORT}"; }

# --- which Kafka -----------------------------------------------------------------------------
mode() {
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then echo external
  elif [[ -n "${KAFKA_HOME:-}" ]]; then echo home
  else echo maven
  fi
}

need_java() {
  command -v "$JAVA" >/dev/null 2>&1 ||
    die "java not found ($JAVA): install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless), or set KAFKA_BOOTSTRAP_SERVERS to use a running Kafka"
}

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM"; }

# Fetch the broker's jars once; the stamp records the pom they came from, so a second start
# downloads nothing and a changed pom fetches again.
fetch_libs() {
  local stamp="$LIBS_DIR/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  need_java
  command -v "$MVN" >/dev/null 2>&1 ||
    die "mvn not found ($MVN): install Maven (apt-get install maven) to fetch Kafka's jars, or set KAFKA_HOME to an installed Kafka"
  say "fetching Apache Kafka $(kafka_version) from Maven Central into $LIBS_DIR (once: about 45 jars,"
  say "  45 MB, usually 1-3 minutes; Maven's log: $STATE_DIR/maven.log)"
  rm -rf "$LIBS_DIR.tmp"
  local start=$SECONDS mvn_pid tick=0
  "$MVN" -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIBS_DIR.tmp" >"$STATE_DIR/maven.log" 2>&1 &
  mvn_pid=$!
  while kill -0 "$mvn_pid" 2>/dev/null; do  # a line every 15 s, so a slow network does not look hung
    sleep 1; tick=$((tick + 1))
    if ((tick % 15 == 0)) && kill -0 "$mvn_pid" 2>/dev/null; then
      say "  still fetching Kafka's jars ($((SECONDS - start)) s)"
    fi
  done
  if ! wait "$mvn_pid"; then
    tail -n 20 "$STATE_DIR/maven.log" >&2
    die "Maven could not fetch Kafka's jars (log: $STATE_DIR/maven.log): check network access to Maven Central"
  fi
  rm -rf "$LIBS_DIR"
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
  echo "$want" >"$stamp"
  say "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $((SECONDS - start)) s"
}

# run_class CLASS ARGS...: a Kafka main class on the fetched classpath (quoted, so java expands it)
run_class() {
  local cls="$1"; shift
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STATE_DIR/tools-log4j2.properties" \
    -cp "$LIBS_DIR/*" "$cls" "$@"
}

kafka_topics() {
  case "$(mode)" in
    home) "$KAFKA_HOME/bin/kafka-topics.sh" "$@" ;;
    *) run_class org.apache.kafka.tools.TopicCommand "$@" ;;
  esac
}

# --- process state ---------------------------------------------------------------------------
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  mkdir -p "$STATE_DIR/data" "$LOG_DIR"
  cat >"$PROPS" <<EOF
# written by kafka-setup.sh: one node that is both broker and KRaft controller
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE_DIR/data
num.partitions=$PARTITIONS
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# a new group forms 100 ms after its first member's join (Kafka's default: 3 s), so a listener's
# workers, which join a few ms apart, start in one generation, each with its share of the partitions
group.initial.rebalance.delay.ms=100
# small heap: the log cleaner's dedupe buffer defaults to 128 MB
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
EOF
  local appender
  for appender in server tools; do
    local target="$LOG_DIR/$appender.log"
    cat >"$STATE_DIR/$appender-log4j2.properties" <<EOF
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = $target
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
EOF
  done
  sed -i 's/^rootLogger.level = INFO/rootLogger.level = WARN/' "$STATE_DIR/tools-log4j2.properties"
}

format_storage() {
  [[ -f "$STATE_DIR/data/meta.properties" ]] && return 0
  local id
  if [[ "$(mode)" == home ]]; then
    id="$("$KAFKA_HOME/bin/kafka-storage.sh" random-uuid)"
    "$KAFKA_HOME/bin/kafka-storage.sh" format --standalone -t "$id" -c "$PROPS" >"$LOG_DIR/format.log" 2>&1 ||
      { cat "$LOG_DIR/format.log" >&2; die "formatting the storage in $STATE_DIR/data failed"; }
  else
    id="$(run_class kafka.tools.StorageTool random-uuid)"
    run_class kafka.tools.StorageTool format --standalone -t "$id" -c "$PROPS" >"$LOG_DIR/format.log" 2>&1 ||
      { cat "$LOG_DIR/format.log" >&2; die "formatting the storage in $STATE_DIR/data failed"; }
  fi
}

launch() {
  local heap_opts="-Xmx$HEAP -Xms128m"
  if [[ "$(mode)" == home ]]; then
    KAFKA_HEAP_OPTS="$heap_opts" LOG_DIR="$LOG_DIR" \
      KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=$STATE_DIR/server-log4j2.properties" \
      nohup "$KAFKA_HOME/bin/kafka-server-start.sh" "$PROPS" >"$LOG_DIR/kafka.out" 2>&1 &
  else
    # shellcheck disable=SC2086
    nohup "$JAVA" $heap_opts -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$STATE_DIR/server-log4j2.properties" -Dkafka.logs.dir="$LOG_DIR" \
      -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS" >"$LOG_DIR/kafka.out" 2>&1 &
  fi
  echo $! >"$PID_FILE"
}

broker_log_tail() {
  echo "---- last lines of $LOG_DIR/server.log and kafka.out ----" >&2
  tail -n 25 "$LOG_DIR/server.log" 2>/dev/null >&2 || true
  tail -n 10 "$LOG_DIR/kafka.out" 2>/dev/null >&2 || true
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) pid="$1"
  until port_open "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      broker_log_tail
      rm -f "$PID_FILE"
      die "the broker exited during start-up (see above); if the storage is damaged, './kafka-setup.sh stop' then delete $STATE_DIR/data"
    fi
    if ((SECONDS >= deadline)); then
      broker_log_tail
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "the broker did not open port $PORT within ${START_TIMEOUT}s; raise KAFKA_START_TIMEOUT or check the log above"
    fi
    sleep 0.3
  done
  # a real metadata request: the broker must list its topics before we call it up
  local left=$((deadline - SECONDS)); ((left < 10)) && left=10
  if ! kafka_topics --bootstrap-server "$(bootstrap)" --list >/dev/null 2>"$LOG_DIR/ready.err"; then
    broker_log_tail
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    die "the broker opened port $PORT but did not answer a metadata request; see the log above"
  fi
}

create_topics() {
  local extra=()
  [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]] && extra=(--command-config "$KAFKA_COMMAND_CONFIG")
  local t parts config
  # TOPIC.status: the streamer's source state (connected / reconnecting …) for the page, one compacted record per source
  for t in "$TOPIC" "$TOPIC.dlq" "$TOPIC.status" "$PRICES" "$PRICES.dlq" "$PRICES.status"; do
    parts="$PARTITIONS"; [[ "$t" != "$TOPIC" && "$t" != "$PRICES" ]] && parts=1
    config=(); [[ "$t" == *.status ]] && config=(--config cleanup.policy=compact)
    kafka_topics --bootstrap-server "$(bootstrap)" "${extra[@]}" --create --if-not-exists \
      --topic "$t" --partitions "$parts" --replication-factor "${TWEETS_REPLICATION:-1}" "${config[@]}" >/dev/null ||
      die "could not create topic $t on $(bootstrap); check that the cluster answers and you may create topics"
  done
  say "topics ready on $(bootstrap): $TOPIC ($PARTITIONS partitions), $TOPIC.dlq, $TOPIC.status, $PRICES, $PRICES.dlq, $PRICES.status"
}

prepare_tools() {
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  case "$(mode)" in
    home) [[ -x "$KAFKA_HOME/bin/kafka-topics.sh" ]] ||
            die "KAFKA_HOME=$KAFKA_HOME has no bin/kafka-topics.sh: point it at an unpacked Apache Kafka" ;;
    *) fetch_libs ;;
  esac
  [[ -f "$STATE_DIR/tools-log4j2.properties" ]] || write_config
}

# --- commands --------------------------------------------------------------------------------
cmd_start() {
  if [[ "$(mode)" == external ]]; then
    say "using the cluster at KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS (nothing to start)"
    prepare_tools
    create_topics
    return 0
  fi
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on $(bootstrap)"
    return 0
  fi
  need_java
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  if port_open "$PORT"; then
    die "port $PORT is taken by another program: stop it, or pick a free one with KAFKA_PORT=... (or use that broker with KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$PORT)"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $CONTROLLER_PORT is taken by another program: pick a free one with KAFKA_CONTROLLER_PORT=..."
  fi
  prepare_tools
  write_config
  format_storage
  say "starting Kafka $( [[ "$(mode)" == home ]] && echo "from $KAFKA_HOME" || kafka_version) on $(bootstrap) (state in $STATE_DIR)"
  launch
  wait_ready "$(cat "$PID_FILE")"
  create_topics
  say "Kafka is up on $(bootstrap) (pid $(cat "$PID_FILE"), logs in $LOG_DIR)"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "broker did not stop within 30s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  local pid
  if [[ "$(mode)" == external ]]; then
    say "using the cluster at KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"
    return 0
  fi
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then say "running (pid $pid) on $(bootstrap)"; else say "starting (pid $pid), port $PORT not open yet"; fi
    return 0
  fi
  say "not running (start it with ./kafka-setup.sh start)"
  return 3
}

cmd_topics() {
  prepare_tools
  create_topics
  kafka_topics --bootstrap-server "$(bootstrap)" ${KAFKA_COMMAND_CONFIG:+--command-config "$KAFKA_COMMAND_CONFIG"} --list
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  topics) cmd_topics ;;
  libs) mkdir -p "$STATE_DIR"; fetch_libs; say "jars in $LIBS_DIR" ;;
  *) echo "usage: $0 start|stop|status|topics|libs  (see the header of this script for settings)" >&2; exit 2 ;;
esac
