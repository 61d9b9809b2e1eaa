"""Turns results.json into the ratio table, docs/PERFORMANCE.md and the chart docs/performance-e2e.png.

Each figure is the median over rounds; a ratio is Runnel's median over Kafka's. The chart is drawn by matplotlib
when python3 can import it, else by Chart.java (java.awt, headless) from the same data.
"""
import glob
import os
import re
import shutil
import statistics
import subprocess

HEADLINE = {"startup_s", "records_per_sec", "mb_per_sec", "lat_p99_ms", "fetch_records_per_sec",
            "consume_x2_records_per_sec", "e2e_p99_ms", "cpu_produce_s", "peak_rss_mb", "producer_cpu_s",
            "consumer_cpu_s", "machine_busy_produce", "machine_busy_consume"}

# (column, in the ratio table, better, how to read it from one result of a given kind). Columns out of the ratio
# table describe the clients and the machine, not a broker's merit: they explain the ratios beside them.
COLUMNS = [
    ("produce rec/s", True, "higher", lambda k, r: r.get("records_per_sec")),
    ("produce MB/s", True, "higher", lambda k, r: r.get("mb_per_sec") if k == "produce" else None),
    ("consume rec/s", True, "higher", lambda k, r: r.get("fetch_records_per_sec")),
    ("consume x2 rec/s", True, "higher", lambda k, r: r.get("consume_x2_records_per_sec")),
    ("p50 ms", True, "lower", lambda k, r: r.get("e2e_p50_ms") if k == "e2e" else r.get("lat_p50_ms")),
    ("p99 ms", True, "lower", lambda k, r: r.get("e2e_p99_ms") if k == "e2e" else r.get("lat_p99_ms")),
    ("p99.9 ms", True, "lower", lambda k, r: r.get("e2e_p999_ms") if k == "e2e" else r.get("lat_p999_ms")),
    ("max ms", True, "lower", lambda k, r: None if k == "e2e" else r.get("lat_max_ms")),
    ("steady p99 ms", True, "lower", lambda k, r: r.get("steady_p99_ms")),
    ("steady p99.9 ms", True, "lower", lambda k, r: r.get("steady_p999_ms")),
    ("broker CPU s", True, "lower",
     lambda k, r: _sum(r.get("cpu_produce_s"), r.get("cpu_consume_s")) if k != "e2e" else r.get("cpu_e2e_s")),
    ("broker CPU s w/o JIT", True, "lower",
     lambda k, r: _minus(_sum(r.get("cpu_produce_s"), r.get("cpu_consume_s")), _sum(r.get("jit_produce_s"), r.get("jit_consume_s")))
     if k != "e2e" else _minus(r.get("cpu_e2e_s"), r.get("jit_e2e_s"))),
    ("producer CPU s", False, "lower",
     lambda k, r: r.get("e2e_tool_cpu_s") if k == "e2e" else r.get("producer_cpu_s")),
    ("consumer CPU s", False, "lower", lambda k, r: r.get("consumer_cpu_s")),
    ("busy % produce", False, "lower",
     lambda k, r: _percent(r.get("machine_busy_e2e") if k == "e2e" else r.get("machine_busy_produce"))),
    ("busy % consume", False, "lower", lambda k, r: _percent(r.get("machine_busy_consume"))),
    ("other CPU s", False, "lower", lambda k, r: r.get("other_cpu_s")),
    ("peak RSS MiB", True, "lower", lambda k, r: r.get("peak_rss_mb")),
    ("start-up s", True, "lower", lambda k, r: r.get("startup_s")),
    ("data dir MiB", True, "lower", lambda k, r: r.get("data_dir_mb")),
]
RATIO_COLUMNS = [i for i, c in enumerate(COLUMNS) if c[1]]


def _percent(fraction):
    return None if fraction is None else 100 * fraction


def _minus(total, part):
    return None if total is None or part is None else total - part


