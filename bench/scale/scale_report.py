"""Writes docs/SCALE.md from scale runs' results.json (see scale.py), one section per run.

    python3 bench/scale/scale_report.py results/<stamp1>/results.json [results/<stamp2>/results.json ...] [NOTES.md]

NOTES.md, when given, is appended verbatim (findings and fixes written by hand for those runs; bench/scale/notes.md
for the runs in docs/scale/).
"""
import json
import os
import platform
import subprocess
import sys

MIB = 1 << 20


def _machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / (1 << 20)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{cpu}, {os.cpu_count()} cores (shared with other builds), {mem_gib:.0f} GiB RAM, " \
           f"Linux {platform.release()}, {java}"


def _get(results, path):
    value = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _fmt(value, unit):
    if value is None:
        return "–"
    if unit == "MiB":
        return f"{value / MIB:,.0f}"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,}"


ROWS = [
    ("Start-up, empty data directory", "s", ("startup_empty_s",)),
    ("Create partitions (CreateTopics answered)", "s", ("create", "create_s")),
    ("… until every partition has a leader in Metadata", "s", ("create", "ready_s")),
    ("Live heap with the partitions (after full GC)", "MiB", ("samples", "partitions", "live_heap")),
    ("RSS with the partitions", "MiB", ("samples", "partitions", "VmRSS")),
    ("Threads with the partitions", "", ("samples", "partitions", "Threads")),
    ("Open fds with the partitions", "", ("samples", "partitions", "fds")),
    ("Idle connections opened (ApiVersions answered)", "", ("connections", "answered")),
    ("Time to open them (sequential connect + ApiVersions)", "s", ("connections", "open_s")),
    ("Live heap with partitions + connections", "MiB", ("samples", "connections", "live_heap")),
    ("RSS with partitions + connections", "MiB", ("samples", "connections", "VmRSS")),
    ("Threads with partitions + connections", "", ("samples", "connections", "Threads")),
    ("Open fds with partitions + connections", "", ("samples", "connections", "fds")),
    ("Produce, one synchronous send per sample partition: p50", "ms", ("produce", "sync_latency_ms", "p50")),
    ("… p99", "ms", ("produce", "sync_latency_ms", "p99")),
    ("Produce, async over the sample (acks=all): records/s", "", ("produce", "async_records_per_s")),
    ("… send-to-ack latency p50", "ms", ("produce", "async_latency_ms", "p50")),
    ("… p99", "ms", ("produce", "async_latency_ms", "p99")),
    ("Produce errors", "", ("produce", "errors")),
    ("Records read back / expected", "", ("consume", "read")),
    ("Mismatched records", "", ("consume", "mismatches")),
    ("Idle connections still answering after the load", "", ("idle_check", "still_answered")),
    ("Peak RSS (VmHWM) during the load", "MiB", ("samples", "after_load", "VmHWM")),
    ("Clean shutdown (SIGTERM to exit)", "s", ("clean_shutdown_s",)),
    ("Start-up after clean shutdown (to all partitions led)", "s", ("startup_after_clean_s",)),
    ("Live heap after that restart", "MiB", ("samples", "restarted", "live_heap")),
    ("Sample read back after clean restart: mismatches", "", ("verify_after_clean", "mismatches")),
    ("Start-up after kill -9 (to all partitions led)", "s", ("startup_after_kill_s",)),
    ("Sample read back after kill -9: records / mismatches", "", ("verify_after_kill", "read")),
    ("… mismatches", "", ("verify_after_kill", "mismatches")),
]


def table(runs):
    names = list(runs["brokers"])
    header = "| | unit | " + " | ".join(names) + (" | Runnel / Kafka |" if len(names) == 2 else " |")
    lines = [header, "|" + "---|" * (len(names) + 2 + (1 if len(names) == 2 else 0))]
    for label, unit, path in ROWS:
        values = [_get(runs["brokers"][n], path) for n in names]
        cells = [_fmt(v, unit) for v in values]
        row = f"| {label} | {unit} | " + " | ".join(cells) + " |"
        if len(names) == 2:
            a, b = values
            ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "–"
            row += f" {ratio} |"
        lines.append(row)
    return "\n".join(lines)


