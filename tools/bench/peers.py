# SPDX-License-Identifier: Apache-2.0
"""gslbd against NSD, Knot, gdnsd and a recvmmsg reflector on this machine, side by side.

Run through tools/bench-peers, which builds gslbd in Release and installs the peers. All traffic
stays on 127.0.0.1. Prints, per worker count, the median and min..max over interleaved rounds of
max QPS (dnsperf unthrottled), lost queries, average latency and server CPU per query at a fixed
rate (from /proc/<pid>/task/*/schedstat of the server's process tree), with ratios to each
peer; then 1M-record zone load time and RSS, then lost queries across gslbd reloads under load.
"""

import argparse
import os
import random
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time

from peer_servers import ZONE, Gdnsd, Gslbd, Knot, Nsd, Reflector, cpu_ns, rss_kib, wakeups, zone_text

MEMBERS = [f"127.0.0.{11 + i}" for i in range(8)]
MEMBER_PORT = 5699
STATIC_NAMES = 1000
SERVICES = 100  # w0.. weighted, s0.. hash, g0.. geo: pool-backed names over the same 8 members


# The defence rows. Every query carries an 8-octet client cookie (EDNS option 10), so a server
# with cookies on makes a server cookie for each answer. The rate limits are ones no key of the
# load reaches (100k names, a few per second each): every response is accounted, none limited.
# Knot's is higher than gslbd's highest (10000) because Knot keys by a hash of the name into a
# table where names collide, and at 10000 it limited some of the flood.
COOKIE_QUERY = ("-e", "-E", "10:0102030405060708")
GSLBD_UNDEFENDED = "  cookies: {enabled: false}\n"
GSLBD_DEFENDED = ("  cookies: {enabled: true}\n"
                  "  rate_limit: {enabled: true, responses_per_second: 10000, slip: 2}\n")
# The signed rows: every query sets DO=1. gslbd signs with a CSK (ECDSA P-256) made at start,
# its static answers signed at load and service answers from its signature cache; Knot signs
# online with mod-onlinesign (ECDSA P-256 keys it makes itself), the point of
# comparison. The unsigned rows with DO=1 are the baseline of each.
DO_QUERY = ("-D",)
KNOT_ONLINESIGN = {"mod-onlinesign/bench": "mod-onlinesign:\n  - id: bench\n"}
KNOT_DEFENDED = {
    "mod-cookies/bench": "mod-cookies:\n  - id: bench\n",
    "mod-rrl/bench": "mod-rrl:\n  - id: bench\n    rate-limit: 100000\n    slip: 2\n",
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gslbd", required=True)
    p.add_argument("--reflector", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5, help="per dnsperf run")
    p.add_argument("--rate", type=int, default=40000, help="fixed rate for CPU per query")
    p.add_argument("--workers", default="1,2")
    p.add_argument("--client-cpu", default="0")
    p.add_argument("--server-cpus", default="1")
    p.add_argument("--big-zone", type=int, default=1_000_000, help="records; 0 skips")
    p.add_argument("--reload-names", type=int, default=100_000, help="0 skips")
    p.add_argument("--reloads", type=int, default=5)
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--only", default="", help="comma list of rows to run (default all)")
    args = p.parse_args()
    args.gslbd = os.path.abspath(args.gslbd)
    args.reflector = os.path.abspath(args.reflector)
    return args


class MemberListeners:
    """The pool's 8 members: TCP listeners that accept and close, so TCP checks pass."""

    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        for address in MEMBERS:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, MEMBER_PORT))
            s.listen(128)
            s.setblocking(False)
            self.selector.register(s, selectors.EVENT_READ)
            self.sockets.append(s)
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            for key, _ in self.selector.select(0.2):
                try:
                    conn, _ = key.fileobj.accept()
                    conn.close()
                except OSError:
                    pass

    def close(self):
        self.stopping = True
        self.thread.join()
        for s in self.sockets:
            s.close()


def write_queries(path, existing, count=100_000, seed=1):
    """~90% existing A, 5% NXDOMAIN, 5% NODATA (MX at a name with only A/AAAA)."""
    rng = random.Random(seed)
    with open(path, "w", encoding="ascii") as f:
        for _ in range(count):
            r = rng.random()
            if r < 0.90:
                f.write(f"{rng.choice(existing)}.{ZONE} A\n")
            elif r < 0.95:
                f.write(f"nx{rng.randrange(1_000_000)}.{ZONE} A\n")
            else:
                f.write(f"h{rng.randrange(STATIC_NAMES)}.{ZONE} MX\n")


