"""End-to-end benchmark of Runnel against Apache Kafka on this machine, driven by Kafka's own tools.

Run through bench/e2e/run.sh, which fetches Kafka and builds Runnel first. For every scenario and round the two
brokers take turns (Runnel, Kafka, Runnel, Kafka, ...), each time a fresh process on a fresh data directory:
start it (timed to the first Metadata answer naming a broker), create the topic, run the workload while taking
the broker's CPU time, read its peak RSS, stop it cleanly and measure its data directory. A broker failing a
scenario is recorded as "failed: <reason>" and the run goes on. Results go to bench/e2e/target/results/<stamp>/
(results.json, logs of every process) and, with DOCS=1 (the default), to docs/PERFORMANCE.md and its chart.

Settings come from the environment (see README.md): QUICK, RECORDS, FSYNC_RECORDS, LATENCY_RECORDS, E2E_RECORDS,
ROUNDS, PROFILES, SCENARIOS, BROKERS, DOCS, NOTE.
"""
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time

from brokers import KafkaBroker, RunnelBroker, busy_fraction, busy_seconds, dir_bytes, machine_cpu_ticks
from tools import ToolFailure, Tools
import report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Broker settings given to both brokers (Kafka keys; Runnel reads the same keys with the same meaning).
COMMON_SETTINGS = {
    "num.network.threads": 3, "num.io.threads": 8, "log.segment.bytes": 1073741824,
    "num.partitions": 1, "default.replication.factor": 1, "auto.create.topics.enable": "true",
    "offsets.topic.replication.factor": 1, "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1, "group.initial.rebalance.delay.ms": 0,
    "socket.send.buffer.bytes": 102400, "socket.receive.buffer.bytes": 102400,
    "socket.request.max.bytes": 104857600,
}
PROFILE_SETTINGS = {"default": {}, "fsync": {"log.flush.interval.messages": 1}}
TUNED = {"linger.ms": 5, "batch.size": 262144}
FANOUT = 2  # consumer processes reading the same records at once after the single consumer


def env_int(name, default):
    return int(os.environ.get(name, default))


