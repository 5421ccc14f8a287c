#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gslbd over its sockets against gslbd over AF_XDP (and Knot DNS's XDP mode when knotd is
installed), on a veth pair between two network namespaces, with kxdpgun (knot-dnsutils) as
the load generator in the client namespace. Root only.

Per round, for each server in turn (interleaved, so drift hits every row alike):
  - answers/s at saturation: kxdpgun at --saturation-rate for --seconds;
  - whole-machine CPU per answer at a fixed --rate: the scheduler's run time of every task
    (kernel threads and the generator included, the same for every row) plus interrupt time,
    over the answers kxdpgun counted; and the
    server process's own CPU (/proc/PID/stat) per answer, which leaves out the XDP program and
    the driver (softirq time lands on whatever runs then) but not the machine's other load.
Whole-machine figures mean something only on an otherwise idle machine: the load average
before the run is printed with them.
Rows: gslbd over sockets and over XDP on a static mix (also asked of Knot), and the same two on
a pool-backed name (a weighted pool of eight members, two per answer), which Knot has no form
of. Prints each round, the medians, and ratios against gslbd over its sockets on the same mix.
"""

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PREFIX = "gslbd-bxdp-%d-" % os.getpid()
SERVER_NS, CLIENT_NS = PREFIX + "s", PREFIX + "c"
SERVER_IF, CLIENT_IF = "bxs%d" % (os.getpid() % 100000), "bxc%d" % (os.getpid() % 100000)
SERVER4, CLIENT4 = "198.18.0.1", "198.18.0.2"
PORT = 53
QNAMES = ["www.xdp.test. A", "app.xdp.test. A", "nope.xdp.test. A", "www.xdp.test. AAAA"]

ZONE_YAML = """version: 1
zone: xdp.test
default_ttl: 1h
soa: {mname: ns1.xdp.test., rname: hostmaster.xdp.test., serial: 1, refresh: 1h, retry: 15m,
      expire: 1w, minimum: 5m}
ns: [ns1.xdp.test.]
records:
  - {name: ns1, type: A, data: ["198.18.0.1"]}
  - {name: www, type: A, data: ["192.0.2.80", "192.0.2.81"]}
  - {name: www, type: AAAA, data: ["2001:db8::80"]}
  - {name: app, type: A, data: ["192.0.2.20"]}
"""

# The same zone with app as a service: its answers come from a weighted pool of eight members
# (no checks, so every member serves), two per answer: the pool-backed rows ask only for it.
POOL_ZONE_YAML = ZONE_YAML.replace(
    '  - {name: app, type: A, data: ["192.0.2.20"]}\n',
    "services:\n  - {name: app, pool: app, ttl: 30s}\n")
POOL_YAML = """version: 1
pools:
  - name: app
    policy: weighted
    max_records: 2
    members:
