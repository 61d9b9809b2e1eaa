#!/usr/bin/env bash
# End-to-end benchmark: Runnel against Apache Kafka 4.3.1 on this machine, with Kafka's own tools.
#
#   bench/e2e/run.sh              # full profile (3M records per produce run, 2 rounds; over an hour)
#   QUICK=1 bench/e2e/run.sh      # smoke run (200k records, 1 round; about half an hour on 2 cores)
#
# Fetches Kafka's broker and tools from Maven Central into bench/e2e/target/kafka-lib (once), builds Runnel's
# broker (server/target) when missing, then runs bench.py. Settings: see bench/e2e/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$here/target/kafka-lib/kafka_2.13-4.3.1.jar" || ! -f "$here/target/kafka-lib/kafka-tools-4.3.1.jar" ]]; then
  echo "Fetching Apache Kafka 4.3.1 (broker and tools) from Maven Central..." >&2
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies >&2
fi

if ! ls "$root"/server/target/runnel-server-*.jar >/dev/null 2>&1 || [[ ! -d "$root/server/target/lib" ]] \
    || [[ "${REBUILD:-0}" == "1" ]]; then
  echo "Building Runnel (mvn package -pl server -am)..." >&2
  # shellcheck disable=SC2086
  (cd "$root" && mvn -q -B -DskipTests ${RUNNEL_MVN_ARGS:-} package -pl server -am) >&2
fi

exec python3 "$here/bench.py" "$@"
