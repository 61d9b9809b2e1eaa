"""Runs Apache Kafka's own command-line tools (from bench/e2e/target/kafka-lib) and parses what they print.

Every tool runs in a new JVM with the same flags; its output goes to a log file in the run's work directory.
A tool that exits non-zero, times out or prints no summary raises ToolFailure with a short reason.
"""
import re
import subprocess

PRODUCER_SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th")
STEADY_SUMMARY = re.compile(
    r"(\d+) steady state records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th")
E2E_AVERAGE = re.compile(r"Avg latency: ([\d.]+) ms")
E2E_PERCENTILES = re.compile(r"Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)")


class ToolFailure(Exception):
    pass


class Tools:
    def __init__(self, ctx):
        self.ctx = ctx

    def _run(self, label, main_class, args, log_path, timeout):
        argv = ["java", *self.ctx.tool_jvm_flags, f"-Dlog4j2.configurationFile={self.ctx.log4j_config}",
                "-cp", self.ctx.kafka_classpath, main_class, *args]
        self.ctx.record_command(label, argv)
        try:
            done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as e:
            output = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            _write(log_path, output)
            raise ToolFailure(f"{main_class.rsplit('.', 1)[1]} timed out after {timeout}s")
        _write(log_path, done.stdout)
        if done.returncode != 0:
            raise ToolFailure(f"{main_class.rsplit('.', 1)[1]} exited {done.returncode}: {_first_error(done.stdout)}")
        return done.stdout

    def create_topic(self, bootstrap, topic, partitions, log_path):
        self._run("create topic", "org.apache.kafka.tools.TopicCommand",
                  ["--bootstrap-server", bootstrap, "--create", "--topic", topic,
                   "--partitions", str(partitions), "--replication-factor", "1"], log_path, 300)

    def produce(self, bootstrap, topic, records, throughput, props, log_path, timeout, warmup=0):
        """ProducerPerformance with 1 KiB records; returns throughput and latency figures (ms). With warmup > 0 the
        tool also reports the records after the first warmup ones (its --warmup-records, KIP-1052): steady_*."""
        args = ["--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
                "--record-size", "1024", "--throughput", str(throughput),
                *(["--warmup-records", str(warmup)] if warmup > 0 else []),
                "--command-property", *[f"{k}={v}" for k, v in props.items()]]
        output = self._run("produce", "org.apache.kafka.tools.ProducerPerformance", args, log_path, timeout)
        summary = PRODUCER_SUMMARY.findall(output)
        if not summary:
            raise ToolFailure(f"ProducerPerformance printed no summary: {_first_error(output)}")
        sent, rps, mbps, avg, peak, p50, p95, p99, p999 = summary[-1]
        if int(sent) != records:  # it counts only acknowledged records
            raise ToolFailure(f"ProducerPerformance sent {sent} of {records} records: {_first_error(output)}")
        result = {"records_per_sec": float(rps), "mb_per_sec": float(mbps), "lat_avg_ms": float(avg),
                  "lat_p50_ms": float(p50), "lat_p95_ms": float(p95), "lat_p99_ms": float(p99),
                  "lat_p999_ms": float(p999), "lat_max_ms": float(peak)}
        steady = STEADY_SUMMARY.findall(output)
        if warmup > 0 and steady:
            _, _, _, avg, peak, p50, _, p99, p999 = steady[-1]
            result.update({"steady_p50_ms": float(p50), "steady_p99_ms": float(p99), "steady_p999_ms": float(p999),
                           "steady_max_ms": float(peak)})
        return result

    def consume(self, bootstrap, topic, records, log_path, timeout):
        """ConsumerPerformance from the earliest offset until records have been read."""
        args = ["--bootstrap-server", bootstrap, "--topic", topic, "--num-records", str(records),
                "--timeout", "30000"]
        output = self._run("consume", "org.apache.kafka.tools.ConsumerPerformance", args, log_path, timeout)
        lines = output.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("start.time") and i + 1 < len(lines):
                fields = [f.strip() for f in lines[i + 1].split(",")]
                if len(fields) >= 10:
                    consumed = int(fields[4])
                    if consumed < records:
                        raise ToolFailure(f"ConsumerPerformance read {consumed} of {records} records")
                    return {"consume_records_per_sec": float(fields[5]), "consume_mb_per_sec": float(fields[3]),
                            "consume_rebalance_ms": float(fields[6]),
                            "fetch_records_per_sec": float(fields[9]), "fetch_mb_per_sec": float(fields[8])}
        raise ToolFailure(f"ConsumerPerformance printed no summary: {_first_error(output)}")

    def end_to_end(self, bootstrap, topic, records, acks, log_path, timeout):
        """EndToEndLatency: one record at a time, produced then consumed; figures in ms."""
        args = [bootstrap, topic, str(records), acks, "1024"]
        output = self._run("end-to-end latency", "org.apache.kafka.tools.EndToEndLatency", args, log_path, timeout)
        avg, pct = E2E_AVERAGE.search(output), E2E_PERCENTILES.search(output)
        if not avg or not pct:
            raise ToolFailure(f"EndToEndLatency printed no summary: {_first_error(output)}")
        return {"e2e_avg_ms": float(avg.group(1)), "e2e_p50_ms": float(pct.group(1)),
                "e2e_p99_ms": float(pct.group(2)), "e2e_p999_ms": float(pct.group(3))}


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _first_error(output):
    """The first line naming an exception or error, else the last line printed."""
    for line in output.splitlines():
        if "Exception" in line or " ERROR " in line or line.startswith("ERROR"):
            return line.strip()[:200]
    return (output.strip().splitlines() or ["(no output)"])[-1][:200]