def derived(runs):
    out = []
    cfg = runs["config"]
    for name, r in runs["brokers"].items():
        s = r.get("samples", {})
        try:
            per_partition = (s["partitions"]["live_heap"] - s["empty"]["live_heap"]) / (cfg["topics"] * cfg["partitions"])
            per_conn_heap = (s["connections"]["live_heap"] - s["partitions"]["live_heap"]) / cfg["connections"]
            per_conn_rss = (s["connections"]["VmRSS"] - s["partitions"]["VmRSS"]) / cfg["connections"]
            out.append(f"- {name}: {per_partition / 1024:.1f} KiB of live heap per partition; per idle connection "
                       f"{per_conn_heap / 1024:.1f} KiB of live heap and {per_conn_rss / 1024:.1f} KiB of RSS.")
        except (KeyError, TypeError):
            pass
        if "error" in r:
            out.append(f"- {name} FAILED: `{r['error']}`")
    return "\n".join(out)


def section(runs, out_dir, root):
    cfg = runs["config"]
    title = f"{cfg['topics'] * cfg['partitions']:,} partitions, {cfg['connections']:,} idle connections"
    note = f" ({cfg['note']})" if cfg.get("note") else ""
    return f"""## {title}{note}

From `{os.path.relpath(out_dir, root)}`.

{table(runs)}

{derived(runs)}
"""


def write(results, path, notes=""):
    """results: [(runs, path of its results.json)], the first one describes the workload."""
    root = os.path.dirname(os.path.dirname(path))
    cfg = results[0][0]["config"]
    most = max(runs["config"]["connections"] for runs, _ in results)
    text = f"""# Scale: {cfg['topics'] * cfg['partitions']:,} partitions and {most:,} idle connections on one broker

One broker, 1 GiB heap (`-Xmx1G -Xms1G`, G1, Kafka's start-script flags), Runnel and Apache Kafka 4.3.1 (KRaft,
combined broker + controller) measured one after the other in the same run, each in a fresh data directory with
default settings (`auto.create.topics.enable=false`). Produced by `bench/scale/run.sh` (see bench/scale/README.md).

**Machine:** {_machine()}; open-file limit {cfg['ulimit_n']} (cannot be raised in this container). The two cores
were shared with other builds during the runs (load average 5–13), so absolute times are pessimistic and noisy;
the ratios compare the two brokers under similar conditions a few minutes apart.

**Workload:** {cfg['topics']} topics × {cfg['partitions']} partitions created by CreateTopics requests of 1,000
partitions each (Kafka's controller refuses one request that writes more than 10,000 metadata records); N raw
sockets each sending one ApiVersions (v3) and then staying idle; while they are open, a Java producer (acks=all,
linger.ms=1) writes {cfg['records']} records of 100 bytes to each of {cfg['sample']:,} partitions spread over all
topics (first one synchronous send per partition, then the rest asynchronously) and a consumer reads all of them
back and compares every key, value and offset; then every idle connection must answer another ApiVersions. Then
SIGTERM (timed), restart (timed from launch until Metadata shows a leader for every partition), read the sample
back, kill -9, restart (timed), read it back again.

Broker figures: `/proc/<pid>/status` (VmRSS, VmHWM, Threads), `/proc/<pid>/fd`, and the live heap as the total of
`jcmd <pid> GC.class_histogram` (which runs a full GC first). "–" means not measured (the broker had failed).

"""
    for runs, out_dir in results:
        text += section(runs, out_dir, root) + "\n"
    commands = results[0][0].get("commands", [])
    text += "## Commands\n\n```\nbench/scale/run.sh\nCONNECTIONS=9000 bench/scale/run.sh\n" + "\n".join(commands) + "\n```\n"
    if notes:
        text += "\n" + notes
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    args = sys.argv[1:]
    notes_ = ""
    if args and args[-1].endswith(".md"):
        notes_ = open(args.pop()).read()
    loaded = []
    for name in args:
        with open(name) as f:
            loaded.append((json.load(f), os.path.abspath(name)))
    here = os.path.dirname(os.path.abspath(__file__))
    write(loaded, os.path.join(os.path.dirname(os.path.dirname(here)), "docs", "SCALE.md"), notes_)
