# SPDX-License-Identifier: Apache-2.0
"""tools/apt-install-no-start (what tools/install-deps installs with) leaves no service running
or enabled: a package is built here whose postinst enables its service and starts it through
invoke-rc.d, as unbound's, knot's and prometheus's do. Installed with plain apt-get it runs
(the control: the test can see a started service); installed with the tool it is not running
afterwards and is disabled (no rc.d start links, no systemd wants link), and the machine's
policy-rc.d is as it was.

The tool stops and disables what a package ships as a systemd unit in /lib/systemd/system (or
/usr/lib/systemd/system) or as an init script in /etc/init.d; every package of
`tools/install-deps --test` that is installed here ships its services only there (haproxy and
keepalived among them: the full-path test starts its own), so none escapes it.

Both installs run in a private mount namespace in which /usr/sbin/policy-rc.d allows starts
(a bind mount), because Debian containers deny them already and the control would prove
nothing. Needs root, dpkg-deb and unshare; skipped with the reason otherwise. The package is
purged (and its process killed by PID if still alive) at the end."""

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import gslbd_harness as h

REPO = os.path.dirname(os.path.dirname(h.HERE))
TOOL = os.path.join(REPO, "tools", "apt-install-no-start")
NAME = "gslbd-test-dummy-service"
PIDFILE = "/run/%s.pid" % NAME
POLICY = "/usr/sbin/policy-rc.d"

INIT = """#!/bin/sh
### BEGIN INIT INFO
# Provides:          %(name)s
# Required-Start:    $remote_fs
# Required-Stop:     $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: gslbd test dummy service
### END INIT INFO
case "$1" in
  start) start-stop-daemon --start --quiet --background --make-pidfile --pidfile %(pid)s \\
           --exec /bin/sleep -- 600 ;;
  stop) start-stop-daemon --stop --quiet --oknodo --remove-pidfile --pidfile %(pid)s ;;
  status) start-stop-daemon --status --pidfile %(pid)s ;;
  *) exit 3 ;;
esac
""" % {"name": NAME, "pid": PIDFILE}

UNIT = """[Unit]
Description=gslbd test dummy service
[Service]
ExecStart=/bin/sleep 600
[Install]
WantedBy=multi-user.target
"""

POSTINST = """#!/bin/sh
set -e
if [ "$1" = configure ]; then
  update-rc.d %(name)s defaults >/dev/null
  deb-systemd-helper enable %(name)s.service >/dev/null || true
  invoke-rc.d %(name)s start || true
fi
""" % {"name": NAME}

PRERM = """#!/bin/sh
set -e
invoke-rc.d %(name)s stop || true
""" % {"name": NAME}

POSTRM = """#!/bin/sh
set -e
if [ "$1" = purge ]; then
  update-rc.d %(name)s remove >/dev/null || true
  deb-systemd-helper purge %(name)s.service >/dev/null || true
fi
""" % {"name": NAME}


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def running_pid():
    try:
        with open(PIDFILE) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def enabled_links():
    return (glob.glob("/etc/rc[2-5].d/S*%s" % NAME) +
            glob.glob("/etc/systemd/system/*.wants/%s.service" % NAME))


@unittest.skipUnless(os.geteuid() == 0, "installs a package: needs root (not root here)")
@unittest.skipUnless(shutil.which("dpkg-deb") and shutil.which("unshare"),
                     "dpkg-deb or unshare is missing")
