# SPDX-License-Identifier: Apache-2.0
"""Resolver helpers for members given by host name: a real unbound on 127.0.0.1 serving a
local-data zone cloud.test. (changed during a run with unbound-control), a UDP relay in front of
it that can lose replies on request, and TCP listeners sharing one port on several loopback
addresses (a member's check has one port). Everything stays on 127.0.0.0/8; every wait is
bounded; unbound is stopped by its PID.
"""

import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import dns.rdatatype

import gslbd_harness as h
import pool_harness as p

UNBOUND_START_TIMEOUT = 15.0


def rrsets(r, rtype):
    return [rr for rr in r.answer if dns.rdatatype.to_text(rr.rdtype) == rtype]


def cname_targets(r):
    """The targets of the CNAMEs in a reply's answer section."""
    return [x.target.to_text() for rr in rrsets(r, "CNAME") for x in rr]


class LocalUnbound:
    """A real unbound in the foreground on 127.0.0.1 (a free port) answering the local-data
    zone cloud.test. from `records`, with remote control on another free port."""

    def __init__(self, workdir, records):
        self.dir = os.path.join(workdir, "unbound")
        os.mkdir(self.dir)
        self.records = list(records)
        self.conf = os.path.join(self.dir, "unbound.conf")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.port = None
        self.control_port = None
        self.proc = None

    def config_text(self):
        lines = ["server:",
                 "    interface: 127.0.0.1",
                 "    port: %d" % self.port,
                 "    do-ip6: no",
                 "    num-threads: 1",
                 "    so-reuseport: no",
                 "    do-daemonize: no",
                 "    access-control: 127.0.0.0/8 allow",
                 '    chroot: ""',
                 '    username: ""',
                 '    directory: "%s"' % self.dir,
                 '    pidfile: "%s"' % os.path.join(self.dir, "unbound.pid"),
                 '    logfile: ""',
                 "    use-syslog: no",
                 "    verbosity: 1",
                 '    module-config: "iterator"',
                 '    local-zone: "cloud.test." static']
        lines += ['    local-data: "%s"' % rr for rr in self.records]
        lines += ["remote-control:",
                  "    control-enable: yes",
                  "    control-interface: 127.0.0.1",
                  "    control-port: %d" % self.control_port,
                  "    control-use-cert: no"]
        return "\n".join(lines) + "\n"

    def start(self):
        exe = shutil.which("unbound") or "/usr/sbin/unbound"
        if not os.path.exists(exe):
            raise RuntimeError("unbound is not installed (tools/install-deps installs it)")
        last = None
        for _attempt in range(3):  # a port taken between picking and binding is retried
            self.port = h.free_port(False)
            self.control_port = h.free_tcp_port(avoid=(self.port,))
            with open(self.conf, "w") as f:
                f.write(self.config_text())
            with open(self.stderr_path, "ab") as err:
                self.proc = subprocess.Popen([exe, "-d", "-c", self.conf], stdout=err, stderr=err,
                                             stdin=subprocess.DEVNULL, cwd=self.dir)
            try:
                self.wait_ready()
                return self
            except RuntimeError as e:
                last = e
                self.stop()
        raise RuntimeError("unbound could not start: %s\n%s" % (last, self.output()))

    def wait_ready(self):
        deadline = time.monotonic() + UNBOUND_START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("unbound exited with %d" % self.proc.returncode)
            r = self.control("status")
            if r.returncode == 0:
                return
            last = r.stdout + r.stderr
            time.sleep(0.1)
        raise RuntimeError("unbound did not come up within %.0f s: %s"
                           % (UNBOUND_START_TIMEOUT, last))

    def control(self, *args):
        exe = shutil.which("unbound-control") or "/usr/sbin/unbound-control"
        return subprocess.run([exe, "-c", self.conf] + list(args), capture_output=True,
                              text=True, timeout=15)

    def control_ok(self, *args):
        r = self.control(*args)
        if r.returncode != 0 or "ok" not in r.stdout:
            raise AssertionError("unbound-control %s: %s%s" % (args, r.stdout, r.stderr))

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(h.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(h.STOP_TIMEOUT)

    def output(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


def listeners_on_one_port(hosts, make=p.ListenerPeer):
    """Peers made by make(host) (ListenerPeers unless told) on each host, all on the same port
    (a member's check has one port)."""
    for _ in range(50):
        first = make(hosts[0]).start()
        peers = [first]
        try:
            for host in hosts[1:]:
                peer = make(host)
                peer.port = first.port
                peers.append(peer.start())
            return peers
        except OSError:
            for peer in peers:
                peer.stop()
    raise RuntimeError("no port free on all of %s" % (hosts,))


class ReplyDropper:
    """A UDP relay on 127.0.0.1 (a free port) in front of a resolver: each query goes to the
    resolver, each reply back to the client, except while drop_next(n) has replies left to
    lose (counted in self.dropped) or drop_all() is on. One thread, one query at a time."""

    def __init__(self, upstream_port, upstream_timeout=1.0):
        self.upstream = ("127.0.0.1", upstream_port)
        self.upstream_timeout = upstream_timeout
        self.port = None
        self.queries = 0
        self.dropped = 0
        self._to_drop = 0
        self._drop_all = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = None
        self._thread = None

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def drop_next(self, n):
        with self._lock:
            self._to_drop = n

    def drop_all(self, on):
        with self._lock:
            self._drop_all = on

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
            if not ready:
                continue
            try:
                query, client = self._sock.recvfrom(65535)
            except OSError:
                continue
            with self._lock:
                self.queries += 1
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                up.settimeout(self.upstream_timeout)
                try:
                    up.sendto(query, self.upstream)
                    reply, _ = up.recvfrom(65535)
                except OSError:
                    continue
            with self._lock:
                lose = self._drop_all or self._to_drop > 0
                if lose:
                    self.dropped += 1
                    if self._to_drop > 0:
                        self._to_drop -= 1
            if not lose:
                try:
                    self._sock.sendto(reply, client)
                except OSError:
                    pass
