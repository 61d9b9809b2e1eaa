#!/usr/bin/env bash
# Builds the benchmarks (and the modules they measure) and runs JMH with the test classpath.
# Arguments go to JMH, e.g.:  bench/run.sh -f 1 -wi 3 -i 5 -w 1s -r 1s ProduceRequestDecode
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -q -B -pl bench -am test-compile
exec java -cp "bench/target/test-classes:$(cat bench/target/jmh-classpath.txt)" org.openjdk.jmh.Main "$@"
