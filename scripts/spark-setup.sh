#!/usr/bin/env bash
# Set up `tweetpulse spark` without Docker (make spark):
#   1. the pinned pyspark (requirements-spark.txt) into the virtualenv (.venv, or VENV=...);
#   2. Spark's Kafka connector (spark-sql-kafka-0-10) and the jars it needs that pyspark lacks, from Maven
#      Central with Maven, once, into .spark/jars (scripts/spark/pom.xml pins the version: the pyspark one).
# tweetpulse passes that folder as spark.jars, so nothing is resolved at run time. A second run downloads
# nothing; a changed pom fetches again.
# Settings (environment): VENV=.venv  SPARK_JARS_DIR=.spark/jars  MVN=mvn  JAVA=java
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
JARS_DIR="${SPARK_JARS_DIR:-$ROOT/.spark/jars}"
POM="$ROOT/scripts/spark/pom.xml"
MVN="${MVN:-mvn}"
JAVA="${JAVA:-java}"

say() { echo "spark-setup: $*"; }
die() { echo "spark-setup: error: $*" >&2; exit 1; }

[[ -x "$VENV/bin/python" ]] || die "no virtualenv at $VENV: run make setup first"
command -v "$JAVA" >/dev/null 2>&1 || die "java not found ($JAVA): install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)"

pom_version() { sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$POM"; }
pinned() { sed -n 's/^pyspark==\(.*\)$/\1/p' "$ROOT/requirements-spark.txt"; }
[[ "$(pom_version)" == "$(pinned)" ]] ||
  die "scripts/spark/pom.xml pins Spark $(pom_version) but requirements-spark.txt pins pyspark $(pinned): make them equal"

if [[ "$("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null)" != "$(pinned)" ]]; then
  say "installing pyspark $(pinned) into $VENV (about 450 MB, once)"
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements-spark.txt" -c "$ROOT/constraints.txt"
fi

stamp="$JARS_DIR/.pom.sha256"
want="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  say "pyspark $(pinned) and the Kafka connector in $JARS_DIR are ready"
  exit 0
fi
command -v "$MVN" >/dev/null 2>&1 ||
  die "mvn not found ($MVN): install Maven (apt-get install maven) to fetch Spark's Kafka connector"
say "fetching spark-sql-kafka-0-10_2.13 $(pom_version) from Maven Central into $JARS_DIR (once)"
mkdir -p "$(dirname "$JARS_DIR")"
rm -rf "$JARS_DIR.tmp"
log="$(dirname "$JARS_DIR")/maven.log"
if ! "$MVN" -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$JARS_DIR.tmp" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "Maven could not fetch the connector (log: $log): check network access to Maven Central"
fi
echo "$want" >"$JARS_DIR.tmp/.pom.sha256"
rm -rf "$JARS_DIR"
mv "$JARS_DIR.tmp" "$JARS_DIR"
say "ready: $(ls "$JARS_DIR" | tr '\n' ' ')"
