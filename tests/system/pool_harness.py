# SPDX-License-Identifier: Apache-2.0
"""Pool system-test helpers: real health-check peers on loopback and a test case that runs gslbd
with generated pool and zone files pointing at them.

Peers listen on 127.0.0.x addresses on ports the kernel picks; nothing here ever connects
outside 127.0.0.0/8. Members' answered addresses are documentation addresses (192.0.2.x,
2001:db8::x) that are never contacted. Every wait is bounded.
"""

import http.server
import select
import socket
import socketserver
import threading
import time

import dns.edns
import dns.rcode
import dns.rdatatype

import gslbd_harness as h

GSLB_ZONE = "gslb.example."
HEALTH_WAIT = 15.0  # generous: ASan builds are several times slower

# Check timings most tests use: interval 200ms, timeout 100ms, rise 2, fall 2.
INTERVAL = 0.2
RISE = 2
FALL = 2


def fast_check(name, kind="tcp", port=None, **extra):
    """A check template in YAML (one list item under `checks:`). tcp and agent templates need a
    port (the loader insists); members override it with their peer's port."""
    if port is None and kind in ("tcp", "agent"):
        port = 9  # discard: members always override it
    lines = ["  - name: %s" % name, "    type: %s" % kind, "    interval: 200ms",
             "    timeout: 100ms", "    rise: %d" % RISE, "    fall: %d" % FALL, "    jitter: 0"]
    if port is not None:
        lines.append("    port: %d" % port)
    for key, value in extra.items():
        lines.append("    %s: %s" % (key, value))
    return "\n".join(lines) + "\n"


def zone_yaml(services):
    """A zone gslb.example. with services [(name, pool, ttl, degraded_ttl or None)]."""
    lines = ["version: 1", "zone: gslb.example", "default_ttl: 1h", "soa:",
             "  mname: ns1.example.com.", "  rname: hostmaster.example.com.", "  serial: 1",
             "  minimum: 5m", "ns:", "  - ns1.example.com.", "services:"]
    for name, pool, ttl, degraded in services:
        lines += ["  - name: %s" % name, "    pool: %s" % pool, "    ttl: %s" % ttl]
        if degraded is not None:
            lines.append("    degraded_ttl: %s" % degraded)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Peers


class SocketThread:
    """One socket served by one thread: start() opens it (open_socket()) and starts the thread,
    which calls on_readable() each time the socket can be read; stop() ends the thread and
    closes the socket. The thread waits at most 50 ms at a time, so stop() is prompt."""

    def __init__(self):
        self.port = 0
        self._sock = None
        self._thread = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def open_socket(self):
        raise NotImplementedError

    def on_readable(self):
        raise NotImplementedError

    def start(self):
        self._sock = self.open_socket()
        self.port = self._sock.getsockname()[1]
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._sock is None:
            return
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
        self._sock = None

    def _loop(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self._sock], [], [], 0.05)
            if ready:
                self.on_readable()


