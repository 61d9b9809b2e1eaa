#!/usr/bin/env bash
# Starts a Runnel broker in the foreground, as Kafka's kafka-server-start.sh starts Kafka:
#
#   bin/runnel-server-start.sh [server.properties] [--override property=value]*
#
# Without a properties file every key has its default: one broker on PLAINTEXT://localhost:9092 with data in
# ./data. The broker is built first (mvn package) when its jar is missing or older than any source file.
#
# Environment, as in Kafka's scripts:
#   RUNNEL_HEAP_OPTS             heap flags (default -Xmx1G -Xms1G)
#   RUNNEL_JVM_PERFORMANCE_OPTS  GC and JIT flags (default: G1 with Kafka's settings)
#   RUNNEL_LOG4J_OPTS            e.g. -Dlog4j2.configurationFile=/path/log4j2.xml (default: the one in the jar)
#   RUNNEL_OPTS                  any other JVM flags
#   JAVA_HOME                    the JDK to run (default: java on the PATH)
#   RUNNEL_MVN_ARGS              extra arguments for the build, e.g. -o
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  echo "USAGE: $0 [server.properties] [--override property=value]*"
  exit 0
fi

base_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$base_dir/server/target"

server_jar() {
  local jar
  for jar in "$target"/runnel-server-*.jar; do
    case "$jar" in
      *-tests.jar|*-sources.jar|*-javadoc.jar) ;;
      *) [[ -f "$jar" ]] && { echo "$jar"; return 0; } ;;
    esac
  done
  return 1
}

# Sources the broker jar and its classpath are built from.
build_inputs() {
  local module
  echo "$base_dir/pom.xml"
  for module in generator wire log server; do
    [[ -e "$base_dir/$module/pom.xml" ]] && echo "$base_dir/$module/pom.xml"
    [[ -d "$base_dir/$module/src/main" ]] && echo "$base_dir/$module/src/main"
  done
}

needs_build() {
  local jar
  jar="$(server_jar)" || return 0
  [[ -d "$target/lib" ]] || return 0
  local newer
  newer="$(build_inputs | xargs -I{} find {} -newer "$jar" -type f -print -quit 2>/dev/null | head -n 1)"
  [[ -n "$newer" ]]
}

if needs_build; then
  echo "Building Runnel (mvn package)..." >&2
  # shellcheck disable=SC2086
  (cd "$base_dir" && mvn -q -B -DskipTests ${RUNNEL_MVN_ARGS:-} package -pl server -am) >&2
fi
jar="$(server_jar)" || { echo "No server jar in $target after the build" >&2; exit 1; }

java_cmd="java"
[[ -n "${JAVA_HOME:-}" ]] && java_cmd="$JAVA_HOME/bin/java"

heap_opts="${RUNNEL_HEAP_OPTS:--Xmx1G -Xms1G}"
performance_opts="${RUNNEL_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"

# exec: the JVM replaces this shell, so SIGTERM and SIGINT reach it and its shutdown hook stops the broker cleanly.
# shellcheck disable=SC2086
exec "$java_cmd" $heap_opts $performance_opts ${RUNNEL_LOG4J_OPTS:-} ${RUNNEL_OPTS:-} \
  -cp "$jar:$target/lib/*" dev.runnel.server.RunnelServer "$@"
