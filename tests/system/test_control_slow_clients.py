# SPDX-License-Identifier: Apache-2.0
"""The control endpoint under slow clients. 72 connections from 127.0.0.1 trickle a request one
octet at a time; /healthz asked from 127.0.0.2 is answered every time while they do; each slow
connection is either closed at once to make room (max_connections_per_source) or answered 408
when its request_timeout runs out, never later, although it keeps sending. The same with 72 slow
sources, one connection each, which fill max_connections: new connections make room by closing
the least recently heard waiting one."""

import http.client
import select
import socket
import time

import control_harness as c
import gslbd_harness as h

SLOW = 72  # more than max_connections (64)
REQUEST_TIMEOUT = 2.0
TICK = 0.1  # one octet per slow connection per tick, far inside idle_timeout
# Generous: sanitizer builds on shared cores.
LATE = 4.0
# The server's deadline starts after the client's first send, but libuv arms timers from the
# loop time cached at the start of an iteration, in whole milliseconds: the deadline can fire a
# few milliseconds before the client's clock says it is due.
EARLY = 0.05


class SlowConnection:
    def __init__(self, port, source):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(5.0)
        self.sock.connect(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.first_octet = time.monotonic()
        self.sock.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        self.reply = b""
        self.closed_at = None

    def trickle(self):
        if self.closed_at is not None:
            return
        try:
            self.sock.send(b"a")
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.read()  # reset or closed: read what came and mark it

    def read(self):
        if self.closed_at is not None:
            return
        try:
            while True:
                data = self.sock.recv(4096)
                if not data:
                    self.close()
                    return
                self.reply += data
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.close()

    def close(self):
        self.closed_at = time.monotonic()
        self.sock.close()

    @property
    def status(self):
        if not self.reply.startswith(b"HTTP/1.1 "):
            return None
        return int(self.reply[9:12])


class SlowClients(h.GslbdTestCase):
    SERVER = h.ServerSpec(control=True, control_extra=[
        "request_timeout: %ds" % REQUEST_TIMEOUT, "idle_timeout: 10s"])

    def healthz_from(self, source):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.control_port, timeout=3.0,
                                          source_address=(source, 0))
        try:
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def metrics(self):
        r = c.request(self.server.control_port, "GET", "/metrics")
        self.assertEqual(r.status, 200, r)
        return c.parse_metrics(r.text)[1]

    def run_slow(self, sources):
        """Opens one slow connection per entry of sources, trickles until every one is closed
        (bounded), asking /healthz from 127.0.0.2 every tick. Returns the connections."""
        slow = [SlowConnection(self.server.control_port, s) for s in sources]
        end = time.monotonic() + REQUEST_TIMEOUT + LATE + 2.0
        probes = 0
        while time.monotonic() < end and any(s.closed_at is None for s in slow):
            for s in slow:
                s.trickle()
            status, body = self.healthz_from("127.0.0.2")
            self.assertEqual((status, body), (200, b"ok\n"), "probe %d" % probes)
            probes += 1
            socks = [s.sock for s in slow if s.closed_at is None]
            readable = select.select(socks, [], [], TICK)[0] if socks else []
            for s in slow:
                if s.closed_at is None and s.sock in readable:
                    s.read()
        still_open = [s for s in slow if s.closed_at is None]
        for s in still_open:
            s.close()
        self.assertEqual(still_open, [], "slow connections still open after the deadline")
        self.assertGreater(probes, REQUEST_TIMEOUT / TICK / 2, "too few probes to mean much")
        return slow

    def check_ends(self, slow):
        """Each slow connection was closed without a response (evicted) or answered 408 at its
        request deadline."""
        timed_out = [s for s in slow if s.status == 408]
        evicted = [s for s in slow if s.reply == b""]
        self.assertEqual(len(timed_out) + len(evicted), len(slow),
                         [s.reply[:80] for s in slow if s.reply and s.status != 408])
        self.assertGreater(len(timed_out), 0)
        for s in timed_out:
            took = s.closed_at - s.first_octet
            self.assertGreaterEqual(took, REQUEST_TIMEOUT - EARLY, "408 before the deadline")
            self.assertLess(took, REQUEST_TIMEOUT + LATE, "closed long after the deadline")
            self.assertIn(b"request timeout", s.reply)
        return timed_out, evicted

    def test_one_source_gets_its_share_and_the_probe_gets_in(self):
        before = self.metrics()
        slow = self.run_slow(["127.0.0.1"] * SLOW)
        timed_out, evicted = self.check_ends(slow)
        self.assertLessEqual(len(timed_out), 8, "more than max_connections_per_source held")
        after = self.metrics()
        key = ("gslbd_control_evictions_total", frozenset({("bound", "per_source")}))
        self.assertGreaterEqual(after[key] - before.get(key, 0), SLOW - 8)
        key = ("gslbd_control_request_timeouts_total", frozenset())
        self.assertEqual(after[key] - before.get(key, 0), len(timed_out))

    def test_many_sources_fill_the_endpoint_and_the_probe_gets_in(self):
        before = self.metrics()
        sources = ["127.0.1.%d" % (i + 1) for i in range(SLOW)]
        slow = self.run_slow(sources)
        timed_out, evicted = self.check_ends(slow)
        self.assertLessEqual(len(timed_out), 64)
        after = self.metrics()
        key = ("gslbd_control_evictions_total", frozenset({("bound", "total")}))
        self.assertGreaterEqual(after[key] - before.get(key, 0), SLOW - 64)


if __name__ == "__main__":
    h.main()
