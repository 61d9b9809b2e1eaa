"""Scale benchmark: many partitions and many idle connections on one broker with a 1 GiB heap.

For each broker (Runnel, then Apache Kafka 4.3.1), in a fresh data directory:
  1. start (empty) and measure;
  2. create TOPICS x PARTITIONS partitions (ScaleDriver create), measure;
  3. open CONNECTIONS idle connections, measure; produce SAMPLE x RECORDS records (acks=all) and read them back,
     measure; check every idle connection still answers;
  4. clean shutdown (SIGTERM), timed; restart (recovery after a clean shutdown), timed until every partition has a
     leader in Metadata; read the sample back;
  5. kill -9; restart (recovery after a crash), timed; read the sample back; clean shutdown.

Broker figures come from /proc/<pid> (VmRSS, VmHWM, Threads, fd count) and from `jcmd <pid> GC.class_histogram`,
whose full GC gives the live heap. Results go to target/results/<stamp>/results.json and docs/SCALE.md.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
E2E = os.path.join(ROOT, "bench", "e2e")
sys.path.insert(0, E2E)
import brokers  # noqa: E402  (bench/e2e/brokers.py: process start, ports, Kafka formatting)
import bench as e2e_bench  # noqa: E402  (its Context: classpaths and JVM flags)
import scale_report  # noqa: E402

QUICK = os.environ.get("QUICK", "0") == "1"
TOPICS = int(os.environ.get("TOPICS", 10 if QUICK else 100))
PARTITIONS = int(os.environ.get("PARTITIONS", 100))
CONNECTIONS = int(os.environ.get("CONNECTIONS", 1_000 if QUICK else 10_000))
SAMPLE = int(os.environ.get("SAMPLE", 100 if QUICK else 1_000))
RECORDS = int(os.environ.get("RECORDS", 100))
BROKERS = os.environ.get("BROKERS", "runnel,kafka").split(",")
START_TIMEOUT = int(os.environ.get("START_TIMEOUT", 600))
# Kafka's defaults everywhere, except what a benchmark on a shared disk needs.
SETTINGS = {"num.partitions": 1, "auto.create.topics.enable": "false"}


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
            elif key == "Threads":
                out[key] = int(value)
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return out


def live_heap_bytes(pid):
    """Bytes of live objects: GC.class_histogram runs a full GC first and ends with a Total line."""
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=300).stdout
    for line in reversed(out.splitlines()):
        if line.strip().startswith("Total"):
            return int(line.split()[2])
    return None


def measure(broker, label, results):
    if not broker.alive():
        raise RuntimeError(f"broker exited with {broker.proc.returncode} before '{label}'; see {broker.name}-broker.log")
    pid = broker.proc.pid
    m = proc_status(pid)
    m["live_heap"] = live_heap_bytes(pid)
    m["cpu_s"] = brokers.cpu_seconds(pid)
    results.setdefault("samples", {})[label] = m
    print(f"  [{broker.name}] {label}: rss={m['VmRSS'] >> 20} MiB hwm={m['VmHWM'] >> 20} MiB "
          f"heap={(m['live_heap'] or 0) >> 20} MiB threads={m['Threads']} fds={m['fds']}", file=sys.stderr)


def partitions_with_leader(port, timeout=5.0):
    """Metadata v4 for all topics: (brokers, partitions with error 0 and a leader)."""
    import socket
    client_id = b"runnel-scale-probe"
    body = struct.pack(">hhih", 3, 4, 1, len(client_id)) + client_id + struct.pack(">i?", -1, False)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", brokers._read_exactly(s, 4))[0]
        r = brokers._read_exactly(s, size)
    pos = 8  # correlation id, throttle time

    def i16():
        nonlocal pos
        pos += 2
        return struct.unpack_from(">h", r, pos - 2)[0]

    def i32():
        nonlocal pos
        pos += 4
        return struct.unpack_from(">i", r, pos - 4)[0]

    def string():
        nonlocal pos
        n = i16()
        pos += max(n, 0)

    broker_count = i32()
    for _ in range(broker_count):
        i32(); string(); i32(); string()
    string()  # cluster id
    i32()  # controller
    ready = 0
    for _ in range(i32()):
        i16(); string(); pos += 1
        for _ in range(i32()):
            error = i16(); i32(); leader = i32()
            replicas = i32()
            pos += 4 * replicas
            isr = i32()
            pos += 4 * isr
            if error == 0 and leader >= 0:
                ready += 1
    return broker_count, ready


def start(broker, expected, results, label):
    """Starts the broker; the clock runs from launch until every expected partition has a leader."""
    launched = time.monotonic()
    broker.start(START_TIMEOUT)
    ready = -1
    while time.monotonic() - launched < START_TIMEOUT:
        try:
            _, ready = partitions_with_leader(broker.port)
            if ready >= expected:
                break
        except (OSError, struct.error):
            pass
        time.sleep(0.05)
    results[f"{label}_s"] = time.monotonic() - launched
    results[f"{label}_first_answer_s"] = broker.startup_seconds
    print(f"  [{broker.name}] {label}: {results[f'{label}_s']:.2f} s ({ready}/{expected} partitions led)",
          file=sys.stderr)


def driver(ctx, args, workdir, name, interactive=None, sink=None):
    """Runs ScaleDriver; interactive(phase) is called at each PAUSE. Returns {phase: values}, also put into sink
    as they arrive (so a broker failing mid-way keeps the figures measured before)."""
    cmd = ["java", "-Xmx1G", "-XX:+UseG1GC", "-cp", ctx.kafka_classpath, os.path.join(HERE, "ScaleDriver.java"), *args]
    ctx.record_command(f"driver {args[0]}", [c.replace(HERE, "bench/scale") for c in cmd])
    out = {}
    with open(os.path.join(workdir, f"driver-{name}.log"), "w") as log:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=workdir)
        for line in p.stdout:
            log.write(line)
            log.flush()
            if line.startswith("RESULT "):
                r = json.loads(line[7:])
                out[r["phase"]] = r["values"]
                if sink is not None:
                    sink[r["phase"]] = r["values"]
                print(f"  {r['phase']}: {json.dumps(r['values'])}", file=sys.stderr)
            elif line.startswith("PAUSE ") and interactive:
                interactive(line.split()[1])
                p.stdin.write("go\n")
                p.stdin.flush()
        if p.wait() != 0:
            raise RuntimeError(f"driver {args[0]} exited with {p.returncode}; see {log.name}")
    return out


def run_broker(ctx, cls, name, out_dir):
    workdir = os.path.join(out_dir, name)
    os.makedirs(workdir)
    broker = cls(f"{name}-1-fresh", workdir, SETTINGS, ctx)
    results = {}
    expected = TOPICS * PARTITIONS
    try:
        start(broker, 0, results, "startup_empty")
        measure(broker, "empty", results)
        results["create"] = driver(ctx, ["create", broker.bootstrap, str(TOPICS), str(PARTITIONS)], workdir,
                                   "create")["create"]
        measure(broker, "partitions", results)
        driver(ctx, ["hold", broker.bootstrap, str(CONNECTIONS), str(SAMPLE), str(RECORDS)], workdir, "hold",
               lambda phase: measure(broker, phase, results), sink=results)
        measure(broker, "after_load", results)
        results["clean_shutdown_s"] = broker.stop(timeout=600)
        print(f"  [{name}] clean shutdown: {results['clean_shutdown_s']} s", file=sys.stderr)

        broker = cls(f"{name}-2-after-clean", workdir, SETTINGS, ctx)
        start(broker, expected, results, "startup_after_clean")
        measure(broker, "restarted", results)
        results["verify_after_clean"] = driver(ctx, ["verify", broker.bootstrap, str(SAMPLE), str(RECORDS)], workdir,
                                               "verify-clean")["verify"]
        os.killpg(broker.proc.pid, signal.SIGKILL)
        broker.proc.wait()
        broker.log.close()

        broker = cls(f"{name}-3-after-kill", workdir, SETTINGS, ctx)
        start(broker, expected, results, "startup_after_kill")
        results["verify_after_kill"] = driver(ctx, ["verify", broker.bootstrap, str(SAMPLE), str(RECORDS)], workdir,
                                              "verify-kill")["verify"]
        results["final_shutdown_s"] = broker.stop(timeout=600)
    except Exception as e:  # a broker that fails at scale is a result, not a crash of the benchmark
        results["error"] = repr(e)
        print(f"  [{name}] FAILED: {e!r}", file=sys.stderr)
        if broker.alive():
            broker.stop(timeout=120)
    return results


class RestartableKafka(brokers.KafkaBroker):
    """Formats its storage once: a restart reuses the data directory, properties and ports."""
    formatted = {}

    def __init__(self, name, workdir, settings, ctx):
        super().__init__(name, workdir, settings, ctx)
        if workdir in self.formatted:
            self.port, self.controller_port = self.formatted[workdir]

    def prepare(self):
        if self.workdir not in self.formatted:
            super().prepare()
            self.formatted[self.workdir] = (self.port, self.controller_port)


class RestartableRunnel(brokers.RunnelBroker):
    ports = {}

    def __init__(self, name, workdir, settings, ctx):
        super().__init__(name, workdir, settings, ctx)
        self.port = self.ports.setdefault(workdir, self.port)


def main():
    ctx = e2e_bench.Context()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = os.path.join(HERE, "target", "results", stamp)
    os.makedirs(out_dir)
    config = {"quick": QUICK, "topics": TOPICS, "partitions": PARTITIONS, "connections": CONNECTIONS,
              "sample": SAMPLE, "records": RECORDS, "settings": SETTINGS, "ulimit_n": os.sysconf("SC_OPEN_MAX"),
              "note": os.environ.get("NOTE", "")}
    runs = {"config": config, "brokers": {}}
    print(f"Scale run: {TOPICS * PARTITIONS} partitions, {CONNECTIONS} connections; logs in {out_dir}",
          file=sys.stderr)
    for name in BROKERS:
        cls = RestartableRunnel if name == "runnel" else RestartableKafka
        print(f"{name}:", file=sys.stderr)
        runs["brokers"][name] = run_broker(ctx, cls, name, out_dir)
        with open(os.path.join(out_dir, "results.json"), "w") as f:
            json.dump(runs, f, indent=2)
    runs["commands"] = list(ctx.commands.values())
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(runs, f, indent=2)
    if os.environ.get("WRITE_DOCS", "0" if QUICK else "1") == "1":
        scale_report.write([(runs, os.path.join(out_dir, "results.json"))], os.path.join(ROOT, "docs", "SCALE.md"))
    print(f"results: {out_dir}/results.json", file=sys.stderr)


if __name__ == "__main__":
    main()
