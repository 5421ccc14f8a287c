#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gslbd over its sockets and over AF_XDP against Knot DNS (sockets and its XDP mode), gdnsd
and NSD (sockets), each installed one, on a veth pair between two network namespaces, with
kxdpgun (knot-dnsutils) as the load generator in the client namespace. Root only.

The server runs pinned to --server-cpu (every thread of its process tree, as Knot pins its own
workers), kxdpgun to --client-cpu. Before the load, each started server must give the right
answer to every query of its mix over the path under load (UDP to the served port: the XDP
path in XDP rows) and the same over TCP, which always takes the kernel's sockets.
Per round, for each server in turn (interleaved, so drift hits every row alike):
  - answers/s at saturation: kxdpgun at --saturation-rate for --seconds, and the queries it
    sent that got no answer (loss);
  - CPU per answer at a fixed --rate (and the loss there):
      machine: the scheduler's run time of every task (kernel threads and the generator
        included, the same for every row) plus interrupt time, over the answers kxdpgun counted;
      jiffies: /proc/stat's busy ticks (user, nice, system, irq, softirq) over the same answers,
        the usual whole-machine figure; on this kind of virtual machine it came out below the
        server's own CPU time, so the first is the one to trust;
      server: the server's process tree's own run time (schedstat), which leaves out the XDP
        program and the driver (softirq time lands on whatever runs then).
  - wrong answers: replies kxdpgun counted with an rcode the mix cannot give.
Whole-machine figures mean something only on an otherwise idle machine: the load average is
printed before and after.
Rows: the static mix on every server, and gslbd over sockets and XDP on a pool-backed name (a
weighted pool of eight members, two per answer), which the others have no form of. Prints
each round, the medians, and ratios against gslbd over its sockets on the same mix.
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

from peer_servers import Gdnsd, Knot, Nsd, cpu_ns, process_tree