""" + "".join("      - {name: m%d, address: 192.0.2.%d, weight: %d}\n" % (i, 20 + i, 100 + 50 * i)
              for i in range(8))
POOL_QNAMES = ["app.xdp.test. A"]

ZONE_TEXT = """$ORIGIN xdp.test.
$TTL 3600
@ SOA ns1.xdp.test. hostmaster.xdp.test. 1 3600 900 604800 300
@ NS ns1.xdp.test.
ns1 A 198.18.0.1
www A 192.0.2.80
www A 192.0.2.81
www AAAA 2001:db8::80
app A 192.0.2.20
"""


def run(argv, check=True, timeout=60):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(argv), r.returncode, r.stdout,
                                                  r.stderr))
    return r


def in_ns(ns, argv, **kwargs):
    return run(["ip", "netns", "exec", ns] + argv, **kwargs)


class Topology:
    def __init__(self):
        self.namespaces = []

    def up(self):
        for ns in (SERVER_NS, CLIENT_NS):
            run(["ip", "netns", "add", ns])
            self.namespaces.append(ns)
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", SERVER_IF, "netns", SERVER_NS, "type", "veth", "peer", "name",
             CLIENT_IF, "netns", CLIENT_NS])
        for ns, dev, v4 in ((SERVER_NS, SERVER_IF, SERVER4), (CLIENT_NS, CLIENT_IF, CLIENT4)):
            run(["ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        in_ns(CLIENT_NS, ["ping", "-c", "1", "-W", "2", SERVER4])

    def down(self):
        for ns in self.namespaces:
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []


class Server:
    """One server process in the server namespace, started and stopped by PID."""

    def __init__(self, name, argv, workdir, ready_text, log_name, queries):
        self.name, self.argv, self.workdir = name, argv, workdir
        self.queries = queries  # the kxdpgun query file this row asks
        self.ready_text, self.log = ready_text, os.path.join(workdir, log_name)
        self.proc = None

    def start(self):
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(["ip", "netns", "exec", SERVER_NS] + self.argv,
                                         stdout=err, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited:\n%s" % (self.name, self.text()))
            if self.ready_text in self.text() and answers(SERVER4):
                return
            time.sleep(0.1)
        raise RuntimeError("%s did not start:\n%s" % (self.name, self.text()))

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # knotd leaves its XDP program attached when it stops (for a quick restart); the next
        # server must find the interface free.
        run(["ip", "-n", SERVER_NS, "link", "set", "dev", SERVER_IF, "xdp", "off"], check=False)


def answers(address):
    r = in_ns(CLIENT_NS, ["kdig", "@" + address, "+short", "+retry=0", "+timeout=1",
                          "www.xdp.test.", "A"], check=False)
    return "192.0.2.80" in r.stdout


def task_runtime_s():
    """CPU time every task alive now has run, kernel threads included, from the scheduler's own
    nanosecond count (/proc/PID/task/TID/schedstat). The tick-sampled busy counts of /proc/stat
    gave figures below the server's own CPU time on this kind of virtual machine."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for tid in os.listdir("/proc/%s/task" % pid):
                with open("/proc/%s/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass  # the task ended between the listing and the read
    return total / 1e9


def interrupt_s():
    """Interrupt and softirq time (/proc/stat), which a kernel with IRQ time accounting keeps
    out of the tasks' run time."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


def children_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_s():
    """Whole-machine CPU seconds so far: live tasks, interrupts, and the children this script
    has waited for (kxdpgun, which starts and ends inside a measurement)."""
    return task_runtime_s() + interrupt_s() + children_s()


def kxdpgun(queries_file, rate, seconds):
    """(replies per second, replies) from one kxdpgun run at `rate` queries/s."""
    r = in_ns(CLIENT_NS, ["kxdpgun", "-t", str(seconds), "-Q", str(rate), "-i", queries_file,
                          "-I", CLIENT_IF, SERVER4], timeout=seconds + 60)
    text = r.stdout + r.stderr
    m = re.search(r"total replies:\s+(\d+)", text)
    if not m:
        raise RuntimeError("kxdpgun output not understood:\n" + text)
    replies = int(m.group(1))
    return replies / seconds, replies


def process_jiffies(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def measure(queries_file, saturation_rate, rate, seconds, pid):
    """(answers/s at saturation, whole-machine us CPU per answer, server us CPU per answer)."""
    per_second, _ = kxdpgun(queries_file, saturation_rate, seconds)
    tick = os.sysconf("SC_CLK_TCK")
    before, server_before = machine_s(), process_jiffies(pid)
    _, replies = kxdpgun(queries_file, rate, seconds)
    busy_s = machine_s() - before
    server_s = (process_jiffies(pid) - server_before) / tick
    if not replies:
        return per_second, float("inf"), float("inf")
    return per_second, busy_s / replies * 1e6, server_s / replies * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gslbd", required=True, type=os.path.abspath)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rate", type=int, default=50000, help="queries/s of the CPU rows")
    ap.add_argument("--saturation-rate", type=int, default=2000000)
    ap.add_argument("--no-knot", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench-xdp needs root (network namespaces, XDP)")
    for tool in ("kxdpgun", "kdig", "ip", "ping"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            sys.exit("bench-xdp needs %s (tools/install-deps --bench)" % tool)

    work = tempfile.mkdtemp(prefix="gslbd-bench-xdp-")
    topology = Topology()
    servers = []
    try:
        topology.up()
        queries = os.path.join(work, "queries.txt")
        with open(queries, "w") as f:
            f.write("\n".join(QNAMES) + "\n")
        pool_queries = os.path.join(work, "pool-queries.txt")
        with open(pool_queries, "w") as f:
            f.write("\n".join(POOL_QNAMES) + "\n")
        with open(os.path.join(work, "xdp.test.zone.yaml"), "w") as f:
            f.write(ZONE_YAML)
        os.makedirs(os.path.join(work, "pool"))
        with open(os.path.join(work, "pool", "xdp.test.zone.yaml"), "w") as f:
            f.write(POOL_ZONE_YAML)
        with open(os.path.join(work, "pool", "app.pool.yaml"), "w") as f:
            f.write(POOL_YAML)
        base = ["version: 1", "server:", "  workers: 1", '  listen: ["%s:%d"]' % (SERVER4, PORT),
                "  identity: bench", "  cookies: {enabled: false}", "control:",
                "  enabled: false", 'zones: ["xdp.test.zone.yaml"]']
        xdp = ["xdp:", "  interfaces: [{name: %s}]" % SERVER_IF, "  port: %d" % PORT,
               '  addresses: ["%s"]' % SERVER4, "  mode: native"]
        pooled = ['zones: ["pool/xdp.test.zone.yaml"]', 'pools: ["pool/app.pool.yaml"]']
        for name, lines, mix in (("socket", base, queries), ("xdp", base + xdp, queries),
                                 ("socket pool", base[:-1] + pooled, pool_queries),
                                 ("xdp pool", base[:-1] + pooled + xdp, pool_queries)):
            path = os.path.join(work, "gslbd-%s.yaml" % name.replace(" ", "-"))
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            # The XDP rows must really run over XDP: the log says so before "serving".
            servers.append(Server("gslbd " + name, [args.gslbd, "-c", path], work,
                                  "xdp: answering" if "xdp" in name else "gslbd serving",
                                  "gslbd-%s.log" % name.replace(" ", "-"), mix))
        knotd = shutil.which("knotd") or ("/usr/sbin/knotd" if os.path.exists("/usr/sbin/knotd")
                                          else None)
        if knotd and not args.no_knot:
            os.makedirs(os.path.join(work, "knot"), exist_ok=True)
            with open(os.path.join(work, "knot", "xdp.test.zone"), "w") as f:
                f.write(ZONE_TEXT)
            conf = os.path.join(work, "knot.conf")
            with open(conf, "w") as f:
                f.write("server:\n  rundir: %(d)s/knot\n  listen: %(a)s@5300\n"
                        "  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\n"
                        "xdp:\n  listen: %(i)s@%(p)d\n  udp: on\n"
                        "database:\n  storage: %(d)s/knot\n"
                        "template:\n  - id: default\n    storage: %(d)s/knot\n"
                        "    semantic-checks: off\n"
                        "zone:\n  - domain: xdp.test\n    file: xdp.test.zone\n"
                        "log:\n  - target: stderr\n    any: info\n"
                        % {"d": work, "a": SERVER4, "i": SERVER_IF, "p": PORT})
            servers.append(Server("knot xdp", [knotd, "-c", conf], work, "server started",
                                  "knot.log", queries))

        results = {s.name: ([], [], []) for s in servers}
        print("load average before the run: %s" % open("/proc/loadavg").read().split()[0])
        for round_ in range(1, args.rounds + 1):
            for server in servers:
                server.start()
                try:
                    qps, cpu_us, server_us = measure(server.queries, args.saturation_rate, args.rate,
                                                     args.seconds, server.proc.pid)
                finally:
                    server.stop()
                for column, value in zip(results[server.name], (qps, cpu_us, server_us)):
                    column.append(value)
                print("round %d  %-17s %10.0f answers/s   at %d q/s: %6.2f us CPU/answer "
                      "(machine), %5.2f (server process)"
                      % (round_, server.name, qps, args.rate, cpu_us, server_us), flush=True)
        print("\nmedians over %d rounds (%d s each; CPU at %d q/s), ratios to gslbd socket "
              "(pool rows: to gslbd socket pool); "
              "load average now %s" % (args.rounds, args.seconds, args.rate,
                                       open("/proc/loadavg").read().split()[0]))
        print("%-17s %12s %6s %15s %6s %15s %6s" % ("server", "answers/s", "ratio",
                                                   "us CPU machine", "ratio", "us CPU server",
                                                   "ratio"))
        for server in servers:
            row_base = "gslbd socket pool" if "pool" in server.name else "gslbd socket"
            base = [statistics.median(column) for column in results[row_base]]
            med = [statistics.median(column) for column in results[server.name]]
            print("%-17s %12.0f %6.2f %15.2f %6.2f %15.2f %6.2f"
                  % (server.name, med[0], med[0] / base[0], med[1], med[1] / base[1], med[2],
                     med[2] / base[2]))
    finally:
        for server in servers:
            server.stop()
        topology.down()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
