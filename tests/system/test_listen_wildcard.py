# SPDX-License-Identifier: Apache-2.0
"""Wildcard listeners (0.0.0.0:P, [::]:P) answer UDP from the address each query was sent to.

A client that asked 127.0.0.2 drops an answer that comes from 127.0.0.1 (dig and kdig do), so
every check looks at the reply's source: dnspython on an unconnected socket with recvfrom, and
dig and kdig, which wait for the queried address only. As root, a network namespace with
198.18.0.0/15 and fd00::/8 addresses (and a link-local one) on a veth pair runs its own gslbd on
the wildcards; without root that part is skipped with the reason printed.

Run with --probe ADDR PORT (as the namespace part does inside the namespace) it sends one query
from an unconnected socket and prints the reply's source and answer as JSON.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import shutil
import tempfile
import time
import unittest

import dns.edns
import dns.exception
import dns.message
import dns.query
import dns.rcode

import gslbd_harness as h

QNAME = "www.example.com."
EXPECTED = ["192.0.2.80", "192.0.2.81"]
IDENTITY = "ns-wildcard-%d.example" % os.getpid()


def probe(addr, port, qid=None, timeout=h.QUERY_TIMEOUT):
    """One A query for QNAME from an unconnected socket: (source address, source port, reply).

    The socket takes whatever arrives first, so an answer from a wrong address is seen (and
    reported) instead of being filtered out as a connected socket would do."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    q = h.make_query(QNAME, "A", edns=0, want_nsid=True, qid=qid)
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        if family == socket.AF_INET:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)  # for the broadcast query
        s.sendto(q.to_wire(), (addr, port))
        data, source = s.recvfrom(65535)
    return source[0], source[1], dns.message.from_wire(data)


def probe_main(addr, port):
    try:
        source, source_port, r = probe(addr, int(port))
    except OSError as e:
        print(json.dumps({"error": str(e)}))
        return
    nsid = [o.data.decode() for o in r.options if o.otype == dns.edns.NSID]
    print(json.dumps({"source": source, "port": source_port, "rcode": dns.rcode.to_text(r.rcode()),
                      "answer": sorted(x.to_text() for rr in r.answer for x in rr),
                      "nsid": nsid[0] if nsid else None}))


def free_wildcard_port(v4, v6):
    """A port free for UDP and TCP on the wildcards gslbd will bind (bound without SO_REUSEPORT,
    so a port some other socket holds is refused)."""
    return h.free_port_on([host for host, on in (("0.0.0.0", v4), ("::", v6)) if on])


def write_config(directory):
    with open(os.path.join(directory, "main.yaml"), "w") as f:
        f.write("version: 1\nserver:\n  workers: 2\n  identity: %s\n  log:\n    level: info\n"
                "zones:\n  - \"*.zone.yaml\"\ncontrol:\n  enabled: false\n" % IDENTITY)
    shutil.copy(os.path.join(h.DATA, "example.com.zone.yaml"), directory)


