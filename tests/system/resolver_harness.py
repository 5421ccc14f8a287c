# SPDX-License-Identifier: Apache-2.0
"""Resolver helpers: a real unbound run the same way for every test that needs one
(UnboundProcess: its config checked by unbound-checkconf, a port taken meanwhile retried,
stopped by its PID); for members given by host name, one on 127.0.0.1 serving a local-data
zone cloud.test. (changed during a run with unbound-control), a UDP relay in front of it that
can lose replies on request, and TCP listeners sharing one port on several loopback addresses
(a member's check has one port), and a mixin for test classes whose peers keep files in a
temporary folder. Everything stays on 127.0.0.0/8; every wait is bounded.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
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


def sbin_tool(name):
    """The path of an unbound program: on PATH, else where Debian installs it."""
    return shutil.which(name) or "/usr/sbin/" + name


def read_tail(path, limit=20000):
    """The last `limit` characters of a file, or "" when it cannot be read."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        return data[-limit:].decode("utf-8", "replace")
    except OSError:
        return ""


class UnboundProcess:
    """A real unbound in the foreground (-d) with its files in workdir/unbound, checked by
    unbound-checkconf before it starts and stopped by its PID. A subclass gives config_text(),
    pick_ports() (self.port and whatever else its config listens on) and not_ready()."""

    START_TIMEOUT = UNBOUND_START_TIMEOUT

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "unbound")
        os.mkdir(self.dir)
        self.conf = os.path.join(self.dir, "unbound.conf")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.port = None
        self.proc = None

    def config_text(self):
        raise NotImplementedError

    def pick_ports(self):
        raise NotImplementedError

    def not_ready(self):
        """None once unbound serves what the test needs, else why not yet."""
        raise NotImplementedError

    def start(self):
        exe = sbin_tool("unbound")
        if not os.path.exists(exe):
            raise RuntimeError("unbound is not installed (tools/install-deps installs it)")
        checkconf = sbin_tool("unbound-checkconf")
        last = None
        for _attempt in range(3):  # a port taken between picking and binding is retried
            self.pick_ports()
            with open(self.conf, "w") as f:
                f.write(self.config_text())
            if os.path.exists(checkconf):
                c = subprocess.run([checkconf, self.conf], capture_output=True, text=True,
                                   timeout=15)
                if c.returncode != 0:
                    raise RuntimeError("unbound-checkconf rejects the test's config:\n%s%s\n%s"
                                       % (c.stdout, c.stderr, self.config_text()))
            with open(self.stderr_path, "ab") as err:
                self.proc = subprocess.Popen([exe, "-d", "-c", self.conf], stdout=err,
                                             stderr=err, stdin=subprocess.DEVNULL, cwd=self.dir)
            try:
                self.wait_ready()
                return self
            except RuntimeError as e:
                last = e
                self.stop()
                if "in use" not in self.output():
                    break
        raise RuntimeError("unbound could not start: %s\nconfig:\n%s%s"
                           % (last, self.config_text(), self.output()))

    def wait_ready(self):
        deadline = time.monotonic() + self.START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("unbound exited with %d during startup" % self.proc.returncode)
            last = self.not_ready()
            if last is None:
                return
            time.sleep(0.1)
        raise RuntimeError("unbound was not ready within %.0f s: %s" % (self.START_TIMEOUT, last))

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
        """unbound's stderr (its log, unless config_text() names a logfile)."""
        return "--- unbound stderr ---\n%s" % read_tail(self.stderr_path)


class LocalUnbound(UnboundProcess):
    """unbound on 127.0.0.1 (a free port) answering the local-data zone cloud.test. from
    `records`, with remote control on another free port."""

    def __init__(self, workdir, records):
        super().__init__(workdir)
        self.records = list(records)
        self.control_port = None

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

    def pick_ports(self):
        self.port = h.free_port(False)
        self.control_port = h.free_tcp_port(avoid=(self.port,))

    def not_ready(self):
        r = self.control("status")
        return None if r.returncode == 0 else r.stdout + r.stderr

    def control(self, *args):
        return subprocess.run([sbin_tool("unbound-control"), "-c", self.conf] + list(args),
                              capture_output=True, text=True, timeout=15)

    def control_ok(self, *args):
        r = self.control(*args)
        if r.returncode != 0 or "ok" not in r.stdout:
            raise AssertionError("unbound-control %s: %s%s" % (args, r.stdout, r.stderr))


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


class FolderPeers:
    """Mixin for a pool_harness.PoolTestCase whose peers keep files in a temporary folder,
    cls.tmp: peers_in_folder() makes it and starts the peers, stopping the ones started when one
    fails; the folder is removed after the peers are stopped."""

    tmp = None

    @classmethod
    def peers_in_folder(cls, prefix, start):
        """Makes cls.tmp, then start(started) starts the peers, appending each to started as it
        runs; returns them."""
        cls.tmp = tempfile.mkdtemp(prefix=prefix)
        started = []
        try:
            start(started)
        except Exception:
            for peer in started:
                peer.stop()
            cls.remove_folder()
            raise
        return started

    @classmethod
    def remove_folder(cls):
        if cls.tmp is not None:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            cls.tmp = None

    @classmethod
    def stop_peers(cls):
        """After the peers (at teardown, or when set-up fails), the folder they used."""
        try:
            super().stop_peers()
        finally:
            cls.remove_folder()


class ReplyDropper(p.SocketThread):
    """A UDP relay on 127.0.0.1 (a free port) in front of a resolver: each query goes to the
    resolver, each reply back to the client, except while drop_next(n) has replies left to
    lose (counted in self.dropped) or drop_all() is on. One thread, one query at a time."""

    def __init__(self, upstream_port, upstream_timeout=1.0):
        super().__init__()
        self.upstream = ("127.0.0.1", upstream_port)
        self.upstream_timeout = upstream_timeout
        self.queries = 0
        self.dropped = 0
        self._to_drop = 0
        self._drop_all = False

    def open_socket(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        return s

    def drop_next(self, n):
        with self._lock:
            self._to_drop = n

    def drop_all(self, on):
        with self._lock:
            self._drop_all = on

    def on_readable(self):
        try:
            query, client = self._sock.recvfrom(65535)
        except OSError:
            return
        with self._lock:
            self.queries += 1
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
            up.settimeout(self.upstream_timeout)
            try:
                up.sendto(query, self.upstream)
                reply, _ = up.recvfrom(65535)
            except OSError:
                return
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
