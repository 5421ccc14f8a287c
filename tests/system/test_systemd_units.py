# SPDX-License-Identifier: Apache-2.0
"""systemd integration: the install target, the unit files, the notify protocol and the privilege
drop, each checked against the real thing.

- `cmake --install` into a DESTDIR lays gslbd out where Debian expects it, and the installed
  example config passes --check-config from /etc/gslbd.
- `systemd-analyze verify` accepts the installed unit in that tree (with the host's own units
  copied in, so the targets it names exist) and prints nothing; systemd-sysusers and
  systemd-tmpfiles apply the installed snippets to the tree.
- A datagram socket made here, passed as NOTIFY_SOCKET (path and '@abstract'), receives READY=1
  once gslbd answers, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM, and
  WATCHDOG=1 pings when WATCHDOG_USEC is set (none when WATCHDOG_PID names another process).
- As root, `--user nobody` leaves the process (every thread) with nobody's ids and exactly
  CAP_NET_BIND_SERVICE and CAP_NET_RAW, and it still answers and reloads; a non-root start that
  asks for another user fails with one line. Skipped, with the reason, when not run as root.
"""

import configparser
import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest
import uuid

import gslbd_harness as h

REPO = os.path.dirname(os.path.dirname(h.HERE))
UNIT = os.path.join(REPO, "systemd", "gslbd.service")
KEPT_CAPS = (1 << 10) | (1 << 13)  # CAP_NET_BIND_SERVICE | CAP_NET_RAW
NOTIFY_WAIT = 10.0


def build_dir():
    """The build tree the binary under test came from (the one holding CMakeCache.txt)."""
    d = os.path.dirname(os.path.abspath(h.binary()))
    while d != os.path.dirname(d):
        if os.path.exists(os.path.join(d, "CMakeCache.txt")):
            return d
        d = os.path.dirname(d)
    raise RuntimeError("no CMakeCache.txt above %s" % h.binary())


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, **kwargs)