class InstallDepsServices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="gslbd-install-deps-")
        root = os.path.join(cls.dir, "pkg")
        write(os.path.join(root, "DEBIAN", "control"),
              "Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: gslbd tests "
              "<gslbd@example.org>\nDescription: gslbd test dummy with a service\n" % NAME)
        write(os.path.join(root, "DEBIAN", "postinst"), POSTINST, 0o755)
        write(os.path.join(root, "DEBIAN", "prerm"), PRERM, 0o755)
        write(os.path.join(root, "DEBIAN", "postrm"), POSTRM, 0o755)
        write(os.path.join(root, "etc", "init.d", NAME), INIT, 0o755)
        write(os.path.join(root, "lib", "systemd", "system", NAME + ".service"), UNIT)
        cls.deb = os.path.join(cls.dir, NAME + ".deb")
        subprocess.run(["dpkg-deb", "--root-owner-group", "-b", root, cls.deb], check=True,
                       capture_output=True, timeout=60)
        cls.allow = os.path.join(cls.dir, "policy-rc.d")
        write(cls.allow, "#!/bin/sh\nexit 0\n", 0o755)

    @classmethod
    def tearDownClass(cls):
        cls.purge()
        shutil.rmtree(cls.dir, True)

    @classmethod
    def purge(cls):
        subprocess.run(["dpkg", "--purge", NAME], capture_output=True, timeout=120)
        pid = running_pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
        if os.path.exists(PIDFILE):
            os.unlink(PIDFILE)

    def in_namespace(self, command):
        """Runs command (a shell string) where policy-rc.d allows starts."""
        if os.path.exists(POLICY):
            command = "mount --bind %s %s && %s" % (self.allow, POLICY, command)
        else:
            # Without any policy-rc.d invoke-rc.d starts nothing outside a booted system: the
            # allowing one stands there for this command only.
            command = "cp %s %s && { %s; rc=$?; rm -f %s; exit $rc; }" % (
                self.allow, POLICY, command, POLICY)
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            command], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive",
                                    GSLBD_APT_NO_UPDATE="1"))
        self.assertEqual(r.returncode, 0, "%s\n%s%s" % (command, r.stdout, r.stderr))
        return r

    def policy_state(self):
        if not os.path.exists(POLICY):
            return None
        with open(POLICY, "rb") as f:
            return f.read()

    def test_plain_apt_starts_it_and_the_tool_does_not_leave_it(self):
        self.purge()
        before = self.policy_state()
        # the control: plain apt-get starts and enables the service
        self.in_namespace("apt-get install -y -qq %s" % self.deb)
        deadline = time.monotonic() + 10
        while running_pid() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIsNotNone(running_pid(), "the dummy service did not start under plain apt")
        self.assertTrue(enabled_links(), "the dummy service was not enabled under plain apt")
        self.purge()
        self.assertIsNone(running_pid())

        self.in_namespace("%s %s" % (TOOL, self.deb))
        time.sleep(0.5)  # a start-stop-daemon --background child would have written its pid
        self.assertIsNone(running_pid(), "the service runs after apt-install-no-start")
        self.assertEqual(enabled_links(), [], "the service is still enabled")
        self.assertEqual(self.policy_state(), before, "policy-rc.d was changed")


def install_deps_list(option):
    """The packages `tools/install-deps OPTION` wants, read from the script's arrays."""
    with open(os.path.join(REPO, "tools", "install-deps")) as f:
        text = f.read()
    arrays = {}
    for m in re.finditer(r"^(\w+)=\(([^)]*)\)", text, re.M):
        arrays[m.group(1)] = m.group(2).split()
    chain = {"--test": ["runtime", "build", "test"]}[option]
    return [p for name in chain for p in arrays[name]]


class InstallDepsPackages(unittest.TestCase):
    def test_test_list_has_the_full_path_peers(self):
        wanted = install_deps_list("--test")
        for p in ("haproxy", "keepalived", "unbound"):
            self.assertIn(p, wanted)

    @unittest.skipUnless(shutil.which("dpkg-query"), "dpkg-query is missing")
    def test_every_service_is_where_the_tool_looks(self):
        handled = re.compile(r"^(/usr)?/lib/systemd/system/[^/]+\.service$|^/etc/init\.d/[^/]+$")
        service = re.compile(r"/systemd/system/[^/]+\.service$|^/etc/init\.d/[^/]+$")
        checked = []
        for p in install_deps_list("--test"):
            r = subprocess.run(["dpkg-query", "-L", p], capture_output=True, text=True,
                               timeout=30)
            if r.returncode != 0:
                continue  # not installed here: nothing to look at
            checked.append(p)
            for path in r.stdout.split("\n"):
                if service.search(path):
                    self.assertRegex(path, handled, "%s ships a service the tool does not "
                                     "stop and disable" % p)
        print("service files of %d installed --test packages checked" % len(checked))


if __name__ == "__main__":
    h.main()
