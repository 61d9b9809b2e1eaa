"""Runs Apache Kafka's own command-line tools (from bench/e2e/target/kafka-lib) and parses what they print.

Every tool runs in a new JVM with the same flags; its output goes to a log file in the run's work directory.
A tool that exits non-zero, times out or prints no summary raises ToolFailure with a short reason. Each tool
process is reaped with os.wait4, so its CPU time (user + system, its own and that of any children it waited for)
and its wall time (spawn to exit) come back with its figures: a client that uses about one core per thread it
runs is the bottleneck, not the broker.
"""
import datetime
import os
import re
import signal
import subprocess
import threading
import time

from brokers import CLOCK_TICKS, cpu_seconds, thread_cpu_ticks
PRODUCER_SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th")
STEADY_SUMMARY = re.compile(
    r"(\d+) steady state records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th")
E2E_AVERAGE = re.compile(r"Avg latency: ([\d.]+) ms")
E2E_PERCENTILES = re.compile(r"Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)")
SAMPLE_INTERVAL_S = 0.5  # how often a tool's threads' CPU time is read from /proc
TOP_THREADS = 6  # busiest threads of a tool kept in the results
# ConsumerPerformance's default --date-format (yyyy-MM-dd HH:mm:ss:SSS), local time
CONSUMER_DATE = "%Y-%m-%d %H:%M:%S:%f"


class ToolFailure(Exception):
    pass