@contextlib.contextmanager
def environment(**values):
    """Sets (or, for None, removes) environment variables for a child started inside."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def proc_status(pid, task=None):
    path = "/proc/%d/status" % pid if task is None else "/proc/%d/task/%s/status" % (pid, task)
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


# ---------------------------------------------------------------------------------------------
# Install target and unit files


class Installed(unittest.TestCase):
    """One `cmake --install` into a DESTDIR, shared by the checks on the tree it makes."""

    @classmethod
    def setUpClass(cls):
        cls.build = build_dir()
        with open(os.path.join(cls.build, "CMakeCache.txt")) as f:
            cache = f.read()
        prefix = [line.split("=", 1)[1] for line in cache.splitlines()
                  if line.startswith("CMAKE_INSTALL_PREFIX:")][0]
        if prefix != "/usr":
            # The unit names /usr/sbin/gslbd: only a /usr install can be verified as Debian's.
            raise unittest.SkipTest("build configured with install prefix %s, not the default "
                                    "/usr: install checks skipped" % prefix)
        cls.destdir = tempfile.mkdtemp(prefix="gslbd-install-")
        p = run(["cmake", "--install", cls.build], env=dict(os.environ, DESTDIR=cls.destdir))
        if p.returncode != 0:
            shutil.rmtree(cls.destdir, ignore_errors=True)
            raise AssertionError("cmake --install failed:\n%s%s" % (p.stdout, p.stderr))
        cls.install_log = p.stdout
        # The install rule is guarded by if(TARGET gslbctl): ask the build whether it has one.
        targets = run(["cmake", "--build", cls.build, "--target", "help"]).stdout
        cls.has_gslbctl = any(line.split(":")[0] == "gslbctl" for line in targets.splitlines())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.destdir, *[p.lstrip("/") for p in parts])

    def assertInstalled(self, where, executable=False):
        full = self.path(where)
        self.assertTrue(os.path.isfile(full),
                        "%s was not installed; install log:\n%s" % (where, self.install_log))
        if executable:
            self.assertTrue(os.stat(full).st_mode & stat.S_IXOTH, "%s not executable" % where)

    def test_debian_layout(self):
        self.assertInstalled("/usr/sbin/gslbd", executable=True)
        if self.has_gslbctl:
            self.assertInstalled("/usr/bin/gslbctl", executable=True)
        else:
            print("this build has no gslbctl target: its install is not checked")
        self.assertInstalled("/usr/lib/systemd/system/gslbd.service")
        self.assertInstalled("/usr/lib/sysusers.d/gslbd.conf")
        self.assertInstalled("/usr/lib/tmpfiles.d/gslbd.conf")
        self.assertInstalled("/etc/gslbd/gslbd.yaml")
        self.assertInstalled("/usr/share/doc/gslbd/README.md")
        self.assertInstalled("/usr/share/doc/gslbd/configuration.md")
        self.assertInstalled("/usr/share/doc/gslbd/CHANGELOG.md")
        self.assertInstalled("/usr/share/doc/gslbd/examples/quickstart/gslbd.yaml")
        self.assertInstalled("/usr/share/doc/gslbd/contrib/prometheus/gslbd.rules.yml")
        self.assertInstalled("/usr/share/doc/gslbd/contrib/grafana/gslbd-dashboard.json")
        self.assertInstalled("/usr/share/bash-completion/completions/gslbctl")
        if shutil.which("scdoc"):
            for page in ("man8/gslbd.8", "man8/gslbctl.8", "man5/gslbd.yaml.5"):
                self.assertInstalled("/usr/share/man/" + page)
        else:
            print("scdoc is missing: the man pages are not built (tools/install-deps --build)")
        with open(self.path("/usr/lib/systemd/system/gslbd.service")) as f, open(UNIT) as g:
            self.assertEqual(f.read(), g.read())
        # Nothing may land outside the Debian tree (no /usr/local, no /usr/etc).
        for top in os.listdir(self.destdir):
            self.assertIn(top, ("usr", "etc"), "unexpected top-level install dir %s" % top)
        self.assertFalse(os.path.exists(self.path("/usr/local")))
        self.assertFalse(os.path.exists(self.path("/usr/etc")))

    def test_installed_example_config_checks(self):
        config = self.path("/etc/gslbd/gslbd.yaml")
        # The installed config is safe by default: admin actions need the token, which the
        # installer generates (the package's postinst), so without it the check fails there.
        with open(config) as f:
            self.assertNotIn("admin_without_token", f.read())
        token = self.path("/etc/gslbd/control.token")
        self.assertFalse(os.path.exists(token), "cmake --install must not ship a token")
        p = run([self.path("/usr/sbin/gslbd"), "--check-config", "-c", config])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("'token_file': cannot read " + token, p.stderr)
        with open(token, "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        self.addCleanup(os.unlink, token)
        p = run([self.path("/usr/sbin/gslbd"), "--check-config", "-c", config])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(": ok: ", p.stdout)

    def test_unit_verifies(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze is missing (Debian package systemd; tools/install-deps)")
        # verify --root resolves the unit's commands and the targets it names inside the root:
        # the host's units give it sysinit.target and friends, and a stub stands in for gslbctl
        # when this tree does not build it.
        units = self.path("/usr/lib/systemd/system")
        for unit_dir in ("/lib/systemd/system", "/usr/lib/systemd/system"):
            if os.path.isdir(unit_dir):
                for name in os.listdir(unit_dir):
                    src = os.path.join(unit_dir, name)
                    dst = os.path.join(units, name)
                    if os.path.isfile(src) and not os.path.lexists(dst):
                        shutil.copy(src, dst)
                break
        if not self.has_gslbctl:
            stub = self.path("/usr/bin/gslbctl")
            os.makedirs(os.path.dirname(stub), exist_ok=True)
            with open(stub, "w") as f:
                f.write("#!/bin/sh\nexit 1\n")
            os.chmod(stub, 0o755)
        p = run(["systemd-analyze", "verify", "--man=no", "--root=" + self.destdir,
                 "gslbd.service"])
        # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
        self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""),
                         "systemd-analyze verify complained")

    def test_sysusers_and_tmpfiles_apply(self):
        for tool in ("systemd-sysusers", "systemd-tmpfiles"):
            if shutil.which(tool) is None:
                self.skipTest("%s is missing (Debian package systemd)" % tool)
        if os.geteuid() != 0:
            self.skipTest("systemd-tmpfiles --root changes ownership: needs root (not root here)")
        root = tempfile.mkdtemp(prefix="gslbd-sysroot-")
        self.addCleanup(shutil.rmtree, root, True)
        os.makedirs(os.path.join(root, "etc"))  # where sysusers writes passwd and group
        p = run(["systemd-sysusers", "--root=" + root, self.path("/usr/lib/sysusers.d/gslbd.conf")])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(root, "etc/passwd")) as f:
            entry = [line.split(":") for line in f.read().splitlines()
                     if line.startswith("gslbd:")]
        self.assertEqual(len(entry), 1, "sysusers made no gslbd user")
        self.assertEqual(entry[0][6], "/usr/sbin/nologin")
        uid, gid = int(entry[0][2]), int(entry[0][3])
        self.assertLess(uid, 1000, "gslbd must be a system user")
        p = run(["systemd-tmpfiles", "--root=" + root, "--create",
                 self.path("/usr/lib/tmpfiles.d/gslbd.conf")])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        st = os.stat(os.path.join(root, "etc/gslbd"))
        self.assertTrue(stat.S_ISDIR(st.st_mode))
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), (0o750, 0, gid))



class UnitSettings(unittest.TestCase):
    """What the unit must say, read from the source file."""

    def test_unit_settings(self):
        # strict=False: systemd allows a key more than once; the last one is what is checked.
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(UNIT)
        s = unit["Service"]
        want = {
            "Type": "notify",  # systemd 252 has no notify-reload
            "NotifyAccess": "main",
            "ExecStartPre": "/usr/sbin/gslbd --check-config -c /etc/gslbd/gslbd.yaml",
            "ExecStart": "/usr/sbin/gslbd -c /etc/gslbd/gslbd.yaml",
            "ExecReload": "/usr/bin/gslbctl -c /etc/gslbd/gslbd.yaml reload",
            "User": "gslbd",
            "Group": "gslbd",
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "RuntimeDirectory": "gslbd",  # listen lock files; /run is read-only otherwise
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "PrivateDevices": "yes",
            "RestrictNamespaces": "yes",
            "LockPersonality": "yes",
            "MemoryDenyWriteExecute": "yes",
            "SystemCallFilter": "@system-service",
            "SystemCallArchitectures": "native",
        }
        for key, value in want.items():
            self.assertEqual(s.get(key), value, key)
        for key in ("AmbientCapabilities", "CapabilityBoundingSet"):
            self.assertEqual(sorted(s.get(key, "").split()),
                             ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], key)
        self.assertEqual(sorted(s.get("RestrictAddressFamilies", "").split()),
                         ["AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"])
        self.assertTrue(s.get("WatchdogSec"), "WatchdogSec is set")


# ---------------------------------------------------------------------------------------------
# The notify protocol


class Manager:
    """The service manager's end: a datagram socket that records what gslbd sends."""

    def __init__(self, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.dir = None
        if abstract:
            name = "gslbd-test-notify-%s" % uuid.uuid4().hex
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.dir = tempfile.mkdtemp(prefix="gslbd-notify-")
            self.address = os.path.join(self.dir, "notify.sock")
            self.sock.bind(self.address)
        self.messages = []  # each a dict of KEY=VALUE assignments, in arrival order

    def close(self):
        self.sock.close()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def receive(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        message = dict(line.split("=", 1) for line in data.split("\n") if line)
        self.messages.append(message)
        return message

    def wait_for(self, key, timeout=NOTIFY_WAIT, proc=None):
        """Receives until a message carrying `key` arrives; returns it (None after timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                return None
            m = self.receive(min(0.2, deadline - time.monotonic()))
            if m is not None and key in m:
                return m
        return None

    def drain(self, seconds):
        """Everything received over the next `seconds`."""
        got = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            m = self.receive(deadline - time.monotonic())
            if m is not None:
                got.append(m)
        return got


class NotifiedServer(h.Server):
    """A gslbd started with NOTIFY_SOCKET (and the watchdog variables) set: ready means READY=1
    arrived, after which it must answer at once (no retries)."""

    def __init__(self, spec, manager, watchdog_usec=None, watchdog_pid=None):
        super().__init__(spec)
        self.manager = manager
        self.env = {"NOTIFY_SOCKET": manager.address, "WATCHDOG_USEC": watchdog_usec,
                    "WATCHDOG_PID": watchdog_pid}

    def start(self):
        with environment(**self.env):
            super().start()

    def wait_ready(self):
        ready = self.manager.wait_for("READY", h.START_TIMEOUT, self.proc)
        if ready is None:
            raise RuntimeError("no READY=1 from gslbd (exit code %s)" % self.proc.poll())
        q = h.make_query(h.ZONE, "SOA")
        h.udp(self, q)  # raises when it does not answer
        h.tcp(self, q)
        self.ready_message = ready


class NotifyProtocol(unittest.TestCase):
    def start(self, abstract=False, **kwargs):
        manager = Manager(abstract)
        self.addCleanup(manager.close)
        server = NotifiedServer(h.ServerSpec(), manager, **kwargs)
        self.addCleanup(server.cleanup)
        self.addCleanup(server.kill)
        try:
            server.start()
        except Exception:
            raise AssertionError("start failed:\n%s" % server.stderr_text())
        return server, manager

    def lifecycle(self, abstract):
        server, manager = self.start(abstract)
        ready = server.ready_message
        self.assertEqual(ready.get("READY"), "1")
        self.assertEqual(ready.get("MAINPID"), str(server.proc.pid))
        self.assertIn("serving", ready.get("STATUS", ""))

        server.reload_and_wait()
        reloading = manager.wait_for("RELOADING")
        self.assertIsNotNone(reloading, "no RELOADING=1 on SIGHUP: %s" % manager.messages)
        self.assertEqual(reloading["RELOADING"], "1")
        self.assertTrue(reloading.get("MONOTONIC_USEC", "").isdigit(), reloading)
        again = manager.wait_for("READY")
        self.assertIsNotNone(again, "no READY=1 after the reload: %s" % manager.messages)
        h.udp(server, h.make_query(h.ZONE, "SOA"))

        server.signal(signal.SIGTERM)
        stopping = manager.wait_for("STOPPING")
        self.assertIsNotNone(stopping, "no STOPPING=1 on SIGTERM: %s" % manager.messages)
        self.assertEqual(server.proc.wait(h.STOP_TIMEOUT), 0, server.stderr_text())

    def test_lifecycle_on_a_path_socket(self):
        self.lifecycle(abstract=False)

    def test_lifecycle_on_an_abstract_socket(self):
        self.lifecycle(abstract=True)

    def test_a_rejected_reload_still_ends_in_ready(self):
        server, manager = self.start()
        server.write_file("broken.zone.yaml", "version: 1\nzone: [\n")
        server.signal(signal.SIGHUP)
        self.assertIsNotNone(manager.wait_for("RELOADING"), manager.messages)
        self.assertIsNotNone(manager.wait_for("READY"), manager.messages)
        self.assertIn("reload rejected", server.stderr_text())

    def test_watchdog_pings(self):
        # 200 ms deadline: gslbd pings every 100 ms.
        server, manager = self.start(watchdog_usec="200000")
        pings = [m for m in manager.drain(1.5) if m.get("WATCHDOG") == "1"]
        self.assertGreaterEqual(len(pings), 7, "expected ~15 pings in 1.5 s, got %d" % len(pings))

    def test_no_watchdog_for_another_pid(self):
        server, manager = self.start(watchdog_usec="200000", watchdog_pid="1")
        pings = [m for m in manager.drain(1.0) if "WATCHDOG" in m]
        self.assertEqual(pings, [], "WATCHDOG_PID names another process")

    def test_no_watchdog_without_watchdog_usec(self):
        server, manager = self.start()
        self.assertEqual([m for m in manager.drain(1.0) if "WATCHDOG" in m], [])


# ---------------------------------------------------------------------------------------------
# Privilege drop


def nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


@unittest.skipUnless(os.geteuid() == 0, "the privilege drop needs a root start (not root here)")
@unittest.skipUnless(nobody() is not None, "no 'nobody' user on this machine")
class PrivilegeDrop(unittest.TestCase):
    def make_server(self, args=()):
        server = h.Server(h.ServerSpec(args=args))
        self.addCleanup(server.cleanup)
        self.addCleanup(server.kill)
        # After the drop, reloads read the config as nobody.
        os.chmod(server.dir, 0o755)
        return server

    def test_runs_as_nobody_with_two_capabilities(self):
        pw = nobody()
        server = self.make_server(["--user", "nobody"])
        server.start()
        pid = server.proc.pid
        ids = "\t".join([str(pw.pw_uid)] * 4)
        gids = "\t".join([str(pw.pw_gid)] * 4)
        for task in os.listdir("/proc/%d/task" % pid):  # every thread, not just the main one
            st = proc_status(pid, task)
            what = "thread %s: %s" % (task, st)
            self.assertEqual(st["Uid"], ids, what)
            self.assertEqual(st["Gid"], gids, what)
            self.assertEqual(st["Groups"], str(pw.pw_gid), what)
            self.assertEqual(int(st["CapEff"], 16), KEPT_CAPS, what)
            self.assertEqual(int(st["CapPrm"], 16), KEPT_CAPS, what)
            self.assertEqual(int(st["CapBnd"], 16), KEPT_CAPS, what)
            self.assertEqual(int(st["CapInh"], 16), 0, what)
            self.assertEqual(st["NoNewPrivs"], "1", what)
        self.assertIn("dropped privileges: running as user 'nobody'", server.stderr_text())

        # Still serving, over both transports, and a reload (read as nobody) goes through.
        q = h.make_query(h.ZONE, "SOA")
        self.assertEqual(h.udp(server, q).rcode(), 0)
        self.assertEqual(h.tcp(server, q).rcode(), 0)
        server.reload_and_wait()
        self.assertEqual(h.udp(server, q).rcode(), 0)
        rc, killed = server.stop()
        self.assertEqual((rc, killed), (0, False), server.stderr_text())

    def test_unknown_user_is_one_line(self):
        server = self.make_server()
        p = run([h.binary(), "-c", server.main_path, "--listen", "127.0.0.1:%d"
                 % h.free_port(False), "--user", "no-such-user-gslbd"])
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = [line for line in p.stderr.splitlines() if "no-such-user-gslbd" in line]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("unknown user 'no-such-user-gslbd'", lines[0])

    def as_nobody(self, server, args):
        """gslbd started by nobody (setpriv from util-linux), as systemd's User= would."""
        if shutil.which("setpriv") is None:
            self.skipTest("setpriv (util-linux) is missing")
        pw = nobody()
        return run(["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                    "--clear-groups", h.binary(), "-c", server.main_path, "--listen",
                    "127.0.0.1:%d" % h.free_port(False)] + list(args))

    def test_not_root_asking_for_another_user_fails(self):
        server = self.make_server()
        p = self.as_nobody(server, ["--user", "root"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot switch to user 'root': not started as root", p.stderr)

    def test_not_root_already_that_user_serves(self):
        # Under systemd (User=gslbd) a config naming the same user must not stop the start.
        server = self.make_server(["--user", "nobody"])
        wrapper = os.path.join(server.dir, "as-nobody.sh")
        pw = nobody()
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec setpriv --reuid=%d --regid=%d --clear-groups %s \"$@\"\n"
                    % (pw.pw_uid, pw.pw_gid, h.binary()))
        os.chmod(wrapper, 0o755)
        if shutil.which("setpriv") is None:
            self.skipTest("setpriv (util-linux) is missing")
        with environment(GSLBD_BINARY=wrapper):
            server.start()
        self.assertEqual(proc_status(server.proc.pid)["Uid"].split()[0], str(pw.pw_uid))
        rc, killed = server.stop()
        self.assertEqual((rc, killed), (0, False), server.stderr_text())


if __name__ == "__main__":
    h.main()