def _sum(*values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def median(kind, results, read):
    values = [read(kind, r) for r in results if "failed" not in r]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(value):
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def _failures(entry, broker):
    return [r["failed"] for r in entry[broker] if "failed" in r]


def rows(runs):
    """One row per scenario: label, then (runnel, kafka, ratio) per column."""
    out = []
    for e in runs["scenarios"]:
        cells = []
        for _, _, _, read in COLUMNS:
            ours, theirs = median(e["kind"], e["runnel"], read), median(e["kind"], e["kafka"], read)
            ratio = ours / theirs if ours is not None and theirs not in (None, 0) else None
            cells.append((ours, theirs, ratio))
        out.append((f"{e['profile']}: {e['name']}", cells, _failures(e, "runnel"), _failures(e, "kafka")))
    return out


def ratio_table(runs):
    """Markdown table of Runnel / Kafka per scenario (> 1 is better for throughput, worse for the rest)."""
    names = [COLUMNS[i][0] for i in RATIO_COLUMNS]
    head = "| scenario | " + " | ".join(names) + " |"
    lines = [head, "|" + " --- |" * (len(names) + 1)]
    for label, cells, ours_failed, kafka_failed in rows(runs):
        ratios = [cells[i][2] for i in RATIO_COLUMNS]
        failures = [f"{who} failed: {why[0]}" for who, why in (("Runnel", ours_failed), ("Kafka", kafka_failed)) if why]
        if failures and all(r is None for r in ratios):
            lines.append(f"| {label} | {'; '.join(failures)} |" + " |" * (len(names) - 1))
            continue
        if failures:
            label += f" ({'; '.join(failures)} in some rounds)"
        lines.append(f"| {label} | " + " | ".join("-" if r is None else f"{r:.2f}" for r in ratios) + " |")
    return "\n".join(lines)


def absolute_table(runs):
    head = "| scenario | broker | " + " | ".join(c[0] for c in COLUMNS) + " |"
    lines = [head, "|" + " --- |" * (len(COLUMNS) + 2)]
    for label, cells, ours_failed, kafka_failed in rows(runs):
        for i, (broker, failed) in enumerate((("Runnel", ours_failed), ("Kafka", kafka_failed))):
            values = " | ".join(_fmt(c[i]) for c in cells)
            note = f" (failed {len(failed)}x: {failed[0]})" if failed else ""
            lines.append(f"| {label if i == 0 else ''} | {broker}{note} | {values} |")
    return "\n".join(lines)


def chart_data(runs):
    """(panel title, log scale, [(category, runnel, kafka)]) for the chart."""
    produce, consume, latency = [], [], []
    for e in runs["scenarios"]:
        short = e["name"].replace("produce+consume ", "").replace(" default", " dflt")
        short = ("fsync " if e["profile"] == "fsync" else "") + short
        kind = e["kind"]
        if kind == "produce":
            produce.append((short, *(median(kind, e[b], COLUMNS[1][3]) for b in ("runnel", "kafka"))))
            consume.append((short, *(median(kind, e[b], lambda k, r: r.get("fetch_mb_per_sec"))
                                     for b in ("runnel", "kafka"))))
        else:
            tag = ("fsync " if e["profile"] == "fsync" else "") + ("rate 10k/s" if kind == "latency" else "e2e")
            for col in COLUMNS[4:8]:
                values = [median(kind, e[b], col[3]) for b in ("runnel", "kafka")]
                if any(v is not None for v in values):
                    latency.append((f"{tag} {col[0].split()[0]}", *values))
    return [("produce MB/s (higher is better)", False, produce),
            ("consume MB/s (higher is better)", False, consume),
            ("latency ms, log scale (lower is better)", True, latency)]


def render_chart(runs, png, out_dir):
    panels = chart_data(runs)
    tsv = os.path.join(out_dir, "chart.tsv")
    with open(tsv, "w") as f:
        for title, log, bars in panels:
            for category, ours, theirs in bars:
                f.write(f"{title}\t{int(log)}\t{category}\t{ours or 0}\t{theirs or 0}\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run(["java", "-Djava.awt.headless=true", os.path.join(here, "Chart.java"), tsv, png], check=True)
        return "Chart.java"
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.5))
    for ax, (title, log, bars) in zip(axes, panels):
        xs = range(len(bars))
        ax.bar([x - 0.2 for x in xs], [b[1] or 0 for b in bars], 0.4, label="Runnel", color="#d95f02")
        ax.bar([x + 0.2 for x in xs], [b[2] or 0 for b in bars], 0.4, label="Kafka", color="#1b9e77")
        ax.set_xticks(list(xs))
        ax.set_xticklabels([b[0] for b in bars], rotation=60, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        if log:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    return "matplotlib"


def _sample_properties(out_dir, name):
    """The first generated broker properties file of a run, with its ports and directory replaced by names."""
    found = sorted(glob.glob(os.path.join(out_dir, "*", name)))
    if not found:
        return None
    text = open(found[0]).read().strip()
    text = re.sub(r"(1@|CONTROLLER://)127\.0\.0\.1:\d+", r"\g<1>127.0.0.1:$CONTROLLER_PORT", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:$PORT", text)
    return re.sub(r"log\.dirs=.*", "log.dirs=$DIR", text)


def _load_range(runs):
    loads = [r["load1"] for e in runs["scenarios"] for b in ("runnel", "kafka") for r in e[b] if "load1" in r]
    return f"{min(loads):.1f} to {max(loads):.1f}" if loads else "-"


def write_docs(runs, root, here, out_dir):
    docs = os.path.join(root, "docs")
    os.makedirs(docs, exist_ok=True)
    png = os.path.join(docs, "performance-e2e.png")
    renderer = render_chart(runs, png, out_dir)
    shutil.copy(png, os.path.join(out_dir, "chart.png"))
    cfg, m = runs["config"], runs["machine"]
    smoke = cfg["quick"] or cfg["note"]
    text = ["# Performance: Runnel against Apache Kafka, end to end", ""]
    if smoke:
        text += [f"> **Smoke run, not a result.** {cfg['note'] or 'QUICK=1 (small record counts).'}", ""]
    text += [
        "Produced by `bench/e2e/run.sh` (see `bench/e2e/README.md`). Both brokers run on this machine on loopback,",
        "driven by Apache Kafka 4.3.1's own tools; they take turns (Runnel, Kafka, Runnel, Kafka, ...), each time a",
        "fresh process on a fresh data directory. Figures are medians over rounds.", "",
        "## Machine", "",
        f"- {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB memory, kernel {m['kernel']}",
        f"- JDK: {m['jdk']}",
        f"- load average (1, 5, 15 min) before: {' '.join(f'{x:.2f}' for x in runs['load_before'])}, "
        f"after: {' '.join(f'{x:.2f}' for x in runs['load_after'])}",
        f"- 1-minute load average at the end of each broker run: {_load_range(runs)}",
        f"- started {runs['started']}", "",
        "## Settings", "",
        f"- records per produce run: {cfg['records']:,} of 1 KiB (fsync profile: {cfg['fsync_records']:,}); "
        f"fixed-rate latency run: {cfg['latency_records']:,} at 10,000/s; end-to-end latency: "
        f"{cfg['e2e_records']:,} round trips; rounds: {cfg['rounds']}; profiles: {', '.join(cfg['profiles'])}",
        "- both brokers: `-Xmx1G -Xms1G`, G1 with Kafka's flags (those of kafka-server-start.sh), and: "
        + ", ".join(f"`{k}={v}`" for k, v in runs["common_settings"].items()),
        "- profile `fsync`: `log.flush.interval.messages=1` on both (an fsync after every append)",
        "- Kafka: KRaft combined mode, `process.roles=broker,controller`, `node.id=1`, controller listener on its own"
        " loopback port, storage formatted with `kafka.tools.StorageTool format` and a random cluster id",
        "- producer profiles: `default` (Kafka 4.3 defaults: batch.size=16384, linger.ms=5) and "
        "`tuned` (`linger.ms=5 batch.size=262144`)", "",
        "## Runnel / Kafka", "",
        "Above 1 is better for throughput (rec/s, MB/s), worse for every other column. The clients' CPU and the",
        "machine's busy share are in the figures below.", "",
        ratio_table(runs), "",
        f"![throughput and latency](performance-e2e.png)", "",
        f"Chart drawn with {renderer}.", "",
        "## Figures", "",
        absolute_table(runs), "",
        "What each column is:", "",
        "- produce rec/s, MB/s: ProducerPerformance's summary, unthrottled (`--throughput -1`); for the fixed-rate",
        "  row, the rate it reached (10,000/s unless the producer or broker could not keep up).",
        "- consume rec/s: ConsumerPerformance's `fetch.nMsg.sec` over the records just produced (excludes the",
        "  group join, which ConsumerPerformance reports separately as rebalance time).",
        "- consume x2 rec/s: then two ConsumerPerformance processes started together, each in a fresh group and",
        "  reading all those records again: all records they read over the union of their fetch times (from the",
        "  first one's end of group join, start.time + rebalance.time.ms, to the last one's end.time). One",
        "  consumer thread decodes every record; two processes ask the broker for twice the bytes.",
        "- p50/p99/p99.9/max ms: for produce rows, ProducerPerformance's send-to-ack latency (unthrottled, so it",
        "  is mostly queueing in the producer); for the fixed-rate row the same at 10,000 records/s; for the",
        "  end-to-end row, EndToEndLatency (produce one record with acks=all, consume it, repeat; no max printed).",
        "- broker CPU s: utime + stime of the broker JVM (`/proc/<pid>/stat`) during the produce and the single",
        "  consume (not the two-consumer read); the same records on both brokers, so its ratio is that of CPU per GB.",
        "- broker CPU s w/o JIT: the same less the CPU of the broker JVM's JIT compiler threads (C1 and C2) over",
        "  those phases: compiling the hot paths is paid in full by a run this short and only once by a broker",
        "  that keeps running, so this is closer to what a long-running broker spends per GB.",
        "- producer CPU s, consumer CPU s: user + system CPU seconds of the ProducerPerformance and the single",
        "  ConsumerPerformance JVM, from spawn to exit (`os.wait4`, JVM start-up included); for the end-to-end",
        "  row, the EndToEndLatency JVM (producer and consumer in one). Over the tool's wall time (in",
        "  `results.json`) it gives the cores the client used.",
        "- busy % produce, busy % consume: the share of all the machine's cores busy (`/proc/stat`: all time but",
        "  idle and iowait) from before the tool starts to after it exits, broker, clients and any other process",
        "  together; near 100 the cores, not the broker, set the pace. For the end-to-end row, during EndToEndLatency.",
        "- other CPU s: CPU seconds the machine used during the workload (all its phases) that were neither the",
        "  broker's nor the tools': other processes. Well above zero, the run shared the cores and is noisier.",
        "- peak RSS: `VmHWM` of the broker JVM at the end of the workload (start-up and the two-consumer read",
        "  included).",
        "- start-up s: from spawning the JVM to the first Metadata v4 answer listing a broker (Kafka's storage",
        "  format runs before and is not counted).",
        "- data dir: bytes allocated on disk under the data directory after a clean shutdown.", "",
        "## Commands", "",
        "Brokers (one per scenario and round; `$PORT`, `$DIR` fresh each time):", "",
        "```",
        "java -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 "
        "-XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \\",
        "  -cp 'server/target/runnel-server-0.1.0-SNAPSHOT.jar:server/target/lib/*' dev.runnel.server.RunnelServer"
        " runnel.properties",
        "java -cp 'bench/e2e/target/kafka-lib/*' kafka.tools.StorageTool format -t $RANDOM_UUID -c kafka.properties",
        "java <same JVM flags> -Dlog4j2.configurationFile=bench/e2e/log4j2.properties -Dbench.log.level=info \\",
        "  -cp 'bench/e2e/target/kafka-lib/*' kafka.Kafka kafka.properties",
        "```", "",
        "Their properties files, as generated for the first run:", ""]
    for name in ("runnel.properties", "kafka.properties"):
        sample = _sample_properties(out_dir, name)
        if sample:
            text += [f"`{name}`:", "", "```properties", sample, "```", ""]
    text += ["Workloads (the same against both):", "", "```"]
    text += [c["command"] for c in runs["commands"]]
    text += ["```", ""]
    notes = os.path.join(here, "performance-notes.md")
    if os.path.exists(notes):
        text += [open(notes).read().rstrip(), ""]
    with open(os.path.join(docs, "PERFORMANCE.md"), "w") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    # Re-renders the docs from a finished run: python3 bench/e2e/report.py bench/e2e/target/results/<stamp>/results.json
    import json
    import sys
    results = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(results) as f:
        write_docs(json.load(f), os.path.dirname(os.path.dirname(here)), here, os.path.dirname(results))
    print(ratio_table(json.load(open(results))))
