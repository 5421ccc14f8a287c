# SPDX-License-Identifier: Apache-2.0
"""tools/lab: --help describes up, status and down without root; as root (with haproxy,
keepalived and unbound) up builds the whole path, a second up refuses, status reports every
process running, site A's VIP on a1 and both sites up in both gslbd instances, the printed curl
command works, and down leaves no namespace, no process and no state behind. Skipped with the
reason printed when not root or a daemon is missing."""

import os
import subprocess
import sys
import tempfile
import unittest

import gslbd_harness as h
import full_path_topology as fp

LAB = os.path.join(fp.REPO, "tools", "lab")


def lab(*args, timeout=120):
    return subprocess.run([LAB] + list(args), capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, GSLBD_BINARY=h.binary()))


def why_skip():
    if os.geteuid() != 0:
        return "builds network namespaces: needs root (not root here)"
    missing = fp.missing_tools()
    if missing:
        return "missing: %s" % ", ".join(missing)
    return None


REASON = why_skip()


class Lab(unittest.TestCase):
    def test_help(self):
        r = subprocess.run([LAB, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        for word in ("up", "status", "down", "--state-dir", "zones/examples/haproxy"):
            self.assertIn(word, r.stdout)

    def test_unknown_command(self):
        r = subprocess.run([LAB, "sideways"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("invalid choice", r.stderr)

    @unittest.skipIf(REASON, REASON or "")
    def test_up_status_down(self):
        state = tempfile.mkdtemp(prefix="gslbd-lab-")
        prefix = "lb%d-" % (os.getpid() % 100000)
        opts = ["--state-dir", state, "--prefix", prefix]
        self.addCleanup(lab, "down", *opts)
        up = lab("up", *opts)
        self.assertEqual(up.returncode, 0, up.stdout + up.stderr)
        self.assertIn("ip netns exec %sclient dig www.gslb.example" % prefix, up.stdout)
        self.assertIn("tools/lab down", up.stdout)
        again = lab("up", *opts)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already up", again.stderr)

        st = lab("status", *opts)
        self.assertEqual(st.returncode, 0, st.stdout + st.stderr)
        self.assertNotIn("NOT RUNNING", st.stdout)
        self.assertIn("site A's VIP %s is on: a1" % fp.VIP["a"], st.stdout)
        for instance in fp.NS:
            self.assertIn("%s: pool web: site-a up, site-b up" % instance, st.stdout)
        curl = subprocess.run(["ip", "netns", "exec", prefix + "client", "curl", "-sS",
                               "--max-time", "5", "http://www.gslb.example/api/x"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(curl.returncode, 0, curl.stderr)
        self.assertRegex(curl.stdout, r'"server": "[ab]-api[12]"')

        pids = fp.Topology.load(state).pids
        down = lab("down", *opts)
        self.assertEqual(down.returncode, 0, down.stdout + down.stderr)
        left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                              timeout=10).stdout
        self.assertNotIn(prefix, left)
        self.assertFalse(os.path.exists(state))
        self.assertFalse(os.path.exists("/etc/netns/%sclient" % prefix))
        for name, pid in pids.items():
            alive = os.path.exists("/proc/%d" % pid)
            if alive:  # a PID reused since is not ours: only a process of that name counts
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cmdline = f.read()
                alive = b"full_path" in cmdline or name.split("-")[0].encode() in cmdline
            self.assertFalse(alive, "%s (pid %d) still runs" % (name, pid))
        st = lab("status", *opts)
        self.assertEqual(st.returncode, 3)
        self.assertIn("not up", st.stdout)


if REASON:
    print("skipping tools/lab up/status/down: %s" % REASON, file=sys.stderr)

if __name__ == "__main__":
    h.main()
