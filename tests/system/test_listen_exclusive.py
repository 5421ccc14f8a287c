# SPDX-License-Identifier: Apache-2.0
"""A listen address is served by one gslbd alone: a second gslbd on the same address, gslbd next
to another process's SO_REUSEPORT socket (a Python socket, a real unbound), and gslbd on a
wildcard address overlapping a held specific one all refuse to start (exit 1, one line naming
the address and the holder), where SO_REUSEPORT would otherwise have let the kernel split the
traffic. Two instances started at the same moment: exactly one serves. A restart right after
a stop, with TCP connections of the old run in TIME_WAIT, still starts."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import dns.message
import dns.query

import gslbd_harness as h

# Lock files of every gslbd this test starts go here (and the instances agree on it).
LOCK_DIR = tempfile.mkdtemp(prefix="gslbd-locks-")
os.environ["RUNTIME_DIRECTORY"] = LOCK_DIR
REFUSE_TIMEOUT = 10.0
CRITICAL = re.compile(r"^\S+ critical (.*)$", re.M)

# A process holding port PORT on ADDRESS with SO_REUSEPORT (udp or tcp), as unbound and other
# servers do; prints "ready" once bound and sleeps until killed.
HOLDER = textwrap.dedent("""
    import socket, sys, time
    kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((sys.argv[2], int(sys.argv[3])))
    if kind == socket.SOCK_STREAM:
        s.listen()
    print("ready", flush=True)
    time.sleep(120)
