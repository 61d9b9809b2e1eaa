#!/usr/bin/env bash
# Scale benchmark: 10,000 partitions and 10,000 idle connections on one broker with a 1 GiB heap, Runnel and
# Apache Kafka 4.3.1 measured in the same run (bench/scale/README.md).
#
#   bench/scale/run.sh            # 100 topics x 100 partitions, 10,000 connections; writes docs/SCALE.md
#   QUICK=1 bench/scale/run.sh    # smoke run: 1,000 partitions, 1,000 connections (docs not written)
#
# Fetches Kafka's jars into bench/e2e/target/kafka-lib (once; the driver uses their kafka-clients), builds
# Runnel's broker when any source is newer than its jar, raises the open-file limit, then runs scale.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ ! -f "$root/bench/e2e/target/kafka-lib/kafka_2.13-4.3.1.jar" ]]; then
  echo "Fetching Apache Kafka 4.3.1 from Maven Central..." >&2
  mvn -q -B -f "$root/bench/e2e/pom.xml" dependency:copy-dependencies >&2
fi

jar="$(ls "$root"/server/target/runnel-server-*.jar 2>/dev/null | grep -v -e '-tests\.jar' -e '-sources\.jar' | head -n 1 || true)"
stale=0
if [[ -z "$jar" || ! -d "$root/server/target/lib" ]]; then
  stale=1
else
  for module in pom.xml generator wire log server; do
    [[ -e "$root/$module" ]] || continue
    src="$root/$module"; [[ -d "$src/src/main" ]] && src="$src/src/main $root/$module/pom.xml"
    # shellcheck disable=SC2086
    if [[ -n "$(find $src -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then stale=1; break; fi
  done
fi
if [[ "$stale" == "1" ]]; then
  echo "Building Runnel (mvn package -pl server -am)..." >&2
  # shellcheck disable=SC2086
  (cd "$root" && mvn -q -B -DskipTests ${RUNNEL_MVN_ARGS:-} package -pl server -am) >&2
fi

# 10,000 sockets plus the brokers' files: Kafka keeps every segment's .log open (Kafka's docs suggest 100,000).
ulimit -n "${OPEN_FILES:-65536}" 2>/dev/null || echo "Cannot raise ulimit -n; staying at $(ulimit -n)" >&2

exec python3 "$here/scale.py" "$@"