PREFIX = "gslbd-bxdp-%d-" % os.getpid()
SERVER_NS, CLIENT_NS = PREFIX + "s", PREFIX + "c"
SERVER_IF, CLIENT_IF = "bxs%d" % (os.getpid() % 100000), "bxc%d" % (os.getpid() % 100000)
SERVER4, CLIENT4 = "198.18.0.1", "198.18.0.2"
PORT = 53
KNOT_TCP_PORT = 5300  # Knot's sockets in its XDP row
QNAMES = ["www.xdp.test. A", "app.xdp.test. A", "nope.xdp.test. A", "www.xdp.test. AAAA"]
# What each query of the static mix must get: rcode and the answer's rdata.
EXPECTED = {
    "www.xdp.test. A": ("NOERROR", {"192.0.2.80", "192.0.2.81"}),
    "app.xdp.test. A": ("NOERROR", {"192.0.2.20"}),
    "nope.xdp.test. A": ("NXDOMAIN", set()),
    "www.xdp.test. AAAA": ("NOERROR", {"2001:db8::80"}),
}
POOL_MEMBERS = {"192.0.2.%d" % (20 + i) for i in range(8)}

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
    """One server process in the server namespace, started and stopped by PID, every thread of
    its process tree pinned to cpu."""

    def __init__(self, name, argv, workdir, ready_text, log_name, queries, cpu, tcp_port=PORT):
        self.name, self.argv, self.workdir = name, argv, workdir
        self.queries = queries  # the kxdpgun query file this row asks
        self.ready_text, self.log = ready_text, os.path.join(workdir, log_name)
        self.cpu = cpu
        self.tcp_port = tcp_port  # where its kernel sockets answer TCP
        self.proc = None

    def start(self):
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(["ip", "netns", "exec", SERVER_NS, "taskset", "-c",
                                          self.cpu] + self.argv,
                                         stdout=err, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited:\n%s" % (self.name, self.text()))
            if self.ready_text in self.text() and answers(SERVER4):
                # Knot pins its workers to CPUs of its own choosing, NSD forks: all onto ours.
                for pid in process_tree(self.proc.pid):
                    run(["taskset", "-a", "-c", "-p", self.cpu, str(pid)], check=False)
                return
            time.sleep(0.1)
        raise RuntimeError("%s did not start:\n%s" % (self.name, self.text()))

    def check_answers(self, expected):
        """Raises unless every query of the mix gets its expected answer over UDP to the served
        port (the path under load) and over TCP."""
        for query, check in expected.items():
            for transport, port in (("+notcp", PORT), ("+tcp", self.tcp_port)):
                rcode, rdata = dig(query, transport, port)
                problem = check(rcode, rdata)
                if problem:
                    raise RuntimeError("%s answers %s over %s wrongly: %s (got %s %s)"
                                       % (self.name, query, transport[1:], problem, rcode,
                                          sorted(rdata)))

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


def dig(query, transport, port):
    """(rcode, set of answer rdata) of one kdig query from the client namespace."""
    name, qtype = query.split()
    r = in_ns(CLIENT_NS, ["kdig", "@" + SERVER4, "-p", str(port), transport, "+retry=1",
                          "+timeout=2", "+noall", "+header", "+answer", name, qtype], check=False)
    m = re.search(r"status: (\w+)", r.stdout)
    rdata = {line.split()[-1] for line in r.stdout.splitlines()
             if line and not line.startswith(";") and line.split()[3:4] == [qtype]}
    return (m.group(1) if m else "no answer"), rdata


def static_check(query):
    want_rcode, want = EXPECTED[query]

    def check(rcode, rdata):
        if rcode != want_rcode or rdata != want:
            return "expected %s %s" % (want_rcode, sorted(want))
        return ""
    return check


def pool_check(rcode, rdata):
    if rcode != "NOERROR" or len(rdata) != 2 or not rdata <= POOL_MEMBERS:
        return "expected NOERROR and two of the pool's members"
    return ""


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


def busy_jiffies_s():
    """Busy CPU seconds of the whole machine by /proc/stat's tick counts: user, nice, system,
    irq and softirq (not idle, iowait or steal; guest time is inside user)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


class Load:
    """One kxdpgun run: queries sent, replies, and replies with an rcode outside `rcodes`."""

    def __init__(self, queries_file, rate, seconds, cpu, rcodes):
        r = in_ns(CLIENT_NS, ["taskset", "-c", cpu, "kxdpgun", "-t", str(seconds), "-Q",
                              str(rate), "-i", queries_file, "-I", CLIENT_IF, SERVER4],
                  timeout=seconds + 60)
        text = r.stdout + r.stderr
        sent = re.search(r"total queries:\s+(\d+)", text)
        replies = re.search(r"total replies:\s+(\d+)", text)
        if not sent or not replies:
            raise RuntimeError("kxdpgun output not understood:\n" + text)
        self.sent, self.replies = int(sent.group(1)), int(replies.group(1))
        self.per_second = self.replies / seconds
        self.lost = max(self.sent - self.replies, 0) / self.sent if self.sent else 1.0
        counted = {m.group(1): int(m.group(2))
                   for m in re.finditer(r"responded (\w+):\s+(\d+)", text)}
        self.wrong = sum(n for rcode, n in counted.items() if rcode not in rcodes)


def measure(server, rcodes, args):
    """Answers/s and loss at saturation; loss and us CPU per answer (machine, jiffies, server)
    at args.rate; wrong rcodes in both runs."""
    saturated = Load(server.queries, args.saturation_rate, args.seconds, args.client_cpu, rcodes)
    before, jiffies_before = machine_s(), busy_jiffies_s()
    server_before = cpu_ns(server.proc.pid)
    fixed = Load(server.queries, args.rate, args.seconds, args.client_cpu, rcodes)
    busy_s = machine_s() - before
    jiffies_s = busy_jiffies_s() - jiffies_before
    server_s = (cpu_ns(server.proc.pid) - server_before) / 1e9
    replies = fixed.replies or float("nan")
    return {"qps": saturated.per_second, "lost": saturated.lost, "lost_rate": fixed.lost,
            "machine": busy_s / replies * 1e6, "jiffies": jiffies_s / replies * 1e6,
            "server": server_s / replies * 1e6, "wrong": saturated.wrong + fixed.wrong}


def peer_servers(args, work, queries):
    """Knot (sockets and XDP), gdnsd and NSD rows for the installed ones, configured by the
    peer benchmark's classes on the static zone, on the server namespace's address."""
    out = []
    zone_dir = os.path.join(work, "peer-zones")
    os.makedirs(zone_dir, exist_ok=True)
    zone_file = os.path.join(zone_dir, "xdp.test")  # gdnsd names a zone's file after it
    with open(zone_file, "w") as f:
        f.write(ZONE_TEXT)
    where = {"address": SERVER4, "zone": "xdp.test"}
    have = lambda name: shutil.which(name) or os.path.exists("/usr/sbin/" + name)
    skip = set(args.skip.split(",")) if args.skip else set()
    peers = []
    if have("knotd"):
        peers.append(("knot socket", Knot(work, PORT, 1, args.server_cpu, zone_file, **where)))
    if have("gdnsd"):
        # No pool is used: one member that no check reaches keeps gdnsd's config valid.
        peers.append(("gdnsd socket", Gdnsd((["127.0.0.11"], 5699), [], work, PORT, 1,
                                            args.server_cpu, zone_file, **where)))
    if have("nsd"):
        peers.append(("nsd socket", Nsd(work, PORT, 1, args.server_cpu, zone_file, **where)))
    for name, peer in peers:
        if name.split()[0] in skip:
            continue
        peer.prepare()
        argv = peer.command()
        argv[0] = shutil.which(argv[0]) or "/usr/sbin/" + argv[0]
        out.append(Server(name, argv, peer.dir, "", os.path.join(peer.dir, "server.log"), queries,
                          args.server_cpu))
    if have("knotd") and "knot" not in skip:
        os.makedirs(os.path.join(work, "knot"), exist_ok=True)
        with open(os.path.join(work, "knot", "xdp.test.zone"), "w") as f:
            f.write(ZONE_TEXT)
        conf = os.path.join(work, "knot.conf")
        with open(conf, "w") as f:
            f.write("server:\n  rundir: %(d)s/knot\n  listen: %(a)s@%(t)d\n"
                    "  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\n"
                    "xdp:\n  listen: %(i)s@%(p)d\n  udp: on\n"
                    "database:\n  storage: %(d)s/knot\n"
                    "template:\n  - id: default\n    storage: %(d)s/knot\n"
                    "    semantic-checks: off\n"
                    "zone:\n  - domain: xdp.test\n    file: xdp.test.zone\n"
                    "log:\n  - target: stderr\n    any: info\n"
                    % {"d": work, "a": SERVER4, "t": KNOT_TCP_PORT, "i": SERVER_IF, "p": PORT})
        # Knot's XDP mode answers UDP only: TCP goes to its sockets on another port.
        out.append(Server("knot xdp", [shutil.which("knotd") or "/usr/sbin/knotd", "-c", conf],
                          work, "server started", "knot.log", queries, args.server_cpu,
                          tcp_port=KNOT_TCP_PORT))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gslbd", required=True, type=os.path.abspath)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rate", type=int, default=50000, help="queries/s of the CPU rows")
    ap.add_argument("--saturation-rate", type=int, default=2000000)
    ap.add_argument("--server-cpu", default="1", help="the CPU every server runs on")
    ap.add_argument("--client-cpu", default="0", help="the CPU kxdpgun runs on")
    ap.add_argument("--skip", default="", help="comma list of peers to leave out: knot, gdnsd, "
                    "nsd")
    ap.add_argument("--no-knot", action="store_true", help="the same as --skip knot")
    args = ap.parse_args()
    if args.no_knot:
        args.skip = ",".join(filter(None, [args.skip, "knot"]))
    if os.geteuid() != 0:
        sys.exit("bench-xdp needs root (network namespaces, XDP)")
    for tool in ("kxdpgun", "kdig", "ip", "ping", "taskset"):
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
                                  "gslbd-%s.log" % name.replace(" ", "-"), mix, args.server_cpu))
        servers += peer_servers(args, work, queries)

        columns = ("qps", "lost", "lost_rate", "machine", "jiffies", "server", "wrong")
        results = {s.name: {c: [] for c in columns} for s in servers}
        print("load average before the run: %s; servers on CPU %s, kxdpgun on CPU %s"
              % (open("/proc/loadavg").read().split()[0], args.server_cpu, args.client_cpu))
        for round_ in range(1, args.rounds + 1):
            for server in servers:
                pool = server.queries == pool_queries
                expected = ({q: pool_check for q in POOL_QNAMES} if pool
                            else {q: static_check(q) for q in QNAMES})
                rcodes = {"NOERROR"} if pool else {"NOERROR", "NXDOMAIN"}
                server.start()
                try:
                    server.check_answers(expected)
                    result = measure(server, rcodes, args)
                finally:
                    server.stop()
                for column in columns:
                    results[server.name][column].append(result[column])
                print("round %d  %-17s %9.0f answers/s (%4.1f%% lost); at %d q/s (%4.1f%% lost): "
                      "%5.2f us CPU/answer machine, %5.2f jiffies, %5.2f server; %d wrong"
                      % (round_, server.name, result["qps"], 100 * result["lost"], args.rate,
                         100 * result["lost_rate"], result["machine"], result["jiffies"],
                         result["server"], result["wrong"]), flush=True)
        print("\nmedians over %d rounds (%d s each; CPU at %d q/s), ratios to gslbd socket "
              "(pool rows: to gslbd socket pool); load average now %s"
              % (args.rounds, args.seconds, args.rate, open("/proc/loadavg").read().split()[0]))
        print("%-17s %10s %5s %6s %6s %8s %5s %8s %5s %8s %5s %6s"
              % ("server", "answers/s", "ratio", "lost%", "lost%@", "us mach", "ratio",
                 "us jiffy", "ratio", "us serv", "ratio", "wrong"))
        for server in servers:
            row_base = "gslbd socket pool" if "pool" in server.name else "gslbd socket"
            base_med = {c: statistics.median(results[row_base][c]) for c in columns}
            med = {c: statistics.median(results[server.name][c]) for c in columns}
            print("%-17s %10.0f %5.2f %6.1f %6.1f %8.2f %5.2f %8.2f %5.2f %8.2f %5.2f %6d"
                  % (server.name, med["qps"], med["qps"] / base_med["qps"], 100 * med["lost"],
                     100 * med["lost_rate"], med["machine"], med["machine"] / base_med["machine"],
                     med["jiffies"], med["jiffies"] / base_med["jiffies"], med["server"],
                     med["server"] / base_med["server"], sum(results[server.name]["wrong"])))
        print("lost%: queries without an answer at saturation; lost%@: at the fixed rate; "
              "us mach: scheduler run time of every task + interrupts; us jiffy: /proc/stat busy "
              "ticks; us serv: the server's own threads; wrong: replies with an rcode the mix "
              "cannot give, over all rounds")
    finally:
        for server in servers:
            server.stop()
        topology.down()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
