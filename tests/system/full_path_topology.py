# SPDX-License-Identifier: Apache-2.0
"""The whole path, built from network namespaces: client -> unbound -> gslbd (ns1, ns2) -> the
VIP of an HAProxy site -> its HTTP servers. test_full_path.py and tools/lab both build it here.

    client 198.18.0.10 (unbound on 127.0.0.1, its resolv.conf)
        |  br-c 198.18.0.1
      [rt] router namespace: one bridge per segment, IPv4 forwarding
        |  br-d 198.18.53.254 ------ dns: gslbd ns1 198.18.53.1, ns2 198.18.53.2
        |  br-a 198.18.1.1 --------- a1 198.18.1.11 \\ HAProxy + keepalived, VIP 198.18.1.100
        |                  --------- a2 198.18.1.12 /
        |                  --------- srva: servers 198.18.1.21-26:8080
        |  br-b 198.18.2.1 --------- b1 198.18.2.11 + VIP 198.18.2.100: HAProxy
        |                  --------- srvb: servers 198.18.2.21-26:8080

Every configuration the daemons read is a file of zones/examples/haproxy, used as it is (the
gslbd files are copied next to a generated control token), so the documentation's examples
are the ones tested. Addresses come only from 198.18.0.0/15.

State (namespaces, PIDs, the work directory) is written to STATE_FILE in the work directory
after every change, so `down` (here or from another process: tools/lab) removes everything,
also after a failed `up`. Processes are ended by PID: the ones recorded, then whatever still
runs inside the namespaces this topology created (only its own processes and their children
can be there), before the namespaces are deleted.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(REPO, "zones", "examples", "haproxy")
BACKEND = os.path.join(HERE, "full_path_backend.py")
CLIENT = os.path.join(HERE, "full_path_client.py")
STATE_FILE = "topology.json"
PYTHON = "/usr/bin/python3"

ZONE = "gslb.example"
SERVICE = "www.gslb.example"
CLIENT_ADDRESS = "198.18.0.10"
NS = {"ns1": "198.18.53.1", "ns2": "198.18.53.2"}
VIP = {"a": "198.18.1.100", "b": "198.18.2.100"}
NODE = {"a1": "198.18.1.11", "a2": "198.18.1.12", "b1": "198.18.2.11"}
STATS_PORT = 9999
BACKEND_PORT = 8080
GROUPS = ("api", "static", "web")

# segment -> (bridge in rt, the router's address on it, prefix length)
SEGMENTS = {"c": ("br-c", "198.18.0.1", 24), "d": ("br-d", "198.18.53.254", 24),
            "a": ("br-a", "198.18.1.1", 24), "b": ("br-b", "198.18.2.1", 24)}
# namespace role -> (segment, its addresses)
HOSTS = {
    "client": ("c", [CLIENT_ADDRESS]),
    "dns": ("d", [NS["ns1"], NS["ns2"]]),
    "a1": ("a", [NODE["a1"]]),
    "a2": ("a", [NODE["a2"]]),
    "srva": ("a", ["198.18.1.%d" % k for k in range(21, 27)]),
    "b1": ("b", [NODE["b1"], VIP["b"]]),
    "srvb": ("b", ["198.18.2.%d" % k for k in range(21, 27)]),
}
ROLES = ("rt",) + tuple(HOSTS)

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class TopologyError(RuntimeError):
    pass


def missing_tools():
    """The programs the topology needs that are not installed (empty when all are)."""
    need = {"ip": "iproute2", "haproxy": "haproxy", "keepalived": "keepalived",
            "unbound": "unbound"}
    out = []
    for prog, pkg in need.items():
        if not (shutil.which(prog) or os.path.exists("/usr/sbin/" + prog)):
            out.append("%s (Debian package %s)" % (prog, pkg))
    return out


def exe(prog):
    return shutil.which(prog) or "/usr/sbin/" + prog


def servers_of(site):
    """[(id, group, address)] of a site's servers: the id is the site and the name the HAProxy
    example gives the server (a-web1), so an answer tells which site served it."""
    net = "198.18.1." if site == "a" else "198.18.2."
    out, k = [], 21
    for group in GROUPS:
        for n in (1, 2):
            out.append(("%s-%s%d" % (site, group, n), group, net + str(k)))
            k += 1
    return out


class Topology:
    def __init__(self, workdir, prefix, gslbd=None, log=None):
        self.workdir = os.path.abspath(workdir)
        self.prefix = prefix
        self.gslbd = gslbd
        self.log = log or (lambda msg: None)
        self.namespaces = []
        self.pids = {}
        self.procs = {}  # the Popen of what this process started itself, to reap it
        self.netns_dir = None

    # --- state ----------------------------------------------------------------------------
    def ns(self, role):
        return self.prefix + role

    def state_path(self):
        return os.path.join(self.workdir, STATE_FILE)

    def save(self):
        state = {"prefix": self.prefix, "workdir": self.workdir, "namespaces": self.namespaces,
                 "pids": self.pids, "netns_dir": self.netns_dir, "gslbd": self.gslbd}
        tmp = self.state_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, self.state_path())

    @classmethod
    def load(cls, workdir):
        with open(os.path.join(workdir, STATE_FILE)) as f:
            state = json.load(f)
        t = cls(state["workdir"], state["prefix"], state.get("gslbd"))
        t.namespaces = state["namespaces"]
        t.pids = {k: int(v) for k, v in state["pids"].items()}
        t.netns_dir = state.get("netns_dir")
        return t

    # --- commands ---------------------------------------------------------------------------
    def run(self, argv, timeout=30, check=True):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise TopologyError("%s: exit %d\n%s%s" % (" ".join(argv), r.returncode, r.stdout,
                                                      r.stderr))
        return r

    def ip(self, role, *args, check=True):
        return self.run(["ip", "-n", self.ns(role)] + list(args), check=check)

    def exec_argv(self, role, argv):
        return ["ip", "netns", "exec", self.ns(role)] + list(argv)

    def in_ns(self, role, argv, timeout=60, check=True):
        return self.run(self.exec_argv(role, argv), timeout=timeout, check=check)

    def client(self, *args, timeout=120):
        """full_path_client.py in the client namespace: its JSON result."""
        r = self.in_ns("client", [PYTHON, CLIENT] + [str(a) for a in args], timeout=timeout)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def client_popen(self, *args):
        """full_path_client.py in the client namespace, running; read it with client_result."""
        out = open(os.path.join(self.workdir, "client-%d.out" % len(self.pids)), "w+")
        p = subprocess.Popen(self.exec_argv("client", [PYTHON, CLIENT] + [str(a) for a in args]),
                             stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        p.out = out
        self.pids["client-%d" % p.pid] = p.pid
        self.save()
        return p

    @staticmethod
    def client_lines(p):
        p.out.seek(0)
        return [json.loads(line) for line in p.out.read().splitlines() if line.startswith(("{", "["))]

    def client_result(self, p, timeout):
        try:
            p.wait(timeout)
            self.pids.pop("client-%d" % p.pid, None)
            self.save()
            lines = self.client_lines(p)
            if p.returncode != 0 or not lines:
                p.out.seek(0)
                raise TopologyError("client %s exited %d:\n%s"
                                    % (p.args, p.returncode, p.out.read()))
            return lines[-1]
        finally:
            p.out.close()

    def spawn(self, name, role, argv):
        """Starts argv in role's namespace in a session of its own (so it outlives tools/lab),
        output to NAME.log, and records its PID."""
        logpath = os.path.join(self.workdir, name + ".log")
        with open(logpath, "ab") as logf:
            logf.write(("--- start: %s\n" % " ".join(argv)).encode())
            logf.flush()
            p = subprocess.Popen(self.exec_argv(role, argv), stdout=logf, stderr=logf,
                                 stdin=subprocess.DEVNULL, start_new_session=True,
                                 cwd=self.workdir)
        self.pids[name] = p.pid
        self.procs[name] = p
        self.save()
        self.log("started %s in %s: pid %d" % (name, self.ns(role), p.pid))
        return p.pid

    def alive(self, name):
        pid = self.pids.get(name)
        if pid is None:
            return False
        if name in self.procs:
            return self.procs[name].poll() is None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return False

    def log_text(self, name, limit=6000):
        try:
            with open(os.path.join(self.workdir, name + ".log"), "rb") as f:
                return f.read()[-limit:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, name, sig=signal.SIGTERM, wait=STOP_TIMEOUT):
        """Ends process NAME by its PID (SIGKILL after wait) and forgets it."""
        pid = self.pids.get(name)
        if pid is None:
            return
        if self.alive(name):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while self.alive(name) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.alive(name):
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + wait
                while self.alive(name) and time.monotonic() < deadline:
                    time.sleep(0.05)
        self.pids.pop(name, None)
        self.procs.pop(name, None)
        self.save()

    def wait_until(self, what, cond, timeout=START_TIMEOUT, period=0.1, names=()):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n in names:
                if not self.alive(n):
                    raise TopologyError("%s exited while waiting for %s\n%s"
                                        % (n, what, self.log_text(n)))
            if cond():
                return
            time.sleep(period)
        detail = "".join("\n--- %s:\n%s" % (n, self.log_text(n)) for n in names)
        raise TopologyError("%s: not within %.0f s%s" % (what, timeout, detail))

    # --- the network ----------------------------------------------------------------------
    def build_network(self):
        for role in ROLES:
            self.run(["ip", "netns", "add", self.ns(role)])
            self.namespaces.append(self.ns(role))
            self.save()
            self.ip(role, "link", "set", "lo", "up")
        self.in_ns("rt", ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        for seg, (bridge, address, plen) in SEGMENTS.items():
            self.ip("rt", "link", "add", bridge, "type", "bridge")
            self.ip("rt", "addr", "add", "%s/%d" % (address, plen), "dev", bridge)
            self.ip("rt", "link", "set", bridge, "up")
        for role, (seg, addresses) in HOSTS.items():
            bridge, gateway, plen = SEGMENTS[seg]
            port = "v-" + role
            self.ip("rt", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
                    self.ns(role))
            self.ip("rt", "link", "set", port, "master", bridge, "up")
            for a in addresses:
                self.ip(role, "addr", "add", "%s/%d" % (a, plen), "dev", "eth0")
            self.ip(role, "link", "set", "eth0", "up")
            self.ip(role, "route", "add", "default", "via", gateway)
        # the client's resolver: `ip netns exec` bind-mounts /etc/netns/NS/resolv.conf over
        # /etc/resolv.conf, so every program there (getaddrinfo, curl, dig) asks unbound
        self.netns_dir = os.path.join("/etc/netns", self.ns("client"))
        os.makedirs(self.netns_dir, exist_ok=True)
        self.save()
        with open(os.path.join(self.netns_dir, "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:3\n")

    # --- the daemons --------------------------------------------------------------------------
    def start_backends(self, site):
        role = "srv" + site
        argv = [PYTHON, BACKEND] + ["%s=%s:%d" % (sid, addr, BACKEND_PORT)
                                    for sid, _, addr in servers_of(site)]
        name = "backends-" + site
        self.spawn(name, role, argv)
        self.wait_until("site %s's servers ready" % site, lambda: "ready" in self.log_text(name),
                        names=[name])

    def start_haproxy(self, node):
        site = node[0]
        cfg = os.path.join(EXAMPLES, "haproxy-site-%s.cfg" % site)
        self.spawn("haproxy-" + node, node, [exe("haproxy"), "-db", "-f", cfg])

    def keepalived_pidfiles(self, node):
        return (os.path.join(self.workdir, "keepalived-%s.pid" % node),
                os.path.join(self.workdir, "keepalived-%s-vrrp.pid" % node))

    def start_keepalived(self, node):
        main_pid, vrrp_pid = self.keepalived_pidfiles(node)
        self.spawn("keepalived-" + node, node,
                   [exe("keepalived"), "--dont-fork", "--log-console", "--log-detail",
                    "--no-syslog", "--vrrp", "--config-id", "lb-" + node, "--use-file",
                    os.path.join(EXAMPLES, "keepalived-site-a.conf"), "--pid", main_pid,
                    "--vrrp_pid", vrrp_pid])

    def keepalived_child(self, node):
        try:
            with open(self.keepalived_pidfiles(node)[1]) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def vip_holder(self):
        """The site A nodes that have the VIP on eth0 now."""
        out = []
        for node in ("a1", "a2"):
            r = self.ip(node, "-4", "-o", "addr", "show", "dev", "eth0", check=False)
            if (" %s/" % VIP["a"]) in r.stdout:
                out.append(node)
        return out

    def gslbd_dir(self):
        return os.path.join(self.workdir, "gslbd")

    def token(self):
        with open(os.path.join(self.gslbd_dir(), "control.token")) as f:
            return f.read().strip()

    def write_gslbd_config(self):
        d = self.gslbd_dir()
        os.makedirs(d, exist_ok=True)
        for f in ("gslbd.yaml", "gslb.example.zone.yaml", "web.pool.yaml"):
            shutil.copy(os.path.join(EXAMPLES, f), os.path.join(d, f))
        with open(os.path.join(d, "control.token"), "w") as f:
            f.write(os.urandom(24).hex() + "\n")
        os.chmod(os.path.join(d, "control.token"), 0o600)

    def start_gslbd(self, instance):
        address = NS[instance]
        self.spawn("gslbd-" + instance, "dns",
                   [self.gslbd, "-c", os.path.join(self.gslbd_dir(), "gslbd.yaml"),
                    "--listen", "%s:53" % address, "--identity", "%s.%s" % (instance, ZONE),
                    "--control", "%s:9253" % address])

    def unbound_conf(self):
        d = os.path.join(self.workdir, "unbound")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "unbound.conf")
        lines = ["server:", "    interface: 127.0.0.1", "    port: 53", "    do-ip6: no",
                 "    num-threads: 1", "    do-daemonize: no",
                 "    outgoing-interface: %s" % CLIENT_ADDRESS,
                 "    access-control: 127.0.0.0/8 allow", '    chroot: ""', '    username: ""',
                 '    directory: "%s"' % d, '    pidfile: ""', "    use-syslog: no",
                 "    logfile: \"\"", "    verbosity: 1", '    module-config: "iterator"',
                 "    qname-minimisation: no",
                 # the answers' TTL is what a resolver honours; no prefetch that would renew
                 # an entry before it runs out
                 "    prefetch: no",
                 # a server that timed out is retried after 2 s, not the default 15 min
                 "    infra-host-ttl: 2",
                 "", "stub-zone:", '    name: "%s"' % ZONE]
        lines += ["    stub-addr: %s" % a for a in NS.values()]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_unbound(self):
        conf = self.unbound_conf()
        checkconf = exe("unbound-checkconf")
        if os.path.exists(checkconf):
            self.run([checkconf, conf])
        self.spawn("unbound", "client", [exe("unbound"), "-d", "-c", conf])

    # --- readiness -----------------------------------------------------------------------
    def status(self, instance):
        r = self.in_ns("dns", ["curl", "-sS", "--max-time", "2",
                               "http://%s:9253/status" % NS[instance]], check=False)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def member_up(self, instance, member):
        st = self.status(instance)
        if st is None:
            return None
        for pl in st.get("pools", []):
            for m in pl.get("members", []):
                if m.get("name") == member:
                    return m.get("up")
        return None

    def up(self):
        os.makedirs(self.workdir, exist_ok=True)
        self.save()
        self.log("namespaces %s*" % self.prefix)
        self.build_network()
        for site in ("a", "b"):
            self.start_backends(site)
        for node in ("a1", "a2", "b1"):
            self.start_haproxy(node)
        for node in ("a1", "a2"):
            self.start_keepalived(node)
        self.wait_until("VIP %s on a1" % VIP["a"], lambda: self.vip_holder() == ["a1"],
                        names=["keepalived-a1", "keepalived-a2", "haproxy-a1", "haproxy-a2"])
        self.write_gslbd_config()
        for instance in NS:
            self.start_gslbd(instance)
        self.start_unbound()
        gslbds = ["gslbd-" + i for i in NS]
        for instance in NS:
            for member in ("site-a", "site-b"):
                self.wait_until("%s: member %s up" % (instance, member),
                                lambda: self.member_up(instance, member) is True,
                                period=0.3, names=gslbds + ["unbound"])
        self.wait_until("%s resolves through unbound" % SERVICE,
                        lambda: self.in_ns("client", ["getent", "ahostsv4", SERVICE],
                                           check=False).returncode == 0,
                        period=0.3, names=["unbound"])

    # --- teardown ---------------------------------------------------------------------------
    def down(self):
        """Removes everything: safe to call after a failed or partial up, and twice."""
        errors = []
        for name in sorted(self.pids, key=lambda n: n.startswith("gslbd")):
            try:
                self.stop(name)
            except OSError as e:
                errors.append("%s: %s" % (name, e))
        for ns in list(self.namespaces):
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True,
                               timeout=10)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in list(self.namespaces):
            deadline = time.monotonic() + STOP_TIMEOUT
            while time.monotonic() < deadline:
                r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True,
                                   timeout=10)
                if not r.stdout.split():
                    break
                time.sleep(0.05)
            r = subprocess.run(["ip", "netns", "del", ns], capture_output=True, text=True,
                               timeout=10)
            if r.returncode != 0 and "No such file" not in r.stderr:
                errors.append("ip netns del %s: %s" % (ns, r.stderr.strip()))
            else:
                self.namespaces.remove(ns)
        if self.netns_dir and os.path.isdir(self.netns_dir):
            shutil.rmtree(self.netns_dir, True)
        self.netns_dir = None
        self.save()
        if errors:
            raise TopologyError("; ".join(errors))

    # --- configured timings, read from the example files -----------------------------------
    @staticmethod
    def timings():
        """The intervals every bound of the test is derived from, read from the files the
        daemons run with."""
        import yaml
        with open(os.path.join(EXAMPLES, "web.pool.yaml")) as f:
            pool = yaml.safe_load(f)
        check = pool["checks"][0]
        with open(os.path.join(EXAMPLES, "gslb.example.zone.yaml")) as f:
            zone = yaml.safe_load(f)
        service = zone["services"][0]
        with open(os.path.join(EXAMPLES, "haproxy-site-a.cfg")) as f:
            haproxy = f.read()
        m = re.search(r"default-server inter (\d+)ms fall (\d+) rise (\d+)", haproxy)
        maxconn = int(re.search(r"frontend www\n(?:.*\n)*?\s+maxconn (\d+)", haproxy).group(1))
        with open(os.path.join(EXAMPLES, "keepalived-site-a.conf")) as f:
            keepalived = f.read()
        advert = float(re.search(r"advert_int ([\d.]+)", keepalived).group(1))
        return {
            "interval": duration(check["interval"]), "timeout": duration(check["timeout"]),
            "rise": int(check["rise"]), "fall": int(check["fall"]),
            "jitter": float(check.get("jitter", 10)) / 100.0,
            "ttl": duration(service["ttl"]), "degraded_ttl": duration(service["degraded_ttl"]),
            "haproxy_inter": int(m.group(1)) / 1000.0, "haproxy_fall": int(m.group(2)),
            "haproxy_rise": int(m.group(3)), "frontend_maxconn": maxconn, "advert_int": advert,
        }


def duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text))
    if not m:
        raise ValueError("not a duration: %r" % text)
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


if __name__ == "__main__":
    print(__doc__)
    sys.exit(0)