class Context:
    """What every part of a run shares: paths, classpaths, JVM flags and the commands seen (for the report)."""

    def __init__(self):
        self.quick = os.environ.get("QUICK", "0") == "1"
        self.records = env_int("RECORDS", 200_000 if self.quick else 3_000_000)
        self.fsync_records = env_int("FSYNC_RECORDS", max(self.records // 3, 1))
        self.latency_records = env_int("LATENCY_RECORDS", 50_000 if self.quick else 600_000)
        self.e2e_records = env_int("E2E_RECORDS", 2_000 if self.quick else 20_000)
        self.rounds = env_int("ROUNDS", 1 if self.quick else 2)
        self.profiles = os.environ.get("PROFILES", "default,fsync").split(",")
        self.brokers = os.environ.get("BROKERS", "runnel,kafka").split(",")
        self.scenario_filter = re.compile(os.environ.get("SCENARIOS", ".*"))
        self.tool_timeout = env_int("TOOL_TIMEOUT", 900 if self.quick else 3600)
        self.kafka_classpath = os.path.join(HERE, "target", "kafka-lib", "*")
        self.root = ROOT
        self.log4j_config = os.path.join(HERE, "log4j2.properties")
        self.tool_jvm_flags = ["-Xmx512M", "-XX:+UseG1GC", "-Djava.awt.headless=true"]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.out_dir = os.path.join(HERE, "target", "results", stamp)
        self.commands = {}

    def record_command(self, label, argv):
        """Keeps the first command of each kind, with the run-specific parts replaced by names."""
        text = " ".join(argv).replace(self.kafka_classpath, "'bench/e2e/target/kafka-lib/*'")
        text = text.replace(self.log4j_config, "bench/e2e/log4j2.properties")
        text = re.sub(r"127\.0\.0\.1:\d+", "$BOOTSTRAP", text)
        text = re.sub(r"\b(produce|latency|e2e)-\d+\b", "$TOPIC", text)
        text = re.sub(r"\bperf-fanout-\d+-", "perf-fanout-$STAMP-", text)
        key = (label, text)
        self.commands.setdefault(key, text)


def scenarios(ctx):
    """(profile, name, kind, parameters) in run order."""
    result = []
    for profile in ctx.profiles:
        records = ctx.records if profile == "default" else ctx.fsync_records
        produce = [(acks, parts, batching) for acks in ("1", "all") for parts in (1, 8)
                   for batching in ("default", "tuned")]
        if profile == "fsync":  # every record fsynced: a subset keeps the run within the hour
            produce = [("all", 1, "default"), ("all", 8, "tuned")]
        for acks, parts, batching in produce:
            props = {"acks": acks, **(TUNED if batching == "tuned" else {})}
            result.append((profile, f"produce+consume acks={acks} p={parts} {batching}", "produce",
                           {"records": records, "partitions": parts, "props": props}))
        result.append((profile, "fixed-rate latency 10000/s acks=all p=1", "latency",
                       {"records": ctx.latency_records, "partitions": 1, "props": {"acks": "all"}}))
        result.append((profile, "end-to-end latency acks=all p=1", "e2e",
                       {"records": ctx.e2e_records, "partitions": 1}))
    return [s for s in result if ctx.scenario_filter.search(f"{s[0]} {s[1]}")]


class Phase:
    """Measures one workload phase into a run's result: the broker's CPU seconds (cpu_<name>_s) and the share of
    all the machine's cores that were busy (machine_busy_<name>, 0 to 1) with the CPU seconds that makes
    (machine_cpu_<name>_s: less the broker's and the tools', what other processes used), and the part of the
    broker's CPU its JIT compiler threads used (jit_<name>_s), from before its tools start to after they exit. Used as `with phase("produce"): ...`; a phase that raises records nothing."""

    def __init__(self, broker, result):
        self.broker = broker
        self.result = result

    @contextlib.contextmanager
    def __call__(self, name):
        cpu, jit, ticks = self.broker.cpu(), self.broker.jit_cpu(), machine_cpu_ticks()
        yield
        now = machine_cpu_ticks()
        self.result[f"machine_busy_{name}"] = busy_fraction(ticks, now)
        self.result[f"machine_cpu_{name}_s"] = busy_seconds(ticks, now)
        self.result[f"cpu_{name}_s"] = self.broker.cpu() - cpu
        self.result[f"jit_{name}_s"] = self.broker.jit_cpu() - jit


def other_cpu_seconds(result):
    """CPU seconds that neither the broker nor the tools used during the workload phases (other processes on the
    machine, the harness itself): a run that others took a share of is noisier."""
    machine = sum(v for k, v in result.items() if k.startswith("machine_cpu_"))
    broker = sum(v for k, v in result.items() if k.startswith("cpu_") and k.endswith("_s"))
    tools = sum(result.get(k, 0) for k in ("producer_cpu_s", "consumer_cpu_s", "consume_x2_cpu_s", "e2e_tool_cpu_s"))
    return max(0.0, machine - broker - tools)  # not below zero from the ticks' rounding


def run_once(ctx, tools, broker_cls, name, profile, kind, params, workdir):
    """One broker, one scenario: returns a dict of measurements, or {"failed": reason}."""
    settings = {**COMMON_SETTINGS, **PROFILE_SETTINGS[profile]}
    broker = broker_cls(name, workdir, settings, ctx)
    result = {}
    try:
        broker.start(timeout=180)
        result["startup_s"] = broker.startup_seconds
        topic = f"{kind}-{int(time.time() * 1000)}"
        tools.create_topic(broker.bootstrap, topic, params["partitions"], os.path.join(workdir, "create-topic.log"))
        phase = Phase(broker, result)
        if kind in ("produce", "latency"):
            throughput = -1 if kind == "produce" else 10000
            # the fixed-rate run also reports its steady state, after the producer's first tenth (client warm-up)
            warmup = params["records"] // 10 if kind == "latency" else 0
            with phase("produce"):
                result.update(tools.produce(broker.bootstrap, topic, params["records"], throughput,
                                            params["props"], os.path.join(workdir, "produce.log"), ctx.tool_timeout,
                                            warmup))
        if kind == "produce":
            with phase("consume"):
                result.update(tools.consume(broker.bootstrap, topic, params["records"],
                                            os.path.join(workdir, "consume.log"), ctx.tool_timeout))
            # the same records again, read by FANOUT consumer processes at once, each in a group of its own
            with phase(f"consume_x{FANOUT}"):
                result.update(tools.consume_fanout(
                    broker.bootstrap, topic, params["records"],
                    [os.path.join(workdir, f"consume-x{FANOUT}-{i}.log") for i in range(FANOUT)], ctx.tool_timeout))
        if kind == "e2e":
            with phase("e2e"):
                result.update(tools.end_to_end(broker.bootstrap, topic, params["records"], "all",
                                               os.path.join(workdir, "e2e.log"), ctx.tool_timeout))
        result["peak_rss_mb"] = broker.peak_rss() / 2**20
        result["other_cpu_s"] = other_cpu_seconds(result)
    except (ToolFailure, RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        alive = "" if broker.alive() or broker.proc is None else f" (broker exited {broker.proc.returncode})"
        result = {"failed": f"{e}{alive}"}
    finally:
        stop_s = broker.stop()
    if "failed" not in result:
        if stop_s is None:
            result["failed"] = "did not stop within 60 s of SIGTERM"
        else:
            result["stop_s"] = stop_s
            result["data_dir_mb"] = dir_bytes(broker.data_dir) / 2**20
    shutil.rmtree(broker.data_dir, ignore_errors=True)
    return result


def machine():
    mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    java = subprocess.run(["java", "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(int(mem) / 2**20, 1),
            "kernel": platform.release(), "jdk": " / ".join(java[:2]), "host": socket.gethostname()}


def main():
    ctx = Context()
    os.makedirs(ctx.out_dir)
    tools = Tools(ctx)
    plan = scenarios(ctx)
    runs = {"machine": machine(), "load_before": os.getloadavg(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "config": {"quick": ctx.quick, "records": ctx.records, "fsync_records": ctx.fsync_records,
                       "latency_records": ctx.latency_records, "e2e_records": ctx.e2e_records,
                       "rounds": ctx.rounds, "profiles": ctx.profiles, "note": os.environ.get("NOTE", "")},
            "common_settings": COMMON_SETTINGS, "profile_settings": PROFILE_SETTINGS, "scenarios": []}
    print(f"{len(plan)} scenarios x {ctx.rounds} rounds x {len(ctx.brokers)} brokers; logs in {ctx.out_dir}",
          flush=True)
    if "runnel" in ctx.brokers:
        prime_dir = os.path.join(ctx.out_dir, "runnel-prime")
        os.makedirs(prime_dir)
        RunnelBroker.prime(ctx, prime_dir)
    entries = [{"profile": p, "name": n, "kind": k, "params": {**prm, "props": prm.get("props")},
                "runnel": [], "kafka": []} for p, n, k, prm in plan]
    for round_no in range(ctx.rounds):
        for index, (profile, name, kind, params) in enumerate(plan):
            for broker_name, broker_cls in (("runnel", RunnelBroker), ("kafka", KafkaBroker)):
                if broker_name not in ctx.brokers:
                    continue
                workdir = os.path.join(ctx.out_dir, f"{profile}-{index:02d}-{kind}-r{round_no}-{broker_name}")
                os.makedirs(workdir)
                began = time.monotonic()
                result = run_once(ctx, tools, broker_cls, broker_name, profile, kind, params, workdir)
                result["load1"] = os.getloadavg()[0]
                entries[index][broker_name].append(result)
                summary = result.get("failed") or ", ".join(
                    f"{k}={v:.4g}" for k, v in result.items() if k in report.HEADLINE and v is not None)
                print(f"[r{round_no} {profile}] {name} {broker_name}: {summary} "
                      f"({time.monotonic() - began:.0f}s)", flush=True)
    runs["scenarios"] = entries
    runs["load_after"] = os.getloadavg()
    runs["commands"] = [{"label": label, "command": cmd} for (label, _), cmd in ctx.commands.items()]
    with open(os.path.join(ctx.out_dir, "results.json"), "w") as f:
        json.dump(runs, f, indent=1)
    print(report.ratio_table(runs))
    if os.environ.get("DOCS", "1") == "1":
        report.write_docs(runs, ROOT, HERE, ctx.out_dir)
        print(f"wrote docs/PERFORMANCE.md and docs/performance-e2e.png")


if __name__ == "__main__":
    sys.exit(main())
