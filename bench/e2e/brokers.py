"""Starting, probing, measuring and stopping the two brokers of the end-to-end benchmark.

Each broker runs as a plain `java` child process with the same heap and GC flags (those of Kafka's
kafka-server-start.sh), its own fresh data directory and free loopback ports. The process id is the JVM itself,
so /proc/<pid>/stat and /proc/<pid>/status give the broker's CPU time and peak RSS; /proc/stat gives how busy the
whole machine was meanwhile.
"""
import base64
import os
import signal
import socket
import struct
import subprocess
import time
import uuid

# Kafka's kafka-server-start.sh heap and kafka-run-class.sh performance options, used for both brokers.
BROKER_JVM_FLAGS = ["-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                    "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
                    "-Djava.awt.headless=true"]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kafka_uuid():
    """A random cluster id in Kafka's Uuid text form: URL-safe base64 of 16 bytes, no padding. Like Kafka's
    Uuid.randomUuid, never one starting with '-', which command-line parsers take for an option."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def metadata_broker_count(port, timeout=1.0):
    """Sends one Metadata v4 request (all topics) and returns the number of brokers in the answer."""
    client_id = b"runnel-e2e-probe"
    # Request header v1: api_key 3, api_version 4, correlation id, client id; body: topics null, no auto-create.
    body = struct.pack(">hhih", 3, 4, 1, len(client_id)) + client_id + struct.pack(">i?", -1, False)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read_exactly(s, 4))[0]
        response = _read_exactly(s, size)
    # Response header v0 (correlation id), then throttle_time_ms and the brokers array's length.
    _, _, brokers = struct.unpack(">iii", response[:12])
    return brokers


def _read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_cpu_ticks(pid):
    """{thread id: (name, utime + stime ticks)} of a process's live threads, from /proc/<pid>/task/<tid>/stat (the
    kernel truncates names to 15 characters; a JVM's main thread is named "java")."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except (FileNotFoundError, ProcessLookupError):  # the thread ended meanwhile
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        threads[int(tid)] = (name, int(fields[11]) + int(fields[12]))
    return threads


def machine_cpu_ticks():
    """(busy, total) clock ticks of all CPUs since boot, from the first line of /proc/stat: total is user + nice +
    system + idle + iowait + irq + softirq + steal (guest time is already inside user), busy is total - idle -
    iowait."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:9]]
    total = sum(ticks)
    return total - ticks[3] - ticks[4], total


def busy_fraction(before, after):
    """Share of all CPUs' time that was busy between two machine_cpu_ticks() readings (1.0 = every core busy)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else None


def busy_seconds(before, after):
    """CPU seconds all processes on the machine used between two machine_cpu_ticks() readings."""
    return (after[0] - before[0]) / CLOCK_TICKS


def peak_rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def dir_bytes(path):
    """Bytes allocated on disk under path (st_blocks, so sparse or preallocated index files count as stored)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


class Broker:
    """One broker process: start() launches it and waits for the first Metadata naming a broker."""

    def __init__(self, name, workdir, settings, ctx):
        self.name = name
        self.workdir = workdir
        self.data_dir = os.path.join(workdir, "data")
        self.settings = settings
        self.ctx = ctx
        self.port = free_port()
        self.proc = None
        self.log = None
        self.startup_seconds = None

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def command(self):
        raise NotImplementedError

    def prepare(self):
        """Work done before the clock starts (Kafka formats its storage)."""

    def environment(self):
        return None  # inherit ours

    def start(self, timeout):
        os.makedirs(self.data_dir, exist_ok=True)
        self.prepare()
        self.log = open(os.path.join(self.workdir, f"{self.name}-broker.log"), "w")
        started = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.workdir, start_new_session=True, env=self.environment())
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited with {self.proc.returncode} during start-up")
            try:
                if metadata_broker_count(self.port) > 0:
                    self.startup_seconds = time.monotonic() - started
                    return
            except (OSError, struct.error):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"no Metadata answer within {timeout}s")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def jit_cpu(self):
        """CPU seconds of the broker JVM's JIT compiler threads ("C1 CompilerThre…", "C2 CompilerThre…"): a cost
        of warming up, which a short run pays in full and a long-running broker only once."""
        return sum(ticks for name, ticks in thread_cpu_ticks(self.proc.pid).values()
                   if name.startswith(("C1 CompilerThre", "C2 CompilerThre"))) / CLOCK_TICKS

    def peak_rss(self):
        return peak_rss_bytes(self.proc.pid)

    def stop(self, timeout=60):
        """SIGTERM (a clean shutdown for both), SIGKILL after timeout; returns seconds taken or None."""
        if self.proc is None:
            return None
        started = time.monotonic()
        clean = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
                clean = time.monotonic() - started
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return clean


class RunnelBroker(Broker):
    """Runnel started the way its users start it: bin/runnel-server-start.sh, which execs the JVM (so the process
    id is the JVM's) and uses its class data sharing archive; prime() records that archive beforehand."""

    def command(self):
        props = os.path.join(self.workdir, "runnel.properties")
        with open(props, "w") as f:
            for key, value in self.settings.items():
                f.write(f"{key}={value}\n")
            f.write(f"listeners=PLAINTEXT://127.0.0.1:{self.port}\n")
            f.write(f"log.dirs={self.data_dir}\n")
        return [os.path.join(self.ctx.root, "bin", "runnel-server-start.sh"), props]

    def environment(self):
        heap = [f for f in BROKER_JVM_FLAGS if f.startswith("-Xm")]
        return {**os.environ, "RUNNEL_HEAP_OPTS": " ".join(heap),
                "RUNNEL_JVM_PERFORMANCE_OPTS": " ".join(f for f in BROKER_JVM_FLAGS if f not in heap),
                "RUNNEL_OPTS": os.environ.get("RUNNEL_EXTRA_OPTS", "")}

    @staticmethod
    def prime(ctx, workdir):
        """One unmeasured start and clean stop, so that the script records its class data sharing archive (as
        Kafka's storage is formatted before its clock starts)."""
        broker = RunnelBroker("runnel-prime", workdir, {}, ctx)
        try:
            broker.start(timeout=180)
        finally:
            broker.stop()


class KafkaBroker(Broker):
    """Apache Kafka in KRaft combined mode: node 1 is broker and controller, the controller on its own port."""

    def __init__(self, name, workdir, settings, ctx):
        super().__init__(name, workdir, settings, ctx)
        self.controller_port = free_port()
        self.props = os.path.join(self.workdir, "kafka.properties")

    def prepare(self):
        with open(self.props, "w") as f:
            f.write("process.roles=broker,controller\nnode.id=1\n")
            f.write(f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}\n")
            f.write(f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}\n")
            f.write(f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}\n")
            f.write("controller.listener.names=CONTROLLER\ninter.broker.listener.name=PLAINTEXT\n")
            f.write("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n")
            f.write(f"log.dirs={self.data_dir}\n")
            for key, value in self.settings.items():
                f.write(f"{key}={value}\n")
        with open(os.path.join(self.workdir, "kafka-format.log"), "w") as out:
            subprocess.run(["java", *self.ctx.tool_jvm_flags, "-cp", self.ctx.kafka_classpath,
                            "kafka.tools.StorageTool", "format", "-t", kafka_uuid(), "-c", self.props],
                           stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300)

    def command(self):
        return ["java", *BROKER_JVM_FLAGS, *os.environ.get("KAFKA_EXTRA_OPTS", "").split(),
                f"-Dlog4j2.configurationFile={self.ctx.log4j_config}",
                "-Dbench.log.level=info", "-cp", self.ctx.kafka_classpath, "kafka.Kafka", self.props]