class ListenerPeer(SocketThread):
    """A TCP listener on host:port; stop() closes it (connects are then refused), start()
    listens again on the same port. Counts the connections it accepted."""

    def __init__(self, host="127.0.0.2"):
        super().__init__()
        self.host = host
        self.accepted = 0

    def open_socket(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.host, self.port))
        s.listen(64)
        return s

    def listening(self):
        return self._sock is not None

    def on_readable(self):
        try:
            conn, _ = self._sock.accept()
        except OSError:
            return
        with self._lock:
            self.accepted += 1
        try:
            conn.settimeout(1.0)
            self.serve(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def serve(self, conn):
        """Plain TCP target: accept and close."""


class AgentPeer(ListenerPeer):
    """HAProxy agent-check target: sends `reply` (one line) on each connection and closes."""

    def __init__(self, host="127.0.0.2", reply="up\n"):
        super().__init__(host)
        self.reply = reply

    def serve(self, conn):
        conn.sendall(self.reply.encode())


class HttpPeer:
    """An HTTP server on host:port answering every request with `status` and `body`, and
    recording (method, path, Host header, X-Check header) of each request."""

    def __init__(self, host="127.0.0.2", status=200, body="ok"):
        self.host = host
        self.status = status
        self.body = body
        self.requests = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                peer.requests.append((self.command, self.path, self.headers.get("Host"),
                                      self.headers.get("X-Check")))
                data = peer.body.encode()
                self.send_response(peer.status)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def refused_port(host="127.0.0.9"):
    """A socket bound on host but not listening: its port refuses connections while it lives."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, 0))
    return s


# ---------------------------------------------------------------------------------------------
# Test case


def ecs(address, prefix):
    return dns.edns.ECSOption(address, prefix, 0)


class PoolTestCase(h.GslbdTestCase):
    """Runs gslbd with example.com (for the harness's readiness probe) and the files that
    config() returns; peers() starts the health targets first (their ports go into config)."""

    WORKERS = 1
    CLIENT_SUBNET = None
    # the control endpoint (see gslbd_harness.ServerSpec): off unless a test turns it on
    CONTROL = False
    TOKEN = None
    CONTROL_FLAG = False
    CONTROL_EXTRA = ()
    SERVER_EXTRA = ()  # more `server:` lines of the main file
    peer_list = ()

    @classmethod
    def peers(cls):
        """Starts the peers; returns them as a list (stopped in tearDownClass)."""
        return []

    @classmethod
    def config(cls):
        """Returns (zone text, {pool file name: text})."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.peer_list = cls.peers()
        try:
            zone, pools = cls.config()
            files = {"gslb.example.zone.yaml": zone}
            files.update(pools)
            cls.SERVER = h.ServerSpec(workers=cls.WORKERS, zones=["example.com.zone.yaml"],
                                      pools=["*.pool.yaml"], files=files,
                                      client_subnet=cls.CLIENT_SUBNET, control=cls.CONTROL,
                                      token=cls.TOKEN, control_flag=cls.CONTROL_FLAG,
                                      control_extra=cls.CONTROL_EXTRA,
                                      server_extra=cls.SERVER_EXTRA)
            super().setUpClass()
        except Exception:
            cls.stop_peers()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stop_peers()

    @classmethod
    def stop_peers(cls):
        for p in cls.peer_list:
            try:
                p.stop()
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass

    # --- queries
    def query(self, name, qtype="A", subnet=None, source=None, tcp=False):
        """One query (EDNS0, with an ECS option when subnet=(address, prefix))."""
        options = [ecs(*subnet)] if subnet else []
        q = h.make_query(name + "." + GSLB_ZONE, qtype, edns=0, options=options)
        where = "::1" if source and ":" in source else "127.0.0.1"
        if tcp:
            return h.dns.query.tcp(q, where, port=self.server.port, timeout=h.QUERY_TIMEOUT,
                                   source=source)
        return h.dns.query.udp(q, where, port=self.server.port, timeout=h.QUERY_TIMEOUT,
                               source=source)

    @staticmethod
    def addresses(r):
        return sorted(x.to_text() for rr in r.answer for x in rr)

    def answer(self, name, qtype="A", **kwargs):
        r = self.query(name, qtype, **kwargs)
        self.assertRcode(r, "NOERROR", "%s %s" % (name, qtype))
        return self.addresses(r)

    @staticmethod
    def scope_of(r):
        """The ECS scope prefix of a reply, or None when it carries no ECS option."""
        for o in r.options:
            if o.otype == dns.edns.ECS:
                return o.scopelen
        return None

    def wait_answer(self, name, want, qtype="A", timeout=HEALTH_WAIT, **kwargs):
        """Polls until the answer set equals want (a sorted list); returns the seconds taken."""
        start = time.monotonic()
        deadline = start + timeout
        got = None
        while time.monotonic() < deadline:
            got = self.answer(name, qtype, **kwargs)
            if got == sorted(want):
                return time.monotonic() - start
            time.sleep(0.02)
        self.fail("%s %s: answer still %s after %.0f s, expected %s"
                  % (name, qtype, got, timeout, sorted(want)))

    def ttl_of(self, name, qtype="A"):
        r = self.query(name, qtype)
        self.assertRcode(r, "NOERROR", "%s %s" % (name, qtype))
        self.assertEqual(len(r.answer), 1, "one RRset\n%s" % r)
        return r.answer[0].ttl

    def wait_ttl(self, name, ttl, qtype="A", timeout=HEALTH_WAIT):
        """Polls until the answer's TTL is ttl (the service ttl: every member serving)."""
        self.wait_until("%s %s answered with TTL %d" % (name, qtype, ttl),
                        lambda: self.ttl_of(name, qtype) == ttl, timeout)

    def wait_until(self, what, predicate, timeout=HEALTH_WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        self.fail("%s: not reached within %.0f s" % (what, timeout))

    def shares(self, name, n, qtype="A", **kwargs):
        """Counts each address over n queries: {address: count}."""
        counts = {}
        for _ in range(n):
            for a in self.answer(name, qtype, **kwargs):
                counts[a] = counts.get(a, 0) + 1
        return counts

    def rcode_text(self, r):
        return dns.rcode.to_text(r.rcode())

    def rrtype(self, rr):
        return dns.rdatatype.to_text(rr.rdtype)


def main():
    h.main()
