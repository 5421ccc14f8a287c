# SPDX-License-Identifier: Apache-2.0
"""The optional query log (server.log.queries / query_rate): the fields of a line, the per-worker
rate limit with its "lines suppressed" report, and switching it off by reload."""

import re
import socket
import time
import unittest

import dns.message
import dns.name
import dns.rcode

import gslbd_harness as h

LINE = re.compile(r"query client=(\S+) proto=(udp|tcp) qname=(\S+) qtype=(\S+) rcode=(\S+) "
                  r"size=(\d+)( tc)? us=(\d+)")
SUPPRESSED = re.compile(r"query log: (\d+) lines suppressed")
WAIT = 5.0  # bound for a line to appear in stderr (sanitizer builds are slow)


class QueryLogSpec(h.ServerSpec):
    """A ServerSpec whose main file also sets log.queries and log.query_rate."""

    def __init__(self, queries=True, query_rate=None, **kwargs):
        super().__init__(**kwargs)
        self.log_queries = queries
        self.query_rate = query_rate

    def main_yaml(self, *args, **kwargs):
        text = super().main_yaml(*args, **kwargs)
        extra = "    queries: %s\n" % ("true" if self.log_queries else "false")
        if self.query_rate is not None:
            extra += "    query_rate: %d\n" % self.query_rate
        marker = "    level: info\n"
        assert marker in text
        return text.replace(marker, marker + extra, 1)


def log_lines(server, qname):
    """The query log lines for qname (compared as written: the case the client sent)."""
    return [m for m in LINE.finditer(server.stderr_text()) if m.group(3) == qname]


def wait_lines(server, qname, count):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = log_lines(server, qname)
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError("no query log line for %s within %.0f s" % (qname, WAIT))


class Fields(h.GslbdTestCase):
    SERVER = QueryLogSpec(query_rate=1000)

    def test_udp_answer(self):
        q = h.make_query("WwW.Example.COM.", "A")
        reply = h.udp_raw(self.server, q.to_wire())
        self.assertIsNotNone(reply)
        (m,) = wait_lines(self.server, "WwW.Example.COM.", 1)
        self.assertEqual(m.group(1), "127.0.0.1")
        self.assertEqual(m.group(2), "udp")
        self.assertEqual(m.group(4), "A")
        self.assertEqual(m.group(5), "NOERROR")
        self.assertEqual(int(m.group(6)), len(reply))
        self.assertIsNone(m.group(7))
        self.assertLess(int(m.group(8)), 1_000_000)

    def test_tcp_nxdomain(self):
        q = h.make_query("nothing-here.example.com.", "MX")
        reply = h.tcp_raw(self.server, q.to_wire())
        self.assertEqual(dns.message.from_wire(reply).rcode(), dns.rcode.NXDOMAIN)
        (m,) = wait_lines(self.server, "nothing-here.example.com.", 1)
        self.assertEqual(m.group(2), "tcp")
        self.assertEqual(m.group(4), "MX")
        self.assertEqual(m.group(5), "NXDOMAIN")
        self.assertEqual(int(m.group(6)), len(reply))

    def test_refused_and_unlisted_type(self):
        q = h.make_query("qlog.not-ours.example.org.", 65280)  # private use: no name
        reply = h.udp_raw(self.server, q.to_wire())
        self.assertIsNotNone(reply)
        (m,) = wait_lines(self.server, "qlog.not-ours.example.org.", 1)
        self.assertEqual(m.group(4), "TYPE65280")
        self.assertEqual(m.group(5), "REFUSED")

    def test_escaped_label(self):
        name = dns.name.Name([b"a.b", b"sp ace", b"example", b"com", b""])
        q = dns.message.make_query(name, "A", use_edns=False)
        reply = h.udp_raw(self.server, q.to_wire())
        self.assertIsNotNone(reply)
        (m,) = wait_lines(self.server, r"a\.b.sp\032ace.example.com.", 1)
        self.assertEqual(m.group(5), "NXDOMAIN")

    def test_ipv6_client(self):
        if not self.server.v6:
            self.skipTest("no IPv6 loopback")
        h.udp(self.server, h.make_query("v6.example.com.", "AAAA"), v6=True)
        (m,) = wait_lines(self.server, "v6.example.com.", 1)
        self.assertEqual(m.group(1), "::1")
        self.assertEqual(m.group(4), "AAAA")


class RateLimit(h.GslbdTestCase):
    SERVER = QueryLogSpec(query_rate=5, workers=1)
    BURST = 200

    def test_burst_is_cut_to_the_rate(self):
        time.sleep(1.2)  # the start-up probes took tokens: let the bucket fill again
        name = "burst.example.com."
        wire = h.make_query(name, "A").to_wire()
        replies = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.settimeout(2.0)
            for _ in range(self.BURST):
                s.sendto(wire, ("127.0.0.1", self.server.port))
            try:
                while replies < self.BURST:
                    s.recv(4096)
                    replies += 1
            except socket.timeout:
                pass
        self.assertGreater(replies, self.BURST // 2)
        # The suppressed count is reported within about a second of the burst.
        deadline = time.monotonic() + WAIT
        suppressed = 0
        while time.monotonic() < deadline:
            suppressed = sum(int(x) for x in SUPPRESSED.findall(self.server.stderr_text()))
            logged = len(log_lines(self.server, name))
            if logged + suppressed >= replies:
                break
            time.sleep(0.05)
        logged = len(log_lines(self.server, name))
        self.assertGreaterEqual(logged, 1)
        self.assertLessEqual(logged, 10)
        self.assertGreater(suppressed, 0)
        # Every answered query was either logged or counted (queries the kernel dropped were
        # neither answered nor counted).
        self.assertGreaterEqual(logged + suppressed, replies)
        self.assertLessEqual(logged + suppressed, self.BURST)
        # The server still answers.
        self.assertEqual(h.udp(self.server, h.make_query("www.example.com.")).rcode(), 0)


class Reload(h.GslbdTestCase):
    SERVER = QueryLogSpec(query_rate=1000)

    def test_reload_turns_it_off(self):
        h.udp(self.server, h.make_query("before.example.com."))
        wait_lines(self.server, "before.example.com.", 1)
        self.server.spec.log_queries = False
        try:
            self.server.write_config()
            self.server.reload_and_wait()
            h.udp(self.server, h.make_query("after.example.com."))
            h.tcp(self.server, h.make_query("after.example.com."))
            h.udp(self.server, h.make_query("marker.example.com."))
            time.sleep(0.3)
            self.assertEqual(log_lines(self.server, "after.example.com."), [])
            self.assertEqual(log_lines(self.server, "marker.example.com."), [])
        finally:
            self.server.spec.log_queries = True


class OffByDefault(h.GslbdTestCase):
    SERVER = h.ServerSpec()

    def test_no_lines(self):
        h.udp(self.server, h.make_query("www.example.com."))
        h.tcp(self.server, h.make_query("www.example.com."))
        time.sleep(0.3)
        self.assertIsNone(LINE.search(self.server.stderr_text()))


if __name__ == "__main__":
    unittest.main()