""")


def config_dir():
    server = h.Server(h.ServerSpec(zones=["example.com.zone.yaml"], v6=False))
    return server


def run_refused(testcase, main_path, listen, *extra):
    """Runs gslbd on listen; asserts it exits 1 (bounded) with one critical line; returns it."""
    cmd = [h.binary(), "-c", main_path, "--listen", listen] + list(extra)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        _, err = proc.communicate(timeout=REFUSE_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate(timeout=h.STOP_TIMEOUT)
        testcase.fail("gslbd on %s started beside another holder\n%s" % (listen, err))
    testcase.assertEqual(proc.returncode, 1, err)
    lines = CRITICAL.findall(err)
    testcase.assertEqual(len(lines), 1, err)
    return lines[0]


class Holder:
    """A SO_REUSEPORT socket in another process."""

    def __init__(self, kind, address, port):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, kind, address, str(port)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError("holder did not bind %s %s:%d" % (kind, address, port))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(h.STOP_TIMEOUT)
        self.proc.stdout.close()


class SecondInstance(h.GslbdTestCase):
    SERVER = h.ServerSpec(zones=["example.com.zone.yaml"], v6=False)

    def test_same_address_refused(self):
        listen = "127.0.0.1:%d" % self.server.port
        line = run_refused(self, self.server.main_path, listen)
        self.assertIn("udp " + listen, line)
        self.assertIn("gslbd (pid %d)" % self.server.proc.pid, line)
        # the first one still answers every query (no traffic went to a second one)
        for _ in range(20):
            self.assertEqual(self.udp(h.ZONE, "SOA").rcode(), 0)

    def test_wildcard_over_held_address_refused(self):
        line = run_refused(self, self.server.main_path, "0.0.0.0:%d" % self.server.port)
        self.assertIn("0.0.0.0:%d" % self.server.port, line)
        self.assertIn("gslbd (pid %d)" % self.server.proc.pid, line)

    def test_lock_file_in_runtime_directory(self):
        self.assertTrue(os.path.exists(os.path.join(LOCK_DIR, "listen-%d.lock" % self.server.port)),
                        os.listdir(LOCK_DIR))


class OtherProcess(unittest.TestCase):
    def setUp(self):
        self.server = config_dir()
        self.addCleanup(self.server.cleanup)

    def holder(self, kind, address, port):
        holder = Holder(kind, address, port)
        self.addCleanup(holder.stop)
        return holder

    def test_reuseport_udp_socket_refused(self):
        port = h.free_port(False)
        holder = self.holder("udp", "127.0.0.1", port)
        line = run_refused(self, self.server.main_path, "127.0.0.1:%d" % port)
        self.assertIn("udp 127.0.0.1:%d is already in use by" % port, line)
        self.assertIn("(pid %d)" % holder.proc.pid, line)

    def test_reuseport_tcp_listener_refused(self):
        port = h.free_port(False)
        holder = self.holder("tcp", "127.0.0.1", port)
        line = run_refused(self, self.server.main_path, "127.0.0.1:%d" % port)
        self.assertIn("tcp 127.0.0.1:%d is already in use by" % port, line)
        self.assertIn("(pid %d)" % holder.proc.pid, line)

    def test_wildcard_over_reuseport_socket_refused(self):
        port = h.free_port(False)
        holder = self.holder("udp", "127.0.0.1", port)
        line = run_refused(self, self.server.main_path, "0.0.0.0:%d" % port)
        self.assertIn("udp 0.0.0.0:%d" % port, line)
        self.assertIn("(pid %d)" % holder.proc.pid, line)

    def test_other_address_same_port_starts(self):
        # 127.0.0.2:P held does not overlap 127.0.0.1:P: gslbd serves beside it
        port = h.free_port(False)
        self.holder("udp", "127.0.0.2", port)
        cmd = [h.binary(), "-c", self.server.main_path, "--listen", "127.0.0.1:%d" % port]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        try:
            q = dns.message.make_query(h.ZONE, "SOA")
            deadline = time.monotonic() + h.START_TIMEOUT
            answered = False
            while time.monotonic() < deadline and proc.poll() is None and not answered:
                try:
                    dns.query.udp(q, "127.0.0.1", port=port, timeout=0.2)
                    answered = True
                except Exception:
                    time.sleep(0.05)
            self.assertTrue(answered, "gslbd did not serve 127.0.0.1:%d" % port)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=h.STOP_TIMEOUT)
        self.assertEqual(proc.returncode, 0)


@unittest.skipUnless(shutil.which("unbound"), "unbound is not installed")
class BesideUnbound(unittest.TestCase):
    def test_unbound_with_so_reuseport_refused(self):
        server = config_dir()
        self.addCleanup(server.cleanup)
        port = h.free_port(False)
        conf = os.path.join(server.dir, "unbound.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "server:",
                "    interface: 127.0.0.1",
                "    port: %d" % port,
                "    do-ip6: no",
                "    num-threads: 2",
                "    so-reuseport: yes",
                "    do-daemonize: no",
                '    chroot: ""',
                '    username: ""',
                '    pidfile: ""',
                '    directory: "%s"' % server.dir,
                "    use-syslog: no",
                '    logfile: ""',
                "    access-control: 127.0.0.0/8 allow",
                "    local-zone: \"test.\" static",
                "remote-control:",
                "    control-enable: no",
                ""]))
        unbound = subprocess.Popen(["unbound", "-d", "-c", conf], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)

        def stop_unbound():
            unbound.terminate()
            try:
                unbound.wait(h.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                unbound.kill()
                unbound.wait(h.STOP_TIMEOUT)
            unbound.stderr.close()
        self.addCleanup(stop_unbound)
        q = dns.message.make_query("test.", "SOA")
        deadline = time.monotonic() + h.START_TIMEOUT
        while True:
            self.assertIsNone(unbound.poll(), "unbound exited")
            try:
                dns.query.udp(q, "127.0.0.1", port=port, timeout=0.2)
                break
            except Exception:
                if time.monotonic() > deadline:
                    self.fail("unbound did not answer on 127.0.0.1:%d" % port)
                time.sleep(0.05)
        line = run_refused(self, server.main_path, "127.0.0.1:%d" % port)
        self.assertIn("127.0.0.1:%d is already in use by unbound (pid %d)" % (port, unbound.pid),
                      line)


class SimultaneousStart(unittest.TestCase):
    ROUNDS = 4

    def test_exactly_one_serves(self):
        server = config_dir()
        self.addCleanup(server.cleanup)
        for round_ in range(self.ROUNDS):
            port = h.free_port(False)
            cmd = [h.binary(), "-c", server.main_path, "--listen", "127.0.0.1:%d" % port]
            procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, text=True) for _ in range(2)]
            try:
                deadline = time.monotonic() + REFUSE_TIMEOUT
                while time.monotonic() < deadline and all(p.poll() is None for p in procs):
                    time.sleep(0.02)
                time.sleep(0.5)  # a second refusal would have come by now
                codes = [p.poll() for p in procs]
                self.assertEqual(sorted(codes, key=lambda c: c is None), [1, None],
                                 "round %d: exit codes %s" % (round_, codes))
            finally:
                for p in procs:
                    if p.poll() is None:
                        p.send_signal(signal.SIGTERM)
                    p.communicate(timeout=h.STOP_TIMEOUT)


class Restart(unittest.TestCase):
    def test_restart_with_connections_in_time_wait(self):
        server = h.Server(h.ServerSpec(zones=["example.com.zone.yaml"], v6=False))
        self.addCleanup(server.cleanup)
        server.start()
        port = server.port
        for _ in range(5):  # gslbd closes these first: TIME_WAIT stays on its side
            h.tcp(server, h.make_query(h.ZONE, "SOA"))
        rc, _ = server.stop()
        self.assertEqual(rc, 0)
        cmd = [h.binary(), "-c", server.main_path, "--listen", "127.0.0.1:%d" % port]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)
        try:
            deadline = time.monotonic() + h.START_TIMEOUT
            answered = False
            while time.monotonic() < deadline and proc.poll() is None and not answered:
                try:
                    dns.query.tcp(dns.message.make_query(h.ZONE, "SOA"), "127.0.0.1", port=port,
                                  timeout=0.5)
                    answered = True
                except Exception:
                    time.sleep(0.05)
            self.assertTrue(answered, "restart on 127.0.0.1:%d did not serve" % port)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=h.STOP_TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)


def tearDownModule():
    shutil.rmtree(LOCK_DIR, ignore_errors=True)


if __name__ == "__main__":
    h.main()