class Tools:
    def __init__(self, ctx):
        self.ctx = ctx

    def _argv(self, label, main_class, args):
        argv = ["java", *self.ctx.tool_jvm_flags, f"-Dlog4j2.configurationFile={self.ctx.log4j_config}",
                "-cp", self.ctx.kafka_classpath, main_class, *args]
        self.ctx.record_command(label, argv)
        return argv

    def _run(self, label, main_class, args, log_path, timeout):
        """Runs one tool to its end; returns (its output, its ToolProcess)."""
        tool = ToolProcess(self._argv(label, main_class, args), log_path)
        return tool.finish(time.monotonic() + timeout), tool

    def create_topic(self, bootstrap, topic, partitions, log_path):
        self._run("create topic", "org.apache.kafka.tools.TopicCommand",
                  ["--bootstrap-server", bootstrap, "--create", "--topic", topic,
                   "--partitions", str(partitions), "--replication-factor", "1"], log_path, 300)

    def produce(self, bootstrap, topic, records, throughput, props, log_path, timeout, warmup=0):
        """ProducerPerformance with 1 KiB records; returns throughput and latency figures (ms) and the tool's
        producer_cpu_s and producer_wall_s. With warmup > 0 the tool also reports the records after the first
        warmup ones (its --warmup-records, KIP-1052): steady_*."""
        args = ["--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
                "--record-size", "1024", "--throughput", str(throughput),
                *(["--warmup-records", str(warmup)] if warmup > 0 else []),
                "--command-property", *[f"{k}={v}" for k, v in props.items()]]
        output, tool = self._run("produce", "org.apache.kafka.tools.ProducerPerformance", args, log_path, timeout)
        summary = PRODUCER_SUMMARY.findall(output)
        if not summary:
            raise ToolFailure(f"ProducerPerformance printed no summary: {_first_error(output)}")
        sent, rps, mbps, avg, peak, p50, p95, p99, p999 = summary[-1]
        if int(sent) != records:  # it counts only acknowledged records
            raise ToolFailure(f"ProducerPerformance sent {sent} of {records} records: {_first_error(output)}")
        result = {"records_per_sec": float(rps), "mb_per_sec": float(mbps), "lat_avg_ms": float(avg),
                  "lat_p50_ms": float(p50), "lat_p95_ms": float(p95), "lat_p99_ms": float(p99),
                  "lat_p999_ms": float(p999), "lat_max_ms": float(peak), **tool.usage("producer")}
        steady = STEADY_SUMMARY.findall(output)
        if warmup > 0 and steady:
            _, _, _, avg, peak, p50, _, p99, p999 = steady[-1]
            result.update({"steady_p50_ms": float(p50), "steady_p99_ms": float(p99), "steady_p999_ms": float(p999),
                           "steady_max_ms": float(peak)})
        return result

    def _consume_args(self, bootstrap, topic, records, group=None):
        return ["--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
                "--timeout", "30000", *(["--group", group] if group else [])]

    def consume(self, bootstrap, topic, records, log_path, timeout):
        """ConsumerPerformance from the earliest offset until records have been read; with consumer_cpu_s and
        consumer_wall_s of the tool."""
        output, tool = self._run("consume", "org.apache.kafka.tools.ConsumerPerformance",
                                 self._consume_args(bootstrap, topic, records), log_path, timeout)
        summary = _consumer_summary(output, records)
        return {"consume_records_per_sec": summary["consume_records_per_sec"],
                "consume_mb_per_sec": summary["consume_mb_per_sec"],
                "consume_rebalance_ms": summary["consume_rebalance_ms"],
                "fetch_records_per_sec": summary["fetch_records_per_sec"],
                "fetch_mb_per_sec": summary["fetch_mb_per_sec"], **tool.usage("consumer")}

    def consume_fanout(self, bootstrap, topic, records, log_paths, timeout):
        """One ConsumerPerformance per log path, all started together, each in a fresh group of its own and reading
        all records from the earliest offset (otherwise the options of consume()). The aggregate rate is all records
        read over the union of their fetch times: from the first process's end of group join (its start.time plus
        rebalance.time.ms) to the last one's end.time, so a process that started late does not inflate it. Kept
        beside it: the sum of the processes' own fetch.nMsg.sec and all records over the slowest one's fetch.time.ms,
        both of which count as concurrent what may not have been."""
        stamp = int(time.time() * 1000)
        deadline = time.monotonic() + timeout
        tools = []
        try:
            for i, log_path in enumerate(log_paths):
                args = self._consume_args(bootstrap, topic, records, group=f"perf-fanout-{stamp}-{i}")
                tools.append(ToolProcess(self._argv("consume fan-out", "org.apache.kafka.tools.ConsumerPerformance",
                                                    args), log_path))
            outputs = [tool.finish(deadline) for tool in tools]
        finally:
            for tool in tools:
                tool.kill()
        summaries = [{**_consumer_summary(output, records), **tool.usage("consumer")}
                     for output, tool in zip(outputs, tools)]
        fetch_start = min(s["start_epoch_s"] + s["consume_rebalance_ms"] / 1000 for s in summaries)
        fetch_end = max(s["end_epoch_s"] for s in summaries)
        overlap = (min(s["end_epoch_s"] for s in summaries)
                   - max(s["start_epoch_s"] + s["consume_rebalance_ms"] / 1000 for s in summaries))
        consumed = sum(s["consumed"] for s in summaries)
        window = fetch_end - fetch_start
        slowest_fetch_s = max(s["fetch_ms"] for s in summaries) / 1000
        n = len(summaries)
        return {f"consume_x{n}_records_per_sec": consumed / window if window > 0 else None,
                f"consume_x{n}_mb_per_sec": sum(s["consumed_mb"] for s in summaries) / window if window > 0 else None,
                f"consume_x{n}_sum_fetch_records_per_sec": sum(s["fetch_records_per_sec"] for s in summaries),
                f"consume_x{n}_slowest_records_per_sec": consumed / slowest_fetch_s if slowest_fetch_s > 0 else None,
                f"consume_x{n}_window_s": window, f"consume_x{n}_overlap_s": overlap,
                f"consume_x{n}_cpu_s": sum(s["consumer_cpu_s"] for s in summaries),
                f"consumers_x{n}": summaries}

    def end_to_end(self, bootstrap, topic, records, acks, log_path, timeout):
        """EndToEndLatency: one record at a time, produced then consumed; figures in ms, with e2e_tool_cpu_s and
        e2e_tool_wall_s of the tool (one JVM with a producer and a consumer)."""
        args = [bootstrap, topic, str(records), acks, "1024"]
        output, tool = self._run("end-to-end latency", "org.apache.kafka.tools.EndToEndLatency", args, log_path,
                                 timeout)
        avg, pct = E2E_AVERAGE.search(output), E2E_PERCENTILES.search(output)
        if not avg or not pct:
            raise ToolFailure(f"EndToEndLatency printed no summary: {_first_error(output)}")
        return {"e2e_avg_ms": float(avg.group(1)), "e2e_p50_ms": float(pct.group(1)),
                "e2e_p99_ms": float(pct.group(2)), "e2e_p999_ms": float(pct.group(3)), **tool.usage("e2e_tool")}


