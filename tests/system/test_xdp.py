# SPDX-License-Identifier: Apache-2.0
"""The AF_XDP fast path on a veth pair between two network namespaces (root only).

gslbd runs in the server namespace with xdp: on its end of the pair and answers UDP port 53
of 198.18.0.1 and fd00::1 through XDP; its socket listeners on port 5300 answer the very same
queries through the kernel. The client namespace compares the two byte for byte (except the
ID), checks that TCP, ICMP and other ports still reach the kernel, and that gslbd leaves no
XDP program behind, whether it stops or is killed.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import dns.message
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "xdp_client.py")
STREAM = os.path.join(HERE, "xdp_stream.py")
PYTHON = "/usr/bin/python3"

PREFIX = "gslbd-xdp-%d-" % os.getpid()
SERVER_NS, CLIENT_NS = PREFIX + "s", PREFIX + "c"
SERVER_IF, CLIENT_IF = "xdps%d" % (os.getpid() % 100000), "xdpc%d" % (os.getpid() % 100000)
SERVER4, CLIENT4 = "198.18.0.1", "198.18.0.2"
SERVER6, CLIENT6 = "fd00::1", "fd00::2"
# A second pair with two receive and two transmit queues on each end. veth hands a frame to the
# peer's receive queue with the number of the transmit queue it was sent on, and the client's
# transmit queue follows the sending CPU (XPS: tx-0 for CPU 0, tx-1 for CPU 1), so a client
# pinned to a CPU reaches a known server queue.
MQ_SERVER_IF, MQ_CLIENT_IF = "xdpm%d" % (os.getpid() % 100000), "xdpn%d" % (os.getpid() % 100000)
MQ_SERVER4, MQ_CLIENT4 = "198.18.2.1", "198.18.2.2"
XDP_PORT, SOCKET_PORT, CONTROL_PORT = 53, 5300, 8053
MTU = 1500
START_TIMEOUT = 20.0

ZONE = """version: 1
zone: xdp.test
default_ttl: 1h
soa:
  mname: ns1.xdp.test.
  rname: hostmaster.xdp.test.
  serial: 1
  refresh: 1h
  retry: 15m
  expire: 1w
  minimum: 5m
ns: [ns1.xdp.test.]
records:
  - {name: ns1, type: A, data: ["198.18.0.1"]}
  - {name: www, type: A, data: ["192.0.2.80", "192.0.2.81"]}
  - {name: www, type: AAAA, data: ["2001:db8::80"]}
  # ~1,800 octets: whole over the sockets with a 4096-octet EDNS size, larger than the MTU
  - name: big
    type: TXT
    data: [%(big)s]
  # ~6,000 octets: truncated on every path
  - name: huge
    type: TXT
    data: [%(huge)s]
services:
  - {name: app, pool: app, ttl: 30s}
""" % {"big": ", ".join('"\\"%s\\""' % ("b%02d" % i + "x" * 196) for i in range(9)),
       "huge": ", ".join('"\\"%s\\""' % ("h%02d" % i + "x" * 196) for i in range(30))}

POOL = """version: 1
pools:
  - name: app
    policy: failover
    initial_state: up
    members:
      - {name: a, address: 192.0.2.20, priority: 0}
      - {name: b, address: 192.0.2.21, priority: 1}
"""


def main_yaml(xdp_lines):
    lines = ["version: 1", "server:", "  workers: 1", "  edns_udp_size: 4096",
             "  identity: xdp-test",
             '  listen: ["%s:%d", "[%s]:%d", "%s:%d", "[%s]:%d", "%s:%d"]' % (
                 SERVER4, XDP_PORT, SERVER6, XDP_PORT, SERVER4, SOCKET_PORT, SERVER6,
                 SOCKET_PORT, MQ_SERVER4, XDP_PORT),
             "  log:", "    level: info", "    queries: true", "    query_rate: 100000",
             "control:", "  enabled: true", '  listen: "127.0.0.1:%d"' % CONTROL_PORT,
             "  admin_without_token: true",
             'zones: ["xdp.test.zone.yaml"]', 'pools: ["app.pool.yaml"]']
    return "\n".join(lines + xdp_lines) + "\n"


def xdp_section(interface, mode="auto"):
    return ["xdp:", "  interfaces:", "    - name: %s" % interface, "  port: %d" % XDP_PORT,
            '  addresses: ["%s", "%s"]' % (SERVER4, SERVER6), "  mode: %s" % mode]


WWW_A = '{name: www, type: A, data: ["192.0.2.80", "192.0.2.81"]}'


def zone_with_www(addresses):
    """ZONE with www's A records replaced."""
    return ZONE.replace(WWW_A, '{name: www, type: A, data: [%s]}' % ", ".join(
        '"%s"' % a for a in addresses))