def dnsperf(port, queries, seconds, cpu, rate=None, extra=()):
    args = ["taskset", "-c", cpu, "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries]
    args += ["-l", str(seconds), "-c", "8", "-q", "100", "-t", "2", *extra]
    if rate:
        args += ["-Q", str(rate)]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout

    def number(pattern):
        m = re.search(pattern, out)
        if not m:
            raise RuntimeError(f"dnsperf output without {pattern!r}:\n{out}")
        return float(m.group(1))

    return {
        "completed": number(r"Queries completed:\s+(\d+)"),
        "lost": number(r"Queries lost:\s+(\d+)"),
        "qps": number(r"Queries per second:\s+([\d.]+)"),
        "latency_us": number(r"Average Latency \(s\):\s+([\d.]+)") * 1e6,
        "max_latency_us": number(r"Average Latency \(s\):.*max ([\d.]+)") * 1e6,
    }


def measure(server, queries, args, extra=()):
    flood = dnsperf(server.port, queries, args.seconds, args.client_cpu, extra=extra)
    before, slept = cpu_ns(server.proc.pid), wakeups(server.proc.pid)
    paced = dnsperf(server.port, queries, args.seconds, args.client_cpu, rate=args.rate,
                    extra=extra)
    used = cpu_ns(server.proc.pid) - before
    slept = wakeups(server.proc.pid) - slept
    return {
        "max_qps": flood["qps"],
        "lost": flood["lost"] + paced["lost"],
        "latency_us": paced["latency_us"],
        "cpu_us": used / 1000 / max(paced["completed"], 1),
        "queries_per_wakeup": paced["completed"] / max(slept, 1),
    }


def summary(values):
    return statistics.median(values), min(values), max(values)


def qps_table(args, work, zone_file, query_files):
    only = set(filter(None, args.only.split(",")))
    for workers in [int(w) for w in args.workers.split(",")]:
        # (row name, server, query file); pool rows run on the same gslbd / gdnsd process.
        port = 5400 + workers * 10
        common = (work, 0, workers, args.server_cpus, zone_file)
        services = [(f"w{i}", "weighted8") for i in range(SERVICES)]
        services += [(f"s{i}", "hash8") for i in range(SERVICES)]
        services += [(f"g{i}", "geo8") for i in range(SERVICES)]
        members = (MEMBERS, MEMBER_PORT)

        def at(cls, offset, *extra):
            server = cls(*extra, work, port + offset, *common[2:])
            return server

        servers = {
            "reflector": at(Reflector, 0, args.reflector),
            "gslbd": at(Gslbd, 1, args.gslbd, members, services),
            "nsd": at(Nsd, 2),
            "knot": at(Knot, 3),
            "gdnsd": at(Gdnsd, 4, members, [s for s in services if s[1] == "weighted8"]),
        }
        # The defences (DNS cookies and response rate limiting) on and off, with the same
        # queries, each carrying a client cookie: gslbd against Knot's mod-cookies and mod-rrl.
        servers["gslbd-undefended"] = Gslbd(args.gslbd, members, [], work, port + 5,
                                            *common[2:], server_yaml=GSLBD_UNDEFENDED)
        servers["gslbd-defended"] = Gslbd(args.gslbd, members, [], work, port + 6, *common[2:],
                                          server_yaml=GSLBD_DEFENDED)
        servers["knot-defended"] = Knot(work, port + 7, *common[2:], modules=KNOT_DEFENDED)
        servers["gslbd-signed"] = at(Gslbd, 8, args.gslbd, members, services)
        servers["gslbd-signed"].signed = True
        servers["knot-signed"] = Knot(work, port + 9, *common[2:],
                                      zone_modules=KNOT_ONLINESIGN)
        rows = [
            ("reflector", "reflector", "static"),
            ("gslbd", "gslbd", "static"),
            ("gslbd weighted", "gslbd", "weighted"),
            ("gslbd hash", "gslbd", "hash"),
            ("gslbd geo", "gslbd", "geo"),
            ("nsd", "nsd", "static"),
            ("knot", "knot", "static"),
            ("gdnsd", "gdnsd", "static"),
            ("gdnsd weighted", "gdnsd", "weighted"),
            ("gslbd cookie-q", "gslbd-undefended", "static", COOKIE_QUERY),
            ("gslbd defended", "gslbd-defended", "static", COOKIE_QUERY),
            ("knot cookie-q", "knot", "static", COOKIE_QUERY),
            ("knot defended", "knot-defended", "static", COOKIE_QUERY),
            ("gslbd DO", "gslbd", "static", DO_QUERY),
            ("gslbd signed", "gslbd-signed", "static", DO_QUERY),
            ("gslbd signed w", "gslbd-signed", "weighted", DO_QUERY),
            ("gslbd signed h", "gslbd-signed", "hash", DO_QUERY),
            ("knot DO", "knot", "static", DO_QUERY),
            ("knot onlinesign", "knot-signed", "static", DO_QUERY),
        ]
        rows = [r for r in rows if not only or r[0] in only]
        used = {r[1] for r in rows}
        try:
            for name, server in servers.items():
                if name in used:
                    server.start()
            for name, server in servers.items():
                if name in used:
                    server.wait_answering("h999", 30)
            time.sleep(3)  # health checks come up
            results = {r[0]: [] for r in rows}
            for round_index in range(args.rounds):
                # Interleaved, and rotated each round (A B C, B C A, ...) so that no row always
                # runs right after the same neighbour.
                shift = round_index % len(rows)
                for row, server_name, kind, *extra in rows[shift:] + rows[:shift]:
                    extra = extra[0] if extra else ()
                    results[row].append(
                        measure(servers[server_name], query_files[kind], args, extra))
                print(f"  workers={workers}: round {round_index + 1}/{args.rounds} done", flush=True)
        finally:
            for server in servers.values():
                server.stop()
        print_table(workers, args, results)


def print_table(workers, args, results):
    print(f"\n== {workers} worker(s); server on CPU {args.server_cpus}, dnsperf on CPU "
          f"{args.client_cpu}; {args.rounds} rounds x {args.seconds}s; CPU/query at "
          f"{args.rate} qps; median [min..max]")
    print(f"{'row':<16}{'max qps':>26}{'lost':>7}{'latency us':>22}{'cpu us/query':>22}{'q/wake':>8}")
    medians = {}
    for row, runs in results.items():
        qps = summary([r["max_qps"] for r in runs])
        lat = summary([r["latency_us"] for r in runs])
        cpu = summary([r["cpu_us"] for r in runs])
        batch = statistics.median(r["queries_per_wakeup"] for r in runs)
        lost = sum(r["lost"] for r in runs)
        medians[row] = (qps[0], cpu[0])
        print(f"{row:<16}{qps[0]:>10.0f} [{qps[1]:>6.0f}..{qps[2]:>6.0f}]{lost:>7.0f}"
              f"{lat[0]:>8.1f} [{lat[1]:>5.1f}..{lat[2]:>5.1f}]"
              f"{cpu[0]:>8.2f} [{cpu[1]:>5.2f}..{cpu[2]:>5.2f}]{batch:>8.1f}")
    for server in ("gslbd", "knot"):
        plain, defended = f"{server} cookie-q", f"{server} defended"
        if plain in medians and defended in medians:
            print(f"cost of the defences, {server}: cpu per query x"
                  f"{medians[defended][1] / medians[plain][1]:.3f} with cookies and rate "
                  f"limiting on against off (same queries, each with a client cookie)")
    for server, plain, signed in (("gslbd", "gslbd DO", "gslbd signed"),
                                  ("gslbd", "gslbd weighted", "gslbd signed w"),
                                  ("gslbd", "gslbd hash", "gslbd signed h"),
                                  ("knot", "knot DO", "knot onlinesign")):
        if plain in medians and signed in medians:
            print(f"cost of signing, {signed}: cpu per query x"
                  f"{medians[signed][1] / medians[plain][1]:.3f} against {plain}")
    ours = [r for r in medians if r.startswith("gslbd")]
    peers = [r for r in medians if not r.startswith("gslbd")]
    if ours and peers:
        print("ratios gslbd/peer (cpu per query: <= 1.0 is as cheap; max qps: >= 1.0 is as fast)")
        for row in ours:
            cells = "  ".join(
                f"{p}: cpu {medians[row][1] / medians[p][1]:.2f} qps "
                f"{medians[row][0] / medians[p][0]:.2f}"
                for p in peers
            )
            print(f"  {row:<15} {cells}")


def big_zone(args, work):
    zone_file = os.path.join(work, "big.zone")
    with open(zone_file, "w", encoding="ascii") as f:
        f.write(zone_text(args.big_zone, aaaa_every=0))
    last = f"h{args.big_zone - 1}"
    print(f"\n== {args.big_zone} record zone: start until h{args.big_zone - 1} answers, then RSS")
    print(f"{'server':<10}{'load s':>10}{'rss MiB':>10}")
    common = (work, 0, 1, args.server_cpus, zone_file)
    servers = [
        Gslbd(args.gslbd, (MEMBERS, MEMBER_PORT), [], work, 5501, *common[2:]),
        Nsd(work, 5502, *common[2:]),
        Knot(work, 5503, *common[2:]),
        Gdnsd((MEMBERS, MEMBER_PORT), [], work, 5504, *common[2:]),
    ]
    figures = {}
    for server in servers:
        try:
            server.start()
            seconds = server.wait_answering(last, 300)
            time.sleep(0.5)
            figures[server.name] = (seconds, rss_kib(server.proc.pid) / 1024)
            print(f"{server.name:<10}{seconds:>10.2f}{figures[server.name][1]:>10.0f}", flush=True)
        finally:
            server.stop()
    if "gslbd" in figures:
        ours = figures["gslbd"]
        for peer, theirs in figures.items():
            if peer != "gslbd":
                print(f"  gslbd/{peer}: load {ours[0] / theirs[0]:.2f}  rss {ours[1] / theirs[1]:.2f}")
    os.remove(zone_file)


def reload_under_load(args, work, query_files):
    names = args.reload_names
    print(f"\n== gslbd reloading a {names}-name YAML zone {args.reloads} times under "
          f"{args.rate // 2} qps (1 worker)")
    gslbd = Gslbd(args.gslbd, (MEMBERS, MEMBER_PORT), [], work, 5601, 1, args.server_cpus,
                  "", zone_yaml_records=names)
    seconds = args.reloads * 3 + 2
    try:
        gslbd.start()
        load = gslbd.wait_answering(f"h{names - 1}", 300)
        print(f"  initial load {load:.2f}s")
        quiet = dnsperf(gslbd.port, query_files["static"], seconds, args.client_cpu, args.rate // 2)
        result = {}

        def run():
            result.update(dnsperf(gslbd.port, query_files["static"], seconds, args.client_cpu,
                                  args.rate // 2))

        flood = threading.Thread(target=run)
        flood.start()
        for _ in range(args.reloads):
            time.sleep(3)
            gslbd.reload()
        flood.join()
        reloads = metric(gslbd.port + 1000, 'gslbd_config_reloads_total{result="success"}')
    finally:
        gslbd.stop()
    print(f"{'':<16}{'completed':>10}{'lost':>6}{'avg us':>9}{'max us':>9}")
    for label, r in (("no reload", quiet), ("reloading", result)):
        print(f"{label:<16}{r['completed']:>10.0f}{r['lost']:>6.0f}{r['latency_us']:>9.1f}"
              f"{r['max_latency_us']:>9.0f}")
    print(f"  successful reloads reported by /metrics: {reloads}")


def metric(port, sample):
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(sample + " "):
                return line.split()[1]
    return "?"


def main():
    args = parse_args()
    for tool in ("dnsperf", "nsd", "knotd", "gdnsd", "taskset"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found; tools/bench-peers installs it")
    work = tempfile.mkdtemp(prefix="gslbd-peers-")
    members = MemberListeners()
    try:
        zone_file = os.path.join(work, "bench.zone")
        with open(zone_file, "w", encoding="ascii") as f:
            f.write(zone_text(STATIC_NAMES))
        query_files = {}
        for kind, names in (
            ("static", [f"h{i}" for i in range(STATIC_NAMES)]),
            ("weighted", [f"w{i}" for i in range(SERVICES)]),
            ("hash", [f"s{i}" for i in range(SERVICES)]),
            ("geo", [f"g{i}" for i in range(SERVICES)]),
        ):
            query_files[kind] = os.path.join(work, f"{kind}.queries")
            write_queries(query_files[kind], names)
        if args.rounds > 0:
            qps_table(args, work, zone_file, query_files)
        if args.big_zone > 0:
            big_zone(args, work)
        if args.reload_names > 0:
            reload_under_load(args, work, query_files)
    finally:
        members.close()
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