class ToolProcess:
    """One tool JVM, spawned at construction with its output going to log_path. A thread of its own blocks in
    os.wait4 for it, which reaps it with its resource usage (the Popen object is only used to spawn it, so that
    nothing else reaps it first) and notes when it ended. Another samples its threads' CPU time from /proc every
    SAMPLE_INTERVAL_S until then: for the most cores it used over any second, and which threads used them (a
    thread near one core for the whole run is the client's bottleneck)."""

    def __init__(self, argv, log_path):
        self.name = argv[argv.index("-cp") + 2].rsplit(".", 1)[1]
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT)
        self.ended = None
        self.rusage = None
        self._samples = []  # (monotonic time, process CPU ticks)
        self._threads = {}  # thread id -> (name, CPU ticks at its last sample)
        self._exited = threading.Event()
        self._reaper = threading.Thread(target=self._reap, name=f"reap-{self.proc.pid}", daemon=True)
        self._reaper.start()
        self._sampler = threading.Thread(target=self._sample, name=f"sample-{self.proc.pid}", daemon=True)
        self._sampler.start()

    def _sample(self):
        while not self._exited.wait(SAMPLE_INTERVAL_S):
            try:
                ticks = cpu_seconds(self.proc.pid) * CLOCK_TICKS
                self._threads.update(thread_cpu_ticks(self.proc.pid))
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue  # exiting: the reaper ends the loop
            self._samples.append((time.monotonic(), ticks))

    def _reap(self):
        _, status, rusage = os.wait4(self.proc.pid, 0)
        self._exited.set()
        self.ended = time.monotonic()
        self.rusage = rusage
        self.proc.returncode = os.waitstatus_to_exitcode(status)

    def kill(self):
        """SIGKILL if it still runs, then waits for the reaper."""
        if self._reaper.is_alive():
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:  # exited meanwhile
                pass
        self._reaper.join()
        self._sampler.join()
        self._log.close()

    def finish(self, deadline):
        """Waits until it exits (killing it at the monotonic deadline) and returns its output."""
        self._reaper.join(max(0.0, deadline - time.monotonic()))
        timed_out = self._reaper.is_alive()
        self.kill()
        with open(self.log_path) as f:
            output = f.read()
        if timed_out:
            raise ToolFailure(f"{self.name} timed out after {self.ended - self.started:.0f}s")
        if self.proc.returncode != 0:
            raise ToolFailure(f"{self.name} exited {self.proc.returncode}: {_first_error(output)}")
        return output

    def usage(self, prefix):
        """CPU seconds (user + system, with reaped children) and wall seconds, as {prefix}_cpu_s, {prefix}_wall_s;
        from the samples, {prefix}_peak_cores (most CPU seconds per second over any window of about a second) and
        {prefix}_threads (CPU seconds of its busiest threads, as last sampled, up to half a sample before exit)."""
        step = max(1, round(1.0 / SAMPLE_INTERVAL_S))
        windows = [(b[1] - a[1]) / CLOCK_TICKS / (b[0] - a[0])
                   for a, b in zip(self._samples, self._samples[step:]) if b[0] > a[0]]
        busiest = sorted(self._threads.values(), key=lambda t: -t[1])[:TOP_THREADS]
        return {f"{prefix}_cpu_s": self.rusage.ru_utime + self.rusage.ru_stime,
                f"{prefix}_wall_s": self.ended - self.started,
                f"{prefix}_peak_cores": max(windows) if windows else None,
                f"{prefix}_threads": [[name, ticks / CLOCK_TICKS] for name, ticks in busiest]}


def _consumer_summary(output, records):
    """ConsumerPerformance's summary line (the one after the start.time header), checked to count records."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("start.time") and i + 1 < len(lines):
            fields = [f.strip() for f in lines[i + 1].split(",")]
            if len(fields) >= 10:
                consumed = int(fields[4])
                if consumed < records:
                    raise ToolFailure(f"ConsumerPerformance read {consumed} of {records} records")
                start, end = (datetime.datetime.strptime(f, CONSUMER_DATE).timestamp() for f in fields[:2])
                return {"start_epoch_s": start, "end_epoch_s": end, "consumed": consumed,
                        "consumed_mb": float(fields[2]), "consume_records_per_sec": float(fields[5]),
                        "consume_mb_per_sec": float(fields[3]), "consume_rebalance_ms": float(fields[6]),
                        "fetch_ms": float(fields[7]), "fetch_records_per_sec": float(fields[9]),
                        "fetch_mb_per_sec": float(fields[8])}
    raise ToolFailure(f"ConsumerPerformance printed no summary: {_first_error(output)}")


def _first_error(output):
    """The first line naming an exception or error, else the last line printed."""
    for line in output.splitlines():
        if "Exception" in line or " ERROR " in line or line.startswith("ERROR"):
            return line.strip()[:200]
    return (output.strip().splitlines() or ["(no output)"])[-1][:200]
