# SPDX-License-Identifier: Apache-2.0
"""DNS over TCP (RFC 7766): pipelining, the idle timeout and the per-worker connection cap."""

import socket
import time

import dns.message

import gslbd_harness as h

CLOSE_WAIT = 10.0  # bound for seeing the server close a connection (ASan builds are slow)


def closed_by_peer(sock, timeout):
    """Waits up to timeout for EOF or reset. Returns (closed, data_received, elapsed)."""
    start = time.monotonic()
    deadline = start + timeout
    data = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            return True, data, time.monotonic() - start
        if not chunk:
            return True, data, time.monotonic() - start
        data += chunk
    return False, data, time.monotonic() - start


def ask(sock, qname, qid):
    q = h.make_query(qname, "A", qid=qid)
    h.tcp_send_msg(sock, q.to_wire())
    return dns.message.from_wire(h.tcp_read_msg(sock))


class Pipelining(h.GslbdTestCase):
    QUERIES = [("www.example.com.", 300), ("mail.example.com.", 120), ("example.com.", 60),
               ("nx.example.com.", None), ("sip.example.com.", 300), ("alias.example.com.", 100)]

    def test_pipelined_queries_on_one_connection(self):
        with h.tcp_connect(self.server) as s:
            wires = b""
            for i, (qname, _) in enumerate(self.QUERIES):
                wire = h.make_query(qname, "A", qid=0x7000 + i).to_wire()
                wires += len(wire).to_bytes(2, "big") + wire
            s.sendall(wires)  # all at once, back to back
            got = {}
            for _ in self.QUERIES:
                r = dns.message.from_wire(h.tcp_read_msg(s, timeout=5))
                self.assertNotIn(r.id, got, "duplicate answer id %d" % r.id)
                got[r.id] = r
        self.assertEqual(sorted(got), [0x7000 + i for i in range(len(self.QUERIES))])
        for i, (qname, ttl) in enumerate(self.QUERIES):
            r = got[0x7000 + i]
            self.assertEqual(r.question[0].name.to_text(), qname, str(r))
            if ttl is None:
                self.assertRcode(r, "NXDOMAIN", qname)
            else:
                self.assertRcode(r, "NOERROR", qname)
                self.assertEqual(r.answer[0].ttl, ttl, qname)

    def test_sequential_queries_on_one_connection(self):
        with h.tcp_connect(self.server) as s:
            for i in range(20):
                r = ask(s, "www.example.com.", 0x7100 + i)
                self.assertEqual(r.id, 0x7100 + i)
                self.assertRcode(r, "NOERROR")

    def test_query_split_across_segments(self):
        wire = h.make_query("www.example.com.", "A", qid=0x7200).to_wire()
        framed = len(wire).to_bytes(2, "big") + wire
        with h.tcp_connect(self.server) as s:
            for part in (framed[:1], framed[1:5], framed[5:]):
                s.sendall(part)
                time.sleep(0.05)
            r = dns.message.from_wire(h.tcp_read_msg(s))
        self.assertEqual(r.id, 0x7200)
        self.assertRcode(r, "NOERROR")


class IdleTimeout(h.GslbdTestCase):
    SERVER = h.ServerSpec(tcp_idle_timeout="1s")

    def test_idle_connection_closed(self):
        with h.tcp_connect(self.server) as s:
            closed, data, elapsed = closed_by_peer(s, CLOSE_WAIT)
        self.assertTrue(closed, "idle connection still open after %.1f s" % elapsed)
        self.assertEqual(data, b"")
        self.assertGreaterEqual(elapsed, 0.5, "closed after %.2f s, before the 1 s timeout"
                                % elapsed)

    def test_closed_when_idle_after_a_query(self):
        with h.tcp_connect(self.server) as s:
            r = ask(s, "www.example.com.", 0x7300)
            self.assertRcode(r, "NOERROR")
            closed, data, elapsed = closed_by_peer(s, CLOSE_WAIT)
        self.assertTrue(closed, "connection still open %.1f s after its last query" % elapsed)
        self.assertEqual(data, b"")

    def test_activity_keeps_connection_open(self):
        with h.tcp_connect(self.server) as s:
            for i in range(4):  # 4 x 0.4 s: longer than the timeout in all, never idle for it
                time.sleep(0.4)
                r = ask(s, "www.example.com.", 0x7400 + i)
                self.assertRcode(r, "NOERROR", "query %d" % i)


class ConnectionCap(h.GslbdTestCase):
    # A connection may be evicted for a new one only after half the frame timeout in its state
    # (test_tcp_slow_clients.py covers that); a long one keeps both slots here for the test.
    SERVER = h.ServerSpec(workers=4, tcp_max_connections=2, tcp_idle_timeout="60s",
                          args=["--workers", "1"], tcp_extra=["frame_timeout: 1m"])

    def two_working_connections(self):
        """Two answered connections. Earlier ones (the harness's readiness probe) may still be
        counted until the server has seen them close, so this retries for a bounded time."""
        deadline = time.monotonic() + CLOSE_WAIT
        while True:
            first = h.tcp_connect(self.server)
            second = h.tcp_connect(self.server)
            try:
                if ask(first, "www.example.com.", 1).rcode() == 0 and \
                        ask(second, "www.example.com.", 2).rcode() == 0:
                    return first, second
            except (EOFError, ConnectionResetError, socket.timeout):
                pass
            first.close()
            second.close()
            if time.monotonic() > deadline:
                self.fail("could not get two working TCP connections")
            time.sleep(0.2)

    def test_third_connection_closed(self):
        first, second = self.two_working_connections()
        try:
            third = h.tcp_connect(self.server)
            try:
                try:
                    h.tcp_send_msg(third, h.make_query("www.example.com.", "A", qid=3).to_wire())
                except (ConnectionResetError, BrokenPipeError):
                    pass
                closed, data, elapsed = closed_by_peer(third, CLOSE_WAIT)
                self.assertTrue(closed, "third connection still open after %.1f s" % elapsed)
                self.assertEqual(data, b"", "third connection got an answer")
            finally:
                third.close()
            self.assertRcode(ask(first, "mail.example.com.", 4), "NOERROR", "first after cap")
            self.assertRcode(ask(second, "mail.example.com.", 5), "NOERROR", "second after cap")
        finally:
            first.close()
        # the freed slot can be used again (the server notices the close asynchronously)
        deadline = time.monotonic() + CLOSE_WAIT
        ok = False
        while not ok and time.monotonic() < deadline:
            with h.tcp_connect(self.server) as again:
                try:
                    ok = ask(again, "www.example.com.", 6).rcode() == 0
                except (EOFError, ConnectionResetError, socket.timeout):
                    time.sleep(0.2)
        second.close()
        self.assertTrue(ok, "no new connection accepted after one of two was closed")


if __name__ == "__main__":
    h.main()