def xdp_socket_inodes(pid):
    """The socket inodes gslbd holds that no /proc/net table lists: its AF_XDP sockets (the
    kernel keeps no such table for them)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    listed = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "netlink", "packet",
                  "icmp", "icmp6", "udplite", "udplite6"):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                for line in f.read().splitlines()[1:]:
                    listed.update(line.split())
        except OSError:
            pass
    return inodes - listed


def xdp_sockets_in_namespace(pid):
    """How many AF_XDP sockets exist in gslbd's network namespace (/proc/net/protocols)."""
    with open("/proc/%d/net/protocols" % pid) as f:
        for line in f:
            if line.startswith("XDP "):
                return int(line.split()[2])
    return 0


def run(argv, check=True, timeout=30):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(argv), r.returncode, r.stdout,
                                                    r.stderr))
    return r


def in_ns(ns, argv, **kwargs):
    return run(["ip", "netns", "exec", ns] + argv, **kwargs)


def skip_reason():
    if os.geteuid() != 0:
        return "needs root (network namespaces, XDP)"
    for tool in ("ip", "dig", "kdig", "ping"):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            return "needs %s" % tool
    probe = "gslbd-xdp-probe-%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True)
    if r.returncode != 0:
        return "cannot create a network namespace: %s" % r.stderr.decode().strip()
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def query_wire(qname, qtype, payload=None):
    q = dns.message.make_query(qname, qtype, use_edns=payload is not None,
                               payload=payload or 512)
    return q.to_wire()


class XdpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = skip_reason()
        if reason:
            raise unittest.SkipTest(reason)
        cls.dir = tempfile.mkdtemp(prefix="gslbd-xdp-")
        cls.proc = None
        cls.namespaces = []
        try:
            cls.build_topology()
        except Exception:
            cls.tearDownClass()
            raise
        with open(os.path.join(cls.dir, "xdp.test.zone.yaml"), "w") as f:
            f.write(ZONE)
        with open(os.path.join(cls.dir, "app.pool.yaml"), "w") as f:
            f.write(POOL)

    @classmethod
    def build_topology(cls):
        for ns in (SERVER_NS, CLIENT_NS):
            run(["ip", "netns", "add", ns])
            cls.namespaces.append(ns)
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", SERVER_IF, "netns", SERVER_NS, "mtu", str(MTU), "type", "veth",
             "peer", "name", CLIENT_IF, "netns", CLIENT_NS, "mtu", str(MTU)])
        for ns, dev, v4, v6 in ((SERVER_NS, SERVER_IF, SERVER4, SERVER6),
                                (CLIENT_NS, CLIENT_IF, CLIENT4, CLIENT6)):
            run(["ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev])
            run(["ip", "-n", ns, "addr", "add", v6 + "/64", "dev", dev, "nodad"])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "link", "add", MQ_SERVER_IF, "netns", SERVER_NS, "mtu", str(MTU),
             "numrxqueues", "2", "numtxqueues", "2", "type", "veth", "peer", "name",
             MQ_CLIENT_IF, "netns", CLIENT_NS, "mtu", str(MTU), "numrxqueues", "2",
             "numtxqueues", "2"])
        for ns, dev, v4 in ((SERVER_NS, MQ_SERVER_IF, MQ_SERVER4),
                            (CLIENT_NS, MQ_CLIENT_IF, MQ_CLIENT4)):
            run(["ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev])
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        in_ns(CLIENT_NS, ["sh", "-c", "echo 1 > /sys/class/net/%s/queues/tx-0/xps_cpus && "
                          "echo 2 > /sys/class/net/%s/queues/tx-1/xps_cpus" % (MQ_CLIENT_IF,
                                                                               MQ_CLIENT_IF)])
        # The client learns the server's MAC addresses before XDP runs, as a warm network has.
        in_ns(CLIENT_NS, ["ping", "-c", "1", "-W", "2", SERVER4])
        in_ns(CLIENT_NS, ["ping", "-6", "-c", "1", "-W", "2", SERVER6])
        in_ns(CLIENT_NS, ["ping", "-c", "1", "-W", "2", MQ_SERVER4])

    @classmethod
    def tearDownClass(cls):
        cls.stop_gslbd(sig=signal.SIGKILL)
        for ns in cls.namespaces:
            # Only this test's processes can be in its namespaces; end them by PID.
            r = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        cls.namespaces = []
        if getattr(cls, "dir", None):
            shutil.rmtree(cls.dir, ignore_errors=True)

    # --- gslbd -------------------------------------------------------------------------------
    @classmethod
    def start_gslbd(cls, xdp_lines, wrapper=()):
        with open(os.path.join(cls.dir, "main.yaml"), "w") as f:
            f.write(main_yaml(xdp_lines))
        cls.stderr_path = os.path.join(cls.dir, "stderr-%d.log" % time.monotonic_ns())
        with open(cls.stderr_path, "wb") as err:
            cls.proc = subprocess.Popen(
                ["ip", "netns", "exec", SERVER_NS] + list(wrapper) + [os.environ["GSLBD_BINARY"], "-c",
                 os.path.join(cls.dir, "main.yaml")],
                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=cls.dir)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if cls.proc.poll() is not None:
                raise AssertionError("gslbd exited with %d:\n%s" % (cls.proc.returncode,
                                                                   cls.stderr()))
            if "gslbd serving" in cls.stderr():
                return
            time.sleep(0.05)
        raise AssertionError("gslbd did not start:\n" + cls.stderr())

    @classmethod
    def stop_gslbd(cls, sig=signal.SIGTERM):
        proc = getattr(cls, "proc", None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)  # ip netns exec execs gslbd: this PID is gslbd's
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    @classmethod
    def stderr(cls):
        with open(cls.stderr_path, errors="replace") as f:
            return f.read()

    def status(self):
        code = ("import urllib.request,sys;sys.stdout.write(urllib.request.urlopen("
                "'http://127.0.0.1:%d/status',timeout=5).read().decode())" % CONTROL_PORT)
        return json.loads(in_ns(SERVER_NS, [PYTHON, "-c", code]).stdout)

    def metrics(self):
        code = ("import urllib.request,sys;sys.stdout.write(urllib.request.urlopen("
                "'http://127.0.0.1:%d/metrics',timeout=5).read().decode())" % CONTROL_PORT)
        return in_ns(SERVER_NS, [PYTHON, "-c", code]).stdout

    def xdp_requests(self, proto="xdp"):
        total = 0
        for m in re.finditer(r'gslbd_dns_requests_total\{[^}]*proto="%s"[^}]*\} (\d+)' % proto,
                             self.metrics()):
            total += int(m.group(1))
        return total

    def exchange(self, address, port, wires, cpu=None):
        pin = [] if cpu is None else ["taskset", "-c", str(cpu)]
        r = in_ns(CLIENT_NS, pin + [PYTHON, CLIENT, address, str(port),
                                    json.dumps([w.hex() for w in wires])], timeout=60)
        return [bytes.fromhex(h) for h in json.loads(r.stdout)]

    def admin_reload(self):
        code = ("import urllib.request,sys;sys.stdout.write(urllib.request.urlopen("
                "urllib.request.Request('http://127.0.0.1:%d/admin/reload',data=b'',"
                "method='POST'),timeout=30).read().decode())" % CONTROL_PORT)
        return json.loads(in_ns(SERVER_NS, [PYTHON, "-c", code]).stdout)

    def wait_log(self, text, count=1, timeout=10):
        deadline = time.monotonic() + timeout
        while self.stderr().count(text) < count:
            self.assertLess(time.monotonic(), deadline, "no %r in:\n%s" % (text, self.stderr()))
            time.sleep(0.05)

    def write_zone(self, text):
        path = os.path.join(self.dir, "xdp.test.zone.yaml")
        with open(path + ".new", "w") as f:
            f.write(text)
        os.replace(path + ".new", path)

    def interface_xdp(self):
        """The XDP program attached to the server's interface ({} when none), as ip shows it."""
        link = json.loads(in_ns(SERVER_NS, ["ip", "-d", "-j", "link", "show", "dev",
                                            SERVER_IF]).stdout)[0]
        return link.get("xdp", {})

    # --- tests -------------------------------------------------------------------------------
    def test_xdp_path(self):
        self.start_gslbd(xdp_section(SERVER_IF))
        try:
            status = self.status()["xdp"]
            self.assertTrue(status["active"], status)
            self.assertIn(SERVER_IF, status["detail"])
            self.assertIn("native mode", status["detail"])  # veth has a native XDP driver
            self.assertEqual(self.interface_xdp()["prog"]["name"], "gslbd_xdp")
            self.check_answers_equal()
            self.check_mtu_truncation()
            self.check_kernel_still_gets_the_rest()
            self.check_reload_keeps_xdp()
        finally:
            self.stop_gslbd()
        self.assertEqual(self.proc.returncode, 0, self.stderr())
        self.assertEqual(self.interface_xdp(), {})
        self.check_sockets_only_after_stop()

    def check_answers_equal(self):
        wires = [query_wire("www.xdp.test.", "A"), query_wire("www.xdp.test.", "AAAA", 1232),
                 query_wire("app.xdp.test.", "A", 1232), query_wire("nope.xdp.test.", "A"),
                 query_wire("huge.xdp.test.", "TXT", 1232), query_wire("huge.xdp.test.", "TXT")]
        before = self.xdp_requests()
        for address in (SERVER4, SERVER6):
            over_xdp = self.exchange(address, XDP_PORT, wires)
            over_socket = self.exchange(address, SOCKET_PORT, wires)
            for wire, a, b in zip(wires, over_xdp, over_socket):
                what = "%s %s" % (address, dns.message.from_wire(wire).question[0])
                self.assertTrue(a, "no answer over XDP: " + what)
                self.assertTrue(b, "no answer over the socket: " + what)
                self.assertEqual(a[2:], b[2:], what)
            rcodes = [dns.message.from_wire(a).rcode() for a in over_xdp]
            self.assertEqual(rcodes[3], 3, "NXDOMAIN")
            self.assertTrue(dns.message.from_wire(over_xdp[4]).flags & dns.flags.TC, "TC")
            app = dns.message.from_wire(over_xdp[2])
            self.assertEqual([r.to_text() for r in app.answer[0]], ["192.0.2.20"])
        self.assertGreaterEqual(self.xdp_requests() - before, 2 * len(wires))
        self.assertIn("proto=xdp", self.stderr())
        # The everyday tools agree.
        for address in (SERVER4, SERVER6):
            r = in_ns(CLIENT_NS, ["kdig", "@" + address, "-p", str(XDP_PORT), "+short",
                                  "www.xdp.test.", "A"])
            self.assertEqual(sorted(r.stdout.split()), ["192.0.2.80", "192.0.2.81"])
            r = in_ns(CLIENT_NS, ["dig", "@" + address, "-p", str(XDP_PORT), "+short",
                                  "app.xdp.test.", "A"])
            self.assertEqual(r.stdout.split(), ["192.0.2.20"])

    def check_mtu_truncation(self):
        # 1,800 octets fit the client's 4096 but not the link: XDP sends TC within the MTU,
        # the socket path sends it whole (the kernel fragments it).
        wire = query_wire("big.xdp.test.", "TXT", 4096)
        for address in (SERVER4, SERVER6):
            over_xdp, over_socket = self.exchange(address, XDP_PORT, [wire])[0], \
                self.exchange(address, SOCKET_PORT, [wire])[0]
            self.assertGreater(len(over_socket), MTU)
            self.assertFalse(dns.message.from_wire(over_socket).flags & dns.flags.TC)
            header = 20 + 8 if address == SERVER4 else 40 + 8
            self.assertLessEqual(len(over_xdp) + header, MTU)
            reply = dns.message.from_wire(over_xdp)
            self.assertTrue(reply.flags & dns.flags.TC, address)
            r = in_ns(CLIENT_NS, ["dig", "@" + address, "-p", str(XDP_PORT), "+bufsize=4096",
                                  "+short", "big.xdp.test.", "TXT"])
            self.assertEqual(len(r.stdout.split("\n")) - 1, 9, "dig retries over TCP")

    def check_kernel_still_gets_the_rest(self):
        for address in (SERVER4, SERVER6):
            for port in (XDP_PORT, SOCKET_PORT):
                r = in_ns(CLIENT_NS, ["dig", "+tcp", "@" + address, "-p", str(port), "+short",
                                      "www.xdp.test.", "A"])
                self.assertEqual(sorted(r.stdout.split()), ["192.0.2.80", "192.0.2.81"])
        in_ns(CLIENT_NS, ["ping", "-c", "1", "-W", "2", SERVER4])
        in_ns(CLIENT_NS, ["ping", "-6", "-c", "1", "-W", "2", SERVER6])
        # A UDP port that is not served by XDP: the kernel answers with port unreachable.
        r = in_ns(CLIENT_NS, ["dig", "@" + SERVER4, "-p", "5999", "+tries=1", "+timeout=2",
                              "www.xdp.test."], check=False)
        self.assertIn("connection refused", r.stdout + r.stderr)

    def check_reload_keeps_xdp(self):
        before = self.xdp_requests()
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "config generation 2 in service" not in self.stderr():
            self.assertLess(time.monotonic(), deadline, self.stderr())
            time.sleep(0.05)
        self.assertTrue(self.status()["xdp"]["active"])
        wire = query_wire("www.xdp.test.", "A")
        self.assertTrue(self.exchange(SERVER4, XDP_PORT, [wire])[0])
        self.assertEqual(self.xdp_requests() - before, 1)

    def test_reload_under_load_keeps_sockets(self):
        """Two reloads, one by SIGHUP and one by /admin/reload, while a paced stream of queries
        runs over XDP: every query is answered, the answers move to each new zone in order,
        and the program and the AF_XDP sockets are the very same ones afterwards. The second
        reload also changes the xdp: section, which is refused for the running fast path with
        a log line and applied only on restart."""
        self.start_gslbd(xdp_section(SERVER_IF))
        stream = None
        try:
            pid = self.proc.pid  # ip netns exec execs gslbd
            program = self.interface_xdp()["prog"]["id"]
            sockets = xdp_socket_inodes(pid)
            self.assertEqual(len(sockets), 1, sockets)
            self.assertEqual(xdp_sockets_in_namespace(pid), 1)
            before = self.xdp_requests()
            count = 2000
            stream = subprocess.Popen(
                ["ip", "netns", "exec", CLIENT_NS, PYTHON, STREAM, SERVER4, str(XDP_PORT),
                 "www.xdp.test.", str(count), "0.002", "1.0"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if stream.stdout.readline().strip() != "started":
                self.fail("the query stream did not start: " + stream.communicate()[1])
            time.sleep(0.3)
            self.write_zone(zone_with_www(["192.0.2.90"]))
            self.proc.send_signal(signal.SIGHUP)
            self.wait_log("config generation 2 in service")
            time.sleep(0.3)
            self.write_zone(zone_with_www(["192.0.2.91"]))
            with open(os.path.join(self.dir, "main.yaml"), "w") as f:
                f.write(main_yaml(xdp_section(SERVER_IF, mode="generic")))
            outcome = self.admin_reload()
            self.assertTrue(outcome.get("ok"), outcome)
            self.assertEqual(outcome.get("generation"), 3, outcome)
            refused = "the xdp section changed; it applies only on restart"
            self.wait_log(refused)
            out, err = stream.communicate(timeout=120)
            result = json.loads(out)
            answers = result["answers"]
            self.assertEqual(len(answers), count, err)
            lost = [i for i, a in enumerate(answers) if not a]
            self.assertEqual(lost, [], "queries lost during the reloads")
            # Old data, then the first reload's, then the second's: never back, none skipped.
            order = ["192.0.2.80,192.0.2.81", "192.0.2.90", "192.0.2.91"]
            seen = [order.index(a) for a in answers]
            self.assertEqual(seen, sorted(seen), "answers went back to older data")
            self.assertEqual(sorted(set(seen)), [0, 1, 2],
                             "the stream did not span both reloads: %s" % set(answers))
            self.assertEqual(self.xdp_requests() - before, count, "all answered over XDP")
            # The same program and sockets; the fast path still in native mode as started.
            self.assertEqual(self.interface_xdp()["prog"]["id"], program)
            self.assertEqual(self.interface_xdp()["mode"], 1)  # XDP_ATTACHED_DRV
            self.assertEqual(xdp_socket_inodes(pid), sockets)
            status = self.status()["xdp"]
            self.assertTrue(status["active"], status)
            self.assertIn("native mode", status["detail"])
            # The config in service keeps the running xdp: settings, so the next reload of the
            # changed file says the same again instead of taking them as applied.
            self.proc.send_signal(signal.SIGHUP)
            self.wait_log("config generation 4 in service")
            self.assertEqual(self.stderr().count(refused), 2, self.stderr())
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
            self.assertEqual(xdp_socket_inodes(pid), sockets)
        finally:
            if stream is not None and stream.poll() is None:
                stream.kill()
                stream.wait(timeout=10)
            self.stop_gslbd()
            self.write_zone(ZONE)
        self.assertEqual(self.proc.returncode, 0, self.stderr())

    def test_multi_queue(self):
        """One AF_XDP socket per listed queue, each in the program's map at its queue: traffic
        steered to a listed queue is answered over XDP, to an unlisted one by the kernel."""
        if not {0, 1} <= os.sched_getaffinity(0):
            self.skipTest("needs CPUs 0 and 1 to steer the client to both queues")
        if shutil.which("taskset") is None:
            self.skipTest("needs taskset")
        wire = query_wire("www.xdp.test.", "A")
        lines = ["xdp:", "  interfaces:", "    - {name: %s, queues: [1]}" % MQ_SERVER_IF,
                 '  addresses: ["%s"]' % MQ_SERVER4]
        self.start_gslbd(lines)
        try:
            status = self.status()["xdp"]
            self.assertTrue(status["active"], status)
            self.assertIn("native mode on %s queue 1" % MQ_SERVER_IF, status["detail"])
            self.assertEqual(xdp_sockets_in_namespace(self.proc.pid), 1)
            for cpu, proto in ((0, "udp"), (1, "xdp"), (0, "udp"), (1, "xdp")):
                xdp, udp = self.xdp_requests(), self.xdp_requests("udp")
                self.assertTrue(self.exchange(MQ_SERVER4, XDP_PORT, [wire], cpu=cpu)[0])
                moved = (self.xdp_requests() - xdp, self.xdp_requests("udp") - udp)
                self.assertEqual(moved, (1, 0) if proto == "xdp" else (0, 1),
                                 "CPU %d: expected an answer over %s" % (cpu, proto))
        finally:
            self.stop_gslbd()
        # Both queues of this pair and queue 0 of the other: three sockets, three threads.
        lines = ["xdp:", "  interfaces:", "    - {name: %s}" % SERVER_IF,
                 "    - {name: %s, queues: [0, 1]}" % MQ_SERVER_IF,
                 '  addresses: ["%s", "%s", "%s"]' % (SERVER4, SERVER6, MQ_SERVER4)]
        self.start_gslbd(lines)
        try:
            status = self.status()["xdp"]
            self.assertTrue(status["active"], status)
            self.assertIn("%s queue 0; native mode" % SERVER_IF, status["detail"])
            self.assertIn("on %s queues 0, 1" % MQ_SERVER_IF, status["detail"])
            self.assertEqual(xdp_sockets_in_namespace(self.proc.pid), 3)
            self.assertEqual(len(xdp_socket_inodes(self.proc.pid)), 3)
            udp = self.xdp_requests("udp")
            for cpu in (0, 1):
                before = self.xdp_requests()
                answers = self.exchange(MQ_SERVER4, XDP_PORT, [wire] * 5, cpu=cpu)
                self.assertTrue(all(answers), "CPU %d" % cpu)
                self.assertEqual(self.xdp_requests() - before, 5, "CPU %d" % cpu)
            before = self.xdp_requests()
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [wire])[0])
            self.assertEqual(self.xdp_requests() - before, 1)
            self.assertEqual(self.xdp_requests("udp"), udp, "nothing went to the sockets")
        finally:
            self.stop_gslbd()
        self.assertEqual(self.proc.returncode, 0, self.stderr())

    def test_umem_sizes_and_dnstap(self):
        """Smaller frame areas and rings as configured (and shown in /status) still answer a
        burst; dnstap records the XDP exchanges as UDP with both addresses and ports."""
        if shutil.which("dnstap-ldns") is None:
            self.skipTest("needs dnstap-ldns")
        tap = os.path.join(self.dir, "xdp.dnstap")
        lines = xdp_section(SERVER_IF) + ["  frames: 256", "  rx_ring_size: 64",
                                          "  tx_ring_size: 128",
                                          "dnstap:", "  file: %s" % tap]
        self.start_gslbd(lines)
        wires = [query_wire("www.xdp.test.", "A")] * 300
        try:
            status = self.status()["xdp"]
            self.assertTrue(status["active"], status)
            self.assertIn("256 frames, rings of 64 (receive) and 128 (transmit) per queue",
                          status["detail"])
            before = self.xdp_requests()
            # More queries than frames and ring entries: the frames go round and come back.
            self.assertTrue(all(self.exchange(SERVER4, XDP_PORT, wires)))
            self.assertTrue(self.exchange(SERVER6, XDP_PORT, [query_wire("app.xdp.test.", "A")])[0])
            self.assertEqual(self.xdp_requests() - before, len(wires) + 1)
        finally:
            self.stop_gslbd()
        self.assertEqual(self.proc.returncode, 0, self.stderr())
        out = run(["dnstap-ldns", "-y", "-r", tap]).stdout
        docs = [d for d in out.split("\n---") if d.strip()]
        self.assertEqual(len(docs), 2 * (len(wires) + 1), out[-2000:])
        def field(doc, key):
            # The message's own fields, indented under "message:"; strings come quoted.
            m = re.search(r"^  %s: (.*)$" % key, doc, re.M)
            return m.group(1).strip().strip('"') if m else None
        for doc in docs:
            self.assertEqual(field(doc, "socket_protocol"), "UDP", doc)
            self.assertEqual(field(doc, "response_port"), str(XDP_PORT), doc)
            self.assertIn(field(doc, "type"), ("AUTH_QUERY", "AUTH_RESPONSE"), doc)
        v6 = [d for d in docs if field(d, "socket_family") == "INET6"]
        self.assertEqual(len(v6), 2, out[-2000:])
        self.assertEqual(field(v6[0], "query_address"), CLIENT6)
        self.assertEqual(field(v6[0], "response_address"), SERVER6)
        self.assertIn("app.xdp.test.", out)
        v4 = [d for d in docs if field(d, "socket_family") == "INET"]
        self.assertEqual(len(v4), 2 * len(wires))
        self.assertEqual({field(d, "query_address") for d in v4}, {CLIENT4})
        self.assertEqual({field(d, "response_address") for d in v4}, {SERVER4})
        ports = {field(d, "query_port") for d in v4}
        self.assertTrue(all(p and p.isdigit() and int(p) > 0 for p in ports), ports)
        responses = [d for d in v4 if field(d, "type") == "AUTH_RESPONSE"]
        self.assertEqual(len(responses), len(wires))
        self.assertTrue(all("192.0.2.80" in d for d in responses), responses[0])

    def test_required_refuses_to_start(self):
        """xdp.required: true turns each failure to open the fast path into a refusal to start,
        with one line saying why, and leaves nothing attached."""
        for interface, extra, expected in (
                ("nosuch0", [], "no network interface 'nosuch0'"),
                (SERVER_IF, ["  zero_copy: true"],
                 "cannot open an AF_XDP socket on %s queue 0" % SERVER_IF)):
            with open(os.path.join(self.dir, "main.yaml"), "w") as f:
                f.write(main_yaml(xdp_section(interface) + extra + ["  required: true"]))
            r = in_ns(SERVER_NS, [os.environ["GSLBD_BINARY"], "-c",
                                  os.path.join(self.dir, "main.yaml")], check=False, timeout=30)
            self.assertNotEqual(r.returncode, 0, r.stderr)
            line = [x for x in r.stderr.splitlines() if "cannot start" in x]
            self.assertEqual(len(line), 1, r.stderr)
            self.assertIn("gslbd cannot start: xdp: " + expected, line[0])
            self.assertIn("xdp.required is true", line[0])
            self.assertNotIn("answering over the sockets only", r.stderr)
            self.assertEqual(self.interface_xdp(), {})
        # A program that is not ours on the interface: left in place, and gslbd does not start.
        obj = self.foreign_program()
        in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj", obj,
                          "sec", "xdp"])
        try:
            r = in_ns(SERVER_NS, [os.environ["GSLBD_BINARY"], "-c",
                                  os.path.join(self.dir, "main.yaml")], check=False, timeout=30)
            self.assertNotEqual(r.returncode, 0, r.stderr)
            self.assertIn("already carries an XDP program 'foreign_pass'", r.stderr)
            self.assertIn("xdp.required is true", r.stderr)
            self.assertEqual(self.interface_xdp()["prog"]["name"], "foreign_pass")
        finally:
            in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "off"],
                  check=False)
        # Where the fast path opens, required changes nothing.
        self.start_gslbd(xdp_section(SERVER_IF) + ["  required: true"])
        try:
            self.assertTrue(self.status()["xdp"]["active"])
            before = self.xdp_requests()
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
            self.assertEqual(self.xdp_requests() - before, 1)
        finally:
            self.stop_gslbd()

    def foreign_program(self):
        """An XDP program that is not gslbd's, built with clang: its object file."""
        source = os.path.join(self.dir, "foreign.bpf.c")
        obj = os.path.join(self.dir, "foreign.bpf.o")
        if os.path.exists(obj):
            return obj
        with open(source, "w") as f:
            f.write('#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n'
                    'SEC("xdp") int foreign_pass(struct xdp_md *ctx) { return XDP_PASS; }\n'
                    'char LICENSE[] SEC("license") = "GPL";\n')
        arch = run(["gcc", "-print-multiarch"]).stdout.strip()
        run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/" + arch, "-c", source,
             "-o", obj])
        return obj

    def check_sockets_only_after_stop(self):
        # The same config without xdp: ordinary sockets answer port 53 now.
        self.start_gslbd([])
        try:
            wire = query_wire("www.xdp.test.", "A")
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [wire])[0])
            self.assertTrue(self.exchange(SERVER6, XDP_PORT, [wire])[0])
            self.assertEqual(self.xdp_requests(), 0)
            self.assertIsNone(self.status()["xdp"])
        finally:
            self.stop_gslbd()

    def test_crash_leaves_nothing_behind(self):
        self.start_gslbd(xdp_section(SERVER_IF))
        self.assertTrue(self.status()["xdp"]["active"])
        self.stop_gslbd(sig=signal.SIGKILL)
        deadline = time.monotonic() + 5
        while self.interface_xdp():
            self.assertLess(time.monotonic(), deadline, self.interface_xdp())
            time.sleep(0.05)
        # The next start, in generic mode this time, finds the interface free.
        self.start_gslbd(xdp_section(SERVER_IF, mode="generic"))
        try:
            status = self.status()["xdp"]
            self.assertTrue(status["active"], self.stderr())
            self.assertIn("generic mode", status["detail"])
            self.assertEqual(self.interface_xdp()["mode"], 2)  # XDP_ATTACHED_SKB
            before = self.xdp_requests()
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
            self.assertTrue(self.exchange(SERVER6, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
            self.assertEqual(self.xdp_requests() - before, 2)
        finally:
            self.stop_gslbd()

    def test_stale_program_of_ours_is_replaced(self):
        obj = os.path.join(os.path.dirname(os.environ["GSLBD_BINARY"]), "gslbd_xdp.bpf.o")
        if not os.path.exists(obj):
            self.skipTest("no %s next to the binary" % obj)
        in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj", obj,
                          "sec", "xdp"])
        try:
            self.start_gslbd(xdp_section(SERVER_IF))
            self.assertTrue(self.status()["xdp"]["active"], self.stderr())
            self.assertIn("removed a stale gslbd XDP program", self.stderr())
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
        finally:
            self.stop_gslbd()
            in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "off"],
                  check=False)
        self.assertEqual(self.interface_xdp(), {})

    def test_failures_fall_back_to_sockets(self):
        # A missing interface: one line in the log and in /status; the sockets answer.
        self.start_gslbd(xdp_section("nosuch0"))
        try:
            status = self.status()["xdp"]
            self.assertFalse(status["active"])
            self.assertIn("no network interface 'nosuch0'", status["detail"])
            self.assertIn("xdp: no network interface 'nosuch0'; answering over the sockets only",
                          self.stderr())
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
        finally:
            self.stop_gslbd()
        # zero_copy: true on veth, whose driver copies: the socket cannot be bound so.
        self.start_gslbd(xdp_section(SERVER_IF) + ["  zero_copy: true"])
        try:
            status = self.status()["xdp"]
            self.assertFalse(status["active"])
            self.assertIn("cannot open an AF_XDP socket on %s queue 0" % SERVER_IF,
                          status["detail"])
            self.assertEqual(self.interface_xdp(), {})  # the program went with the failure
        finally:
            self.stop_gslbd()
        # Without the capabilities XDP needs (root keeps the others, so it still binds port 53).
        if shutil.which("setpriv"):
            self.start_gslbd(xdp_section(SERVER_IF), wrapper=[
                "setpriv", "--bounding-set=-bpf,-net_admin,-sys_admin,-net_raw,-perfmon",
                "--inh-caps=-all", "--"])
            try:
                status = self.status()["xdp"]
                self.assertFalse(status["active"])
                self.assertIn("needs root, or CAP_NET_RAW", status["detail"])
                self.assertEqual(self.interface_xdp(), {})
                self.assertTrue(self.exchange(SERVER4, XDP_PORT,
                                              [query_wire("www.xdp.test.", "A")])[0])
            finally:
                self.stop_gslbd()
        # An interface that carries a program that is not ours: gslbd leaves it in place.
        obj = self.foreign_program()
        in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "obj", obj,
                          "sec", "xdp"])
        try:
            self.start_gslbd(xdp_section(SERVER_IF))
            status = self.status()["xdp"]
            self.assertFalse(status["active"])
            self.assertIn("already carries an XDP program 'foreign_pass'", status["detail"])
            self.assertIn("answering over the sockets only", self.stderr())
            self.assertTrue(self.exchange(SERVER4, XDP_PORT, [query_wire("www.xdp.test.", "A")])[0])
            self.stop_gslbd()
            self.assertEqual(self.interface_xdp()["prog"]["name"], "foreign_pass")
        finally:
            self.stop_gslbd()
            in_ns(SERVER_NS, ["ip", "link", "set", "dev", SERVER_IF, "xdpgeneric", "off"],
                  check=False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