def stop(proc):
    """SIGTERM to the process we started, then SIGKILL after the harness's bound. Returns rc."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(h.STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(h.STOP_TIMEOUT)
        return None


class WildcardCase(unittest.TestCase):
    """Runs gslbd on LISTEN (wildcard hosts) with one free port and asks READY_ADDRESS."""

    LISTEN = ()
    READY_ADDRESS = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="gslbd-wildcard-")
        write_config(cls.dir)
        v4 = any(":" not in x for x in cls.LISTEN)
        v6 = any(":" in x for x in cls.LISTEN)
        cls.port = free_wildcard_port(v4, v6)
        cmd = [h.binary(), "-c", os.path.join(cls.dir, "main.yaml")]
        for host in cls.LISTEN:
            cmd += ["--listen", ("[%s]:%d" if ":" in host else "%s:%d") % (host, cls.port)]
        cls.stderr_path = os.path.join(cls.dir, "stderr.log")
        with open(cls.stderr_path, "wb") as err:
            cls.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                        stdin=subprocess.DEVNULL, cwd=cls.dir)
        deadline = time.monotonic() + h.START_TIMEOUT
        while True:
            if cls.proc.poll() is not None:
                text = cls.stderr()
                shutil.rmtree(cls.dir, ignore_errors=True)
                raise RuntimeError("gslbd exited with %d: %s" % (cls.proc.returncode, text))
            try:
                # TCP: it answers from the right address by nature, so readiness does not
                # depend on what is under test.
                dns.query.tcp(h.make_query(QNAME), cls.READY_ADDRESS, port=cls.port,
                                timeout=0.5)
                break
            except (OSError, EOFError, dns.exception.DNSException):
                if time.monotonic() > deadline:
                    stop(cls.proc)
                    text = cls.stderr()
                    shutil.rmtree(cls.dir, ignore_errors=True)
                    raise RuntimeError("gslbd did not answer within %.0f s: %s"
                                       % (h.START_TIMEOUT, text))
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        rc = stop(cls.proc)
        text = cls.stderr()
        shutil.rmtree(cls.dir, ignore_errors=True)
        if rc != 0:
            raise AssertionError("gslbd exited %s after SIGTERM, expected 0\n%s" % (rc, text))

    @classmethod
    def stderr(cls):
        with open(cls.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def assertAnsweredFrom(self, addr):
        try:
            source, source_port, r = probe(addr, self.port)
        except socket.timeout:
            self.fail("no answer to a query sent to %s within %.0f s" % (addr, h.QUERY_TIMEOUT))
        self.assertEqual((source, source_port), (addr, self.port),
                         "the answer to a query sent to %s came from %s" % (addr, source))
        self.assertEqual(dns.rcode.to_text(r.rcode()), "NOERROR", str(r))
        self.assertEqual(sorted(x.to_text() for rr in r.answer for x in rr), EXPECTED, str(r))
        nsid = [o.data.decode() for o in r.options if o.otype == dns.edns.NSID]
        self.assertEqual(nsid, [IDENTITY], "answered by another server on this port\n%s" % r)

    def assertToolAnswers(self, tool, addr, tcp=False):
        argv = [tool, "@" + addr, "-p", str(self.port), "+time=2"]
        argv.append("+tries=1" if tool == "dig" else "+retry=0")
        if tcp:
            argv.append("+tcp")
        p = h.run_tool(argv + [QNAME, "A"])
        answer = h.ToolAnswer(p.stdout)
        what = "%s @%s%s\n%s%s" % (tool, addr, " +tcp" if tcp else "", p.stdout, p.stderr)
        self.assertEqual(p.returncode, 0, what)
        self.assertEqual(answer.status, "NOERROR", what)
        self.assertEqual(sorted(r[4] for r in answer.records() if r[3] == "A"), EXPECTED, what)
        # dig names the address an accepted answer came from
        if tool == "dig":
            self.assertRegex(p.stdout, r";; SERVER: %s#%d" % (addr.replace(".", r"\."), self.port),
                             what)


class IPv4Wildcard(WildcardCase):
    LISTEN = ("0.0.0.0",)
    READY_ADDRESS = "127.0.0.1"
    ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3")

    def test_answers_from_each_queried_address(self):
        for addr in self.ADDRESSES:
            with self.subTest(addr=addr):
                self.assertAnsweredFrom(addr)

    def test_dig_and_kdig_accept_the_answers(self):
        for addr in self.ADDRESSES:
            for tool in ("dig", "kdig"):
                with self.subTest(addr=addr, tool=tool):
                    self.assertToolAnswers(tool, addr)

    def test_a_batch_mixing_destinations(self):
        """Back-to-back queries to three addresses from one socket: recvmmsg takes them in one
        batch, and each answer leaves from its own query's destination."""
        sent = {}
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for qid in range(90):
                addr = self.ADDRESSES[qid % 3]
                s.sendto(h.make_query(QNAME, "A", qid=qid).to_wire(), (addr, self.port))
                sent[qid] = addr
            got = {}
            deadline = time.monotonic() + 10
            while len(got) < len(sent) and time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    data, source = s.recvfrom(65535)
                except socket.timeout:
                    break
                got[dns.message.from_wire(data).id] = source
        self.assertEqual(sorted(set(sent) - set(got)), [], "unanswered query ids")
        wrong = {qid: (sent[qid], got[qid]) for qid in sent if got[qid] != (sent[qid], self.port)}
        self.assertEqual(wrong, {}, "query id: (sent to, answered from)")

    def test_tcp_answers_from_the_queried_address(self):
        with socket.create_connection(("127.0.0.2", self.port), timeout=h.QUERY_TIMEOUT) as s:
            self.assertEqual(s.getpeername(), ("127.0.0.2", self.port))
            h.tcp_send_msg(s, h.make_query(QNAME, "A").to_wire())
            r = dns.message.from_wire(h.tcp_read_msg(s))
        self.assertEqual(sorted(x.to_text() for rr in r.answer for x in rr), EXPECTED, str(r))
        self.assertToolAnswers("dig", "127.0.0.3", tcp=True)


