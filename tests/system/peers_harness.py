# SPDX-License-Identifier: Apache-2.0
"""Several gslbd instances that know each other as peers: each on its own loopback address
(127.0.0.x) with its DNS listener and control endpoint on ports free there, one fleet token,
and a pool file with members whose tcp checks hit listeners the test owns.

Everything stays on 127.0.0.0/8; every wait is bounded; instances are stopped by their PID.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import dns.message
import dns.query

import gslbd_harness as h
import pool_harness as p

FLEET_TOKEN = "fleet-0123456789abcdefghij"
HTTP_TIMEOUT = 5.0


def free_tcp_udp_port(host):
    """A port free for TCP and UDP on host now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                t.bind((host, 0))
                port = t.getsockname()[1]
                u.bind((host, port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port on %s in 100 tries" % host)


def pool_yaml(members, fall=2, rise=2):
    """Pool 'web' with [(name, address, check port)] members checked by tcp every 200ms."""
    lines = ["version: 1", "checks:",
             p.fast_check("fast").rstrip("\n").replace("    rise: %d" % p.RISE,
                                                        "    rise: %d" % rise)
             .replace("    fall: %d" % p.FALL, "    fall: %d" % fall),
             "pools:", "  - name: web", "    policy: weighted", "    max_records: 8",
             "    members:"]
    for name, address, port in members:
        lines += ["      - name: %s" % name, "        address: %s" % address,
                  "        check_address: 127.0.0.1",
                  "        checks: [{template: fast, port: %d}]" % port]
    return "\n".join(lines) + "\n"


class Instance:
    """One gslbd on `host` (127.0.0.x). peers: [(name, host, control port)]."""

    def __init__(self, name, host, pool_text, token=FLEET_TOKEN):
        self.name = name
        self.host = host
        self.dir = tempfile.mkdtemp(prefix="gslbd-peers-%s-" % name)
        self.port = free_tcp_udp_port(host)
        self.control_port = free_tcp_udp_port(host)
        self.proc = None
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.peers = []
        self.peers_extra = []
        # peers: timing lines; a test that must tell pushes from polls makes the interval long
        self.peers_timing = ["interval: 300ms", "timeout: 250ms", "stale_after: 1s"]
        self.server_extra = []   # lines under server:, indented by two
        self.control_extra = []  # lines under control:, indented by two
        self.write("zone.zone.yaml", p.zone_yaml([("www", "web", "5s", None)]))
        self.write("web.pool.yaml", pool_text)
        self.write("fleet.token", token + "\n")
        os.chmod(os.path.join(self.dir, "fleet.token"), 0o600)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)

    def main_yaml(self):
        lines = ["version: 1", "server:", "  workers: 1", "  identity: %s" % self.name,
                 "  log:", "    level: info"] + ["  " + x for x in self.server_extra] + [
                 "zones:", '  - "*.zone.yaml"', "pools:", '  - "*.pool.yaml"', "control:",
                 '  listen: "%s:%d"' % (self.host, self.control_port)]
        lines += ["  " + x for x in self.control_extra]
        if self.peers:
            lines += ["peers:", "  token_file: fleet.token"]
            lines += ["  " + x for x in self.peers_timing] + ["  instances:"]
            for name, host, port in self.peers:
                lines += ["    - name: %s" % name, "      url: http://%s:%d" % (host, port)]
            lines += ["  " + x for x in self.peers_extra]
        return "\n".join(lines) + "\n"

    def start(self):
        self.write("main.yaml", self.main_yaml())
        err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            [h.binary(), "-c", os.path.join(self.dir, "main.yaml"),
             "--listen", "%s:%d" % (self.host, self.port)],
            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=self.dir)
        err.close()
        deadline = time.monotonic() + h.START_TIMEOUT
        q = dns.message.make_query(p.GSLB_ZONE, "SOA")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gslbd %s exited with %d:\n%s"
                                   % (self.name, self.proc.returncode, self.stderr_text()))
            try:
                dns.query.udp(q, self.host, port=self.port, timeout=0.2)
                with socket.create_connection((self.host, self.control_port), timeout=1.0):
                    pass
                return self
            except (OSError, dns.exception.DNSException):
                time.sleep(0.05)
        raise RuntimeError("gslbd %s did not answer:\n%s" % (self.name, self.stderr_text()))

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(h.STOP_TIMEOUT)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(h.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def get(self, path, token=FLEET_TOKEN):
        """GET path from the control endpoint; (status, body text)."""
        conn = http.client.HTTPConnection(self.host, self.control_port, timeout=HTTP_TIMEOUT)
        try:
            headers = {} if token is None else {"Authorization": "Bearer " + token}
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def post(self, path, token=FLEET_TOKEN, body=None, headers=None):
        """POST path (and body, with more header fields) to the control endpoint; (status,
        body text)."""
        conn = http.client.HTTPConnection(self.host, self.control_port, timeout=HTTP_TIMEOUT)
        try:
            fields = {} if token is None else {"Authorization": "Bearer " + token}
            fields.update(headers or {})
            conn.request("POST", path, body=body, headers=fields)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get_json(self, path, token=FLEET_TOKEN):
        status, body = self.get(path, token)
        if status != 200:
            raise AssertionError("%s %s: HTTP %d %s" % (self.name, path, status, body))
        return json.loads(body)

    def answers(self, qname="www." + p.GSLB_ZONE):
        """The sorted A addresses this instance answers for qname."""
        r = dns.query.udp(dns.message.make_query(qname, "A"), self.host, port=self.port,
                          timeout=h.QUERY_TIMEOUT)
        return sorted(rr.address for rrset in r.answer for rr in rrset)


def wait_for(what, predicate, timeout=p.HEALTH_WAIT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError("timed out after %.0f s waiting for %s (last: %r)"
                         % (timeout, what, last))


def start_fleet(instances):
    """Starts instances, each a peer of every other; returns them."""
    for i in instances:
        i.peers = [(o.name, o.host, o.control_port) for o in instances if o is not i]
    for i in instances:
        i.start()
    return instances


class FleetTest(unittest.TestCase):
    """A test with a listener it owns (self.up: checks against it pass), the instances it
    starts (self.instances, whose stderr is shown when it fails) and the fake peers it starts
    (self.fakes); all are stopped after it."""

    def setUp(self):
        self.up = p.ListenerPeer("127.0.0.1").start()
        self.instances = []
        self.fakes = []

    def tearDown(self):
        for i in self.instances:
            if self._outcome.result.failures or self._outcome.result.errors:
                print("\n--- %s stderr ---\n%s" % (i.name, i.stderr_text()[-4000:]))
            i.cleanup()
        for f in self.fakes:
            f.stop()
        self.up.stop()


class TwoMemberFleetTest(FleetTest):
    """A FleetTest with a pool of members a and b (self.pool), both checked against self.up."""

    def setUp(self):
        super().setUp()
        self.pool = pool_yaml([("a", "192.0.2.1", self.up.port), ("b", "192.0.2.2", self.up.port)])
