# SPDX-License-Identifier: Apache-2.0
"""What polling peers costs: one gslbd instance polling 3 and 10 real gslbd peers, each with
1,000 members, at a 1 s interval. Prints, per row, the poller's CPU against the same instance
with no peers (measured in the same run), the CPU of one polled peer against an unpolled one,
and the octets per second the poller reads (gslbd_peer_reply_bytes_total).

Run through tools/bench-fleet-poll, or with --binary PATH. Every instance listens on its own
127.0.0.x address; nothing leaves loopback. Members have no checks, so probes do not blur the
figures (their observations are as large as those of checked members).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

TOKEN = "fleet-bench-0123456789abcdef"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        t.bind((host, 0))
        port = t.getsockname()[1]
        u.bind((host, port))
        return port


def pool_text(members):
    lines = ["version: 1", "pools:"]
    for p in range(members // 100):
        lines += ["  - name: pool%02d" % p, "    max_records: 2", "    members:"]
        for m in range(100):
            n = p * 100 + m
            lines.append("      - {name: member%04d, address: 10.%d.%d.%d}"
                         % (n, n >> 16 & 255, n >> 8 & 255, n & 255))
    return "\n".join(lines) + "\n"


ZONE = """version: 1
zone: bench.example
default_ttl: 1h
soa: {mname: ns1.example.com., rname: hostmaster.example.com., serial: 1, minimum: 5m}
ns: [ns1.example.com.]
services:
  - {name: www, pool: pool00, ttl: 30s}
"""


class Instance:
    def __init__(self, binary, name, host, members, interval):
        self.binary = binary
        self.name = name
        self.host = host
        self.dir = tempfile.mkdtemp(prefix="gslbd-fleet-bench-")
        self.port = free_port(host)
        self.control_port = free_port(host)
        self.interval = interval
        self.peers = []
        self.proc = None
        for file, text in (("zone.zone.yaml", ZONE), ("bench.pool.yaml", pool_text(members)),
                           ("fleet.token", TOKEN + "\n")):
            with open(os.path.join(self.dir, file), "w") as f:
                f.write(text)
        os.chmod(os.path.join(self.dir, "fleet.token"), 0o600)

    def start(self):
        lines = ["version: 1", "server:", "  workers: 1", "  identity: %s" % self.name,
                 "zones: [\"*.zone.yaml\"]", "pools: [\"*.pool.yaml\"]", "control:",
                 "  listen: \"%s:%d\"" % (self.host, self.control_port),
                 "  token_file: fleet.token"]
        if self.peers:
            lines += ["peers:", "  token_file: fleet.token", "  interval: %s" % self.interval,
                      "  timeout: 500ms", "  instances:"]
            for p in self.peers:
                lines += ["    - name: %s" % p.name,
                          "      url: http://%s:%d" % (p.host, p.control_port)]
        with open(os.path.join(self.dir, "main.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(
            [self.binary, "-c", os.path.join(self.dir, "main.yaml"), "--listen",
             "%s:%d" % (self.host, self.port)], cwd=self.dir, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "stderr"), "wb"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.control_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not start" % self.name)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def metric(self, pattern):
        req = urllib.request.Request("http://%s:%d/metrics" % (self.host, self.control_port),
                                     headers={"Authorization": "Bearer " + TOKEN})
        text = urllib.request.urlopen(req, timeout=5).read().decode()
        return sum(float(m.group(1)) for m in re.finditer(pattern, text))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def row(binary, peers, members, seconds, interval):
    hosts = ["127.0.1.%d" % (i + 1) for i in range(peers + 2)]
    others = [Instance(binary, "peer%d" % i, hosts[i + 2], members, interval)
              for i in range(peers)]
    poller = Instance(binary, "poller", hosts[0], members, interval)
    baseline = Instance(binary, "alone", hosts[1], members, interval)
    poller.peers = others
    everyone = others + [poller, baseline]
    try:
        for i in everyone:
            i.start()
        time.sleep(3)  # first polls, first digests
        cpu0 = {i.name: i.cpu_seconds() for i in everyone}
        bytes0 = poller.metric(r'gslbd_peer_reply_bytes_total\{[^}]*\} (\S+)')
        ok0 = poller.metric(r'gslbd_peer_polls_total\{[^}]*result="ok"\} (\S+)')
        time.sleep(seconds)
        cpu = {i.name: (i.cpu_seconds() - cpu0[i.name]) / seconds for i in everyone}
        rate = (poller.metric(r'gslbd_peer_reply_bytes_total\{[^}]*\} (\S+)') - bytes0) / seconds
        ok = (poller.metric(r'gslbd_peer_polls_total\{[^}]*result="ok"\} (\S+)') - ok0) / seconds
        polled = sum(cpu[o.name] for o in others) / peers
        print("%2d peers x %d members, interval %s: poller %.2f%% CPU (alone %.2f%%: +%.2f%%), "
              "a polled peer %.2f%% CPU, %.0f octets/s read (%.0f per reply), %.1f good polls/s"
              % (peers, members, interval, 100 * cpu["poller"], 100 * cpu["alone"],
                 100 * (cpu["poller"] - cpu["alone"]), 100 * polled, rate,
                 rate / ok if ok else 0, ok))
    finally:
        for i in everyone:
            i.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--interval", default="1s")
    args = parser.parse_args()
    for peers in (3, 10):
        row(args.binary, peers, args.members, args.seconds, args.interval)


if __name__ == "__main__":
    main()
