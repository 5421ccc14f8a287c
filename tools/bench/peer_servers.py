# SPDX-License-Identifier: Apache-2.0
"""Servers of the peer benchmark: gslbd, NSD, Knot, gdnsd and the reflector floor.

Each server gets its own directory, loopback port and config generated from the same zone file,
starts pinned to the server CPUs, and is measured through its whole process tree (NSD forks).
"""

import os
import signal
import socket
import struct
import subprocess
import time

ZONE = "bench.test"
GEO_NETWORKS = 4000  # /16 networks in the geo map besides the client's own


def write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def zone_text(names, aaaa_every=10):
    """RFC 1035 master file: SOA, NS with glue, `names` A records h0.., some AAAA."""
    out = [
        f"$ORIGIN {ZONE}.",
        "$TTL 300",
        f"@ 3600 IN SOA ns1.{ZONE}. hostmaster.{ZONE}. 1 3600 900 604800 300",
        f"@ 3600 IN NS ns1.{ZONE}.",
        "ns1 IN A 127.0.0.53",
    ]
    for i in range(names):
        out.append(f"h{i} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        if aaaa_every and i % aaaa_every == 0:
            # One group holds 16 bits: from 65536 on the name number takes two groups.
            low = f"{i >> 16:x}:{i & 0xFFFF:x}" if i > 0xFFFF else f"{i:x}"
            out.append(f"h{i} IN AAAA 2001:db8::{low}")
    return "\n".join(out) + "\n"


def process_tree(pid):
    """pid and every descendant, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def _thread_files(pid, name):
    """Yields the open /proc/P/task/T/<name> of every thread of the process tree."""
    for p in process_tree(pid):
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/{name}", encoding="ascii") as f:
                    yield f
        except OSError:
            continue


def cpu_ns(pid):
    """CPU time of every thread of the process tree, from schedstat (ns resolution)."""
    return sum(int(f.read().split()[0]) for f in _thread_files(pid, "schedstat"))


def wakeups(pid):
    """Voluntary context switches of every thread of the tree: how often the server slept."""
    return sum(
        int(line.split()[1])
        for f in _thread_files(pid, "status")
        for line in f
        if line.startswith("voluntary_ctxt_switches:")
    )


def rss_kib(pid):
    """Resident memory of the process tree (VmRSS summed; shared pages counted per process)."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def dns_query(name, port, qtype=1, timeout=0.2):
    """One UDP query to 127.0.0.1:port; returns (rcode, ancount) or None."""
    qid = os.getpid() & 0xFFFF
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    packet = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wire + struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(packet, ("127.0.0.1", port))
            data = s.recv(4096)
        except OSError:
            return None
    if len(data) < 12:
        return None
    _, flags, _, ancount, _, _ = struct.unpack("!HHHHHH", data[:12])
    return flags & 0xF, ancount


class Server:
    """A started server. Subclasses write their config in prepare() and give argv in command()."""

    name = "?"

    def __init__(self, workdir, port, workers, cpus, zone_file, address="127.0.0.1", zone=ZONE):
        """address and zone: where NSD, Knot and gdnsd listen and the origin of zone_file (the
        XDP benchmark serves its own zone on a namespace's address)."""
        self.dir = os.path.join(workdir, f"{self.name}-{port}")
        self.address, self.zone = address, zone
        os.makedirs(self.dir, exist_ok=True)
        self.port = port
        self.workers = workers
        self.cpus = cpus
        self.zone_file = zone_file
        self.proc = None

    def prepare(self):
        pass

    def command(self):
        raise NotImplementedError

    def start(self):
        self.prepare()
        log = open(os.path.join(self.dir, "server.log"), "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            ["taskset", "-c", self.cpus] + self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
        )
        log.close()
        return self

    def wait_answering(self, name, deadline_s):
        """Seconds from start until `name` A answers with data; raises on timeout or exit."""
        start = time.monotonic()
        while time.monotonic() - start < deadline_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.dir}/server.log")
            reply = dns_query(f"{name}.{ZONE}", self.port, timeout=0.05)
            if reply and reply[0] == 0 and reply[1] > 0:
                elapsed = time.monotonic() - start
                self.pin()
                return elapsed
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not answer {name} in {deadline_s}s; see {self.dir}")

    def pin(self):
        """Every thread onto the server CPUs: Knot pins its UDP threads to CPU (i mod ncpu)
        itself, which would put its first worker on the client's CPU."""
        for p in process_tree(self.proc.pid):
            subprocess.run(["taskset", "-a", "-c", "-p", self.cpus, str(p)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Reflector(Server):
    name = "reflector"

    def __init__(self, binary, *args):
        super().__init__(*args)
        self.binary = binary

    def command(self):
        return [self.binary, "127.0.0.1", str(self.port), str(self.workers)]


class Gslbd(Server):
    name = "gslbd"

    def __init__(self, binary, members, services, *args, zone_yaml_records=None, server_yaml="",
                 signed=False):
        super().__init__(*args)
        self.binary = binary
        self.signed = signed  # a CSK (ECDSA P-256) made with ldns-keygen signs the zone
        self.server_yaml = server_yaml  # more lines under server:, indented by two
        self.pool_members, self.member_port = members
        self.services = services
        self.zone_yaml_records = zone_yaml_records

    def prepare(self):
        write(
            os.path.join(self.dir, "gslbd.yaml"),
            "version: 1\n"
            "server:\n"
            f'  listen: ["127.0.0.1:{self.port}"]\n'
            f"  workers: {self.workers}\n"
            "  log: {level: warn}\n" + self.server_yaml + "control:\n"
            f'  listen: "127.0.0.1:{self.port + 1000}"\n'
            "zones: [zone.yaml]\n" + ("pools: [pool.yaml]\n" if self.services else ""),
        )
        zone = f"version: 1\nzone: {ZONE}\n"
        if self.zone_yaml_records is None:
            zone += f"import: {self.zone_file}\n"
        else:
            zone += (
                "soa: {mname: ns1, rname: hostmaster, serial: 1, refresh: 1h, retry: 15m,"
                " expire: 1w, minimum: 5m, ttl: 1h}\nns: [ns1]\nrecords:\n"
                '  - {name: ns1, type: A, data: ["127.0.0.53"]}\n'
            )
            zone += "".join(
                f'  - {{name: h{i}, type: A, data: ["10.{(i >> 16) & 255}.{(i >> 8) & 255}.'
                f'{i & 255}"]}}\n'
                for i in range(self.zone_yaml_records)
            )
        if self.services:
            zone += "services:\n" + "".join(
                f"  - {{name: {name}, pool: {pool}, ttl: 30s}}\n" for name, pool in self.services
            )
        if self.signed:
            key = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", ZONE],
                                 cwd=self.dir, capture_output=True, text=True, check=True)
            zone += f"dnssec:\n  keys:\n    - {{file: {key.stdout.strip()}, role: csk}}\n"
        write(os.path.join(self.dir, "zone.yaml"), zone)
        if self.services:
            members = "".join(
                f"      - {{name: m{i}, address: {address}, weight: 10, checks: [tcp]}}\n"
                for i, address in enumerate(self.pool_members)
            )
            # geo8: the client (127.0.0.1) falls in region near of a map with as many networks
            # as a country-level database walks into; half the members are near, half far.
            regional = "".join(
                f"      - {{name: m{i}, address: {address}, weight: 10, checks: [tcp],"
                f" region: {'near' if i % 2 == 0 else 'far'}}}\n"
                for i, address in enumerate(self.pool_members)
            )
            networks = "".join(
                f"      - {{network: {10 + (i >> 8)}.{i & 255}.0.0/16,"
                f" region: {'near' if i % 2 == 0 else 'far'}}}\n"
                for i in range(GEO_NETWORKS)
            )
            write(
                os.path.join(self.dir, "pool.yaml"),
                "version: 1\n"
                "checks:\n"
                f"  - {{name: tcp, type: tcp, port: {self.member_port},"
                " interval: 1s, timeout: 500ms}\n"
                "geo_maps:\n"
                "  - name: bench\n    networks:\n"
                "      - {network: 127.0.0.0/8, region: near}\n" + networks +
                "pools:\n"
                "  - name: weighted8\n    policy: weighted\n    max_records: 1\n"
                "    initial_state: up\n    members:\n" + members + "  - name: hash8\n"
                "    policy: hash\n    max_records: 1\n    initial_state: up\n"
                "    members:\n" + members + "  - name: geo8\n"
                "    policy: geo\n    max_records: 1\n    initial_state: up\n"
                "    geo: {map: bench, regions: {near: [near, far], far: [far, near]},"
                " default: [far, near]}\n"
                "    members:\n" + regional,
            )

    def command(self):
        return [self.binary, "-c", "gslbd.yaml"]

    def reload(self):
        os.kill(self.proc.pid, signal.SIGHUP)


class Nsd(Server):
    name = "nsd"

    def prepare(self):
        write(
            os.path.join(self.dir, "nsd.conf"),
            f"""server:
  ip-address: {self.address}@{self.port}
  server-count: {self.workers}
  reuseport: yes
  zonesdir: {self.dir}
  database: ""
  pidfile: {self.dir}/nsd.pid
  xfrdfile: {self.dir}/xfrd.state
  zonelistfile: {self.dir}/zone.list
  logfile: {self.dir}/nsd.log
  username: ""
  chroot: ""
  verbosity: 0
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: {self.zone}
  zonefile: {self.zone_file}
""",
        )

    def command(self):
        return ["nsd", "-d", "-c", "nsd.conf"]


class Knot(Server):
    name = "knot"

    def __init__(self, *args, modules=None, zone_modules=None, **kwargs):
        super().__init__(*args, **kwargs)
        # {"mod-name/id": "its section text"}: declared, then used by every zone.
        self.modules = modules or {}
        # The same for modules that only a zone can use (mod-onlinesign).
        self.zone_modules = zone_modules or {}

    def prepare(self):
        write(
            os.path.join(self.dir, "knot.conf"),
            f"""server:
    rundir: {self.dir}
    listen: {self.address}@{self.port}
    udp-workers: {self.workers}
    tcp-workers: 1
    background-workers: 1
database:
    storage: {self.dir}
log:
  - target: stderr
    any: warning
{"".join(self.modules.values())}{"".join(self.zone_modules.values())}template:
  - id: default
    storage: {os.path.dirname(self.zone_file)}
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
{("    global-module: [" + ", ".join(self.modules) + "]" + chr(10)) if self.modules else ""}zone:
  - domain: {self.zone}
    file: {self.zone_file}
{("    module: [" + ", ".join(self.zone_modules) + "]" + chr(10)) if self.zone_modules else ""}""",
        )

    def command(self):
        return ["knotd", "-c", "knot.conf"]


class Gdnsd(Server):
    name = "gdnsd"

    def __init__(self, members, services, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool_members, self.member_port = members
        self.services = services

    def prepare(self):
        for sub in ("zones", "run", "state"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        members = "".join(f"      m{i} = [ {a}, 10 ]\n" for i, a in enumerate(self.pool_members))
        write(
            os.path.join(self.dir, "config"),
            f"""options => {{
  listen => [ {self.address}:{self.port} ]
  udp_threads => {self.workers}
  tcp_threads => 1
  run_dir => {self.dir}/run
  state_dir => {self.dir}/state
}}
service_types => {{
  tcp => {{ plugin => tcp_connect, port => {self.member_port}, interval => 2, timeout => 1 }}
}}
plugins => {{
  weighted => {{
    service_types => tcp
    multi => false
    weighted8 => {{
{members}    }}
  }}
}}
""",
        )
        zone = os.path.join(self.dir, "zones", self.zone)
        if os.path.lexists(zone):
            os.remove(zone)
        if self.services:
            with open(self.zone_file, encoding="ascii") as src, open(zone, "w", encoding="ascii") as f:
                f.write(src.read())
                for name, _ in self.services:
                    f.write(f"{name} 30 DYNA weighted!weighted8\n")
        else:
            os.symlink(self.zone_file, zone)

    def command(self):
        return ["gdnsd", "-c", self.dir, "start"]