@unittest.skipUnless(h.ipv6_loopback_works(), "no IPv6 loopback here")
class IPv6Wildcard(WildcardCase):
    LISTEN = ("::",)
    READY_ADDRESS = "::1"

    def test_answers_from_the_queried_address(self):
        self.assertAnsweredFrom("::1")
        for tool in ("dig", "kdig"):
            with self.subTest(tool=tool):
                self.assertToolAnswers(tool, "::1")

    def test_ipv6_wildcard_takes_no_ipv4(self):
        """[::] is IPv6 only (IPV6_V6ONLY), so 0.0.0.0 and [::] are two listeners."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            s.connect(("127.0.0.1", self.port))  # connected: an ICMP unreachable is reported
            s.send(h.make_query(QNAME, "A").to_wire())
            with self.assertRaises((ConnectionRefusedError, socket.timeout)):
                s.recv(65535)


@unittest.skipUnless(h.ipv6_loopback_works(), "no IPv6 loopback here")
class BothWildcards(WildcardCase):
    LISTEN = ("0.0.0.0", "::")
    READY_ADDRESS = "127.0.0.1"

    def test_each_family_from_its_queried_address(self):
        for addr in ("127.0.0.2", "::1", "127.0.0.1"):
            with self.subTest(addr=addr):
                self.assertAnsweredFrom(addr)
                self.assertToolAnswers("kdig", addr)


# ---------------------------------------------------------------------------------------------
# Addresses beyond loopback, in a namespace of our own


NS_V4 = ("198.18.0.1", "198.18.0.2", "198.19.7.7")
NS_V6 = ("fd00::1", "fd00::2", "fd00:53::2")
NS_LINK_LOCAL = "fe80::53"
NS_PORT = 53  # the namespace is new and ours alone: nothing else can hold a port in it


def root_reason():
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_SYS_ADMIN"
    if shutil.which("ip") is None:
        return "no ip(8) (iproute2)"
    return None


class Namespace(unittest.TestCase):
    """gslbd in a namespace of its own on 0.0.0.0:53 and [::]:53, asked at each of its
    addresses from inside that namespace and from a client namespace at the other end of a veth
    pair. From inside, IPv6 picks the right source unaided (the destination is itself a local
    address); from the client it does not, so both families are put to the test there."""

    @classmethod
    def setUpClass(cls):
        why = root_reason()
        if why:
            print("skipping namespace wildcard test: %s" % why)
            raise unittest.SkipTest(why)
        cls.server_ns = "gslbd-wildcard-%d" % os.getpid()
        cls.client_ns = "gslbd-wildcard-%d-client" % os.getpid()
        cls.dir = tempfile.mkdtemp(prefix="gslbd-wildcard-ns-")
        cls.proc = None
        write_config(cls.dir)
        try:
            cls.setup_namespaces()
            err = open(os.path.join(cls.dir, "stderr.log"), "wb")
            # ip netns exec execs gslbd in place: the PID is gslbd's.
            cls.proc = subprocess.Popen(
                ["ip", "netns", "exec", cls.server_ns, h.binary(), "-c",
                 os.path.join(cls.dir, "main.yaml"), "--listen", "0.0.0.0:%d" % NS_PORT,
                 "--listen", "[::]:%d" % NS_PORT],
                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=cls.dir)
            err.close()
            deadline = time.monotonic() + h.START_TIMEOUT
            while True:
                if cls.proc.poll() is not None:
                    raise RuntimeError("gslbd exited with %d in the namespace"
                                       % cls.proc.returncode)
                p = cls.in_ns(cls.server_ns, ["dig", "@127.0.0.1", "-p", str(NS_PORT), "+tcp",
                                              "+time=1", "+tries=1", QNAME])
                if "status: NOERROR" in p.stdout:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("gslbd did not answer in the namespace")
                time.sleep(0.1)
        except Exception:
            cls.cleanup()
            raise

    @classmethod
    def setup_namespaces(cls):
        for ns in (cls.server_ns, cls.client_ns):
            cls.ip("netns", "add", ns)
            cls.ip("-n", ns, "link", "set", "lo", "up")
        cls.ip("-n", cls.server_ns, "link", "add", "gw0", "type", "veth", "peer", "name", "gw1",
               "netns", cls.client_ns)
        cls.ip("-n", cls.server_ns, "link", "set", "gw0", "up")
        cls.ip("-n", cls.client_ns, "link", "set", "gw1", "up")
        cls.ip("-n", cls.server_ns, "addr", "add", "198.18.0.1/24", "brd", "+", "dev", "gw0")
        for addr in ("198.18.0.2/24", "198.19.7.7/32"):
            cls.ip("-n", cls.server_ns, "addr", "add", addr, "dev", "gw0")
        for addr in ("fd00::1/64", "fd00::2/64", "fd00:53::2/128", NS_LINK_LOCAL + "/64"):
            cls.ip("-n", cls.server_ns, "addr", "add", addr, "dev", "gw0", "nodad")
        cls.ip("-n", cls.client_ns, "addr", "add", "198.18.0.100/24", "brd", "+", "dev", "gw1")
        cls.ip("-n", cls.client_ns, "addr", "add", "fd00::100/64", "dev", "gw1", "nodad")
        cls.ip("-n", cls.client_ns, "route", "add", "198.19.7.7/32", "dev", "gw1")
        cls.ip("-n", cls.client_ns, "route", "add", "fd00:53::2/128", "dev", "gw1")

    @classmethod
    def tearDownClass(cls):
        rc = cls.cleanup()
        if rc != 0:
            raise AssertionError("gslbd exited %s after SIGTERM, expected 0" % rc)

    @classmethod
    def cleanup(cls):
        rc = stop(cls.proc) if cls.proc is not None else 0
        if rc != 0:
            with open(os.path.join(cls.dir, "stderr.log"), "rb") as f:
                sys.stderr.write(f.read().decode("utf-8", "replace"))
        for ns in (cls.server_ns, cls.client_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=15)
        shutil.rmtree(cls.dir, ignore_errors=True)
        return rc

    @classmethod
    def ip(cls, *args):
        subprocess.run(["ip"] + list(args), check=True, capture_output=True, timeout=15)

    @classmethod
    def in_ns(cls, ns, argv):
        return subprocess.run(["ip", "netns", "exec", ns] + argv, capture_output=True,
                              text=True, timeout=15)

    def probe(self, ns, addr):
        p = self.in_ns(ns, [sys.executable, os.path.abspath(__file__), "--probe", addr,
                            str(NS_PORT)])
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def check_probe(self, ns, addr, source=None):
        got = self.probe(ns, addr)
        self.assertEqual(got.get("source"), source or addr, got)
        self.assertEqual(got["port"], NS_PORT, got)
        self.assertEqual(got["rcode"], "NOERROR", got)
        self.assertEqual(got["answer"], EXPECTED, got)
        self.assertEqual(got["nsid"], IDENTITY, got)

    def check_tool(self, ns, tool, addr, tcp=False):
        retry = "+tries=1" if tool == "dig" else "+retry=0"
        argv = [tool, "@" + addr, "-p", str(NS_PORT), "+time=2", retry] + (["+tcp"] if tcp else [])
        p = self.in_ns(ns, argv + [QNAME, "A"])
        answer = h.ToolAnswer(p.stdout)
        what = "%s %s in %s\n%s%s" % (tool, " ".join(argv[1:]), ns, p.stdout, p.stderr)
        self.assertEqual(answer.status, "NOERROR", what)
        self.assertEqual(sorted(r[4] for r in answer.records() if r[3] == "A"), EXPECTED, what)

    def test_answers_from_each_address_inside(self):
        for addr in NS_V4 + NS_V6 + ("127.0.0.1", "::1"):
            with self.subTest(addr=addr):
                self.check_probe(self.server_ns, addr)

    def test_answers_from_each_address_to_a_client_over_veth(self):
        for addr in NS_V4 + NS_V6:
            with self.subTest(addr=addr):
                self.check_probe(self.client_ns, addr)

    def test_dig_and_kdig_accept_the_answers(self):
        for ns, link_local in ((self.server_ns, "%gw0"), (self.client_ns, "%gw1")):
            for addr in NS_V4 + NS_V6 + (NS_LINK_LOCAL + link_local,):
                for tool in ("dig", "kdig"):
                    with self.subTest(ns=ns, addr=addr, tool=tool):
                        self.check_tool(ns, tool, addr)

    def test_a_broadcast_query_is_answered_from_the_interface_address(self):
        """A broadcast destination cannot be a source: the answer names the address the kernel
        picks for replies on that interface (its primary one) instead of being dropped."""
        self.check_probe(self.client_ns, "198.18.0.255", source="198.18.0.1")

    def test_an_all_nodes_query_is_answered_from_an_address_of_the_interface(self):
        """ff02::1 reaches a wildcard socket; a group cannot be a source, so the kernel picks one
        of the interface's own addresses (which one depends on the addresses it has then)."""
        got = self.probe(self.client_ns, "ff02::1%gw1")
        out = subprocess.run(["ip", "-n", self.server_ns, "-6", "-o", "addr", "show", "dev", "gw0"],
                             capture_output=True, text=True, check=True, timeout=10).stdout
        own = {line.split()[3].split("/")[0] for line in out.splitlines() if " inet6 " in line}
        self.assertIn(got.get("source", "").split("%")[0], own, got)
        self.assertEqual((got["port"], got["answer"]), (NS_PORT, EXPECTED), got)

    def test_an_address_added_after_start(self):
        """A wildcard listener serves addresses that did not exist when it started."""
        self.ip("-n", self.server_ns, "addr", "add", "198.18.0.3/24", "dev", "gw0")
        self.ip("-n", self.server_ns, "addr", "add", "fd00::3/64", "dev", "gw0", "nodad")
        for addr in ("198.18.0.3", "fd00::3"):
            with self.subTest(addr=addr):
                self.check_probe(self.client_ns, addr)

    def test_tcp_answers_from_each_address(self):
        for addr in (NS_V4[1], NS_V6[1]):
            with self.subTest(addr=addr):
                self.check_tool(self.client_ns, "dig", addr, tcp=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--probe"]:
        probe_main(sys.argv[2], sys.argv[3])
    else:
        h.main()
