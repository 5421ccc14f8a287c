# SPDX-License-Identifier: Apache-2.0
"""gslbctl against a running gslbd: status (a table naming every member with its state),
drain/undrain and force (with and without --expires) change the answers, check-config -c
(good: exit 0; bad: non-zero with file:line:col), usage errors, and a clear error with a
non-zero exit when no gslbd listens at --control. (reload and explain: test_control_reload.py
and test_control_explain.py.)"""

import json
import os
import re
import time

import control_harness as c
import pool_harness as p


class Gslbctl(c.ControlTestCase):
    def test_a_status_table(self):
        self.wait_both_up()
        self.wait_until("first round done", lambda: self.status()["first_round_done"])
        r = self.ctl_ok("status", token=False)
        out = r.stdout
        self.assertIn(", serving", out)
        self.assertNotIn("NOT serving", out)
        self.assertRegex(out, r"(?m)^ZONE\s+SERIAL$")
        self.assertRegex(out, r"(?m)^example\.com\.\s+2024010101$")
        self.assertRegex(out, r"(?m)^gslb\.example\.\s+1$")
        self.assertRegex(out, r"(?m)^POOL\s+MEMBER\s+ADDRESS\s+STATE\s+SINCE\s+RTT\s+WEIGHT\s+"
                              r"ANSWERS$")
        for name, address in (("a", c.A), ("b", c.B)):
            self.assertRegex(out, r"(?m)^web\s+%s\s+%s\s+up\s+\S+\s+[\d.]+ms\s+100\s+\d+$"
                             % (name, re.escape(address)))
        r = self.ctl_ok("--json", "status", token=False)
        self.assertEqual([m["name"] for m in json.loads(r.stdout)["pools"][0]["members"]],
                         ["a", "b"])

    def test_b_status_shows_down_member_and_error(self):
        self.wait_both_up()
        self.b.stop()
        try:
            self.wait_member_up("b", False)
            out = self.ctl_ok("status", token=False).stdout
            self.assertRegex(out, r"(?m)^web\s+b\s+192\.0\.2\.72\s+down\s")
            self.assertIn("down now, because:", out)
            self.assertRegex(out, r"(?m)^web/b:\s+check tcp-fast \(tcp to 127\.0\.0\.72:\d+\) "
                             r"failed: .*refused")
        finally:
            self.restart(self.b)
        self.wait_member_up("b", True)

    def test_c_drain_undrain(self):
        self.wait_both_up()
        r = self.ctl_ok("drain", "web", "b")
        self.assertRegex(r.stdout, r"^web/b drained at \S+; caches may name it until \S+ "
                                   r"\(largest TTL 30s\)")
        try:
            self.wait_answer("web", [c.A])
            out = self.ctl_ok("status", token=False).stdout
            self.assertRegex(out, r"(?m)^web\s+b\s+192\.0\.2\.72\s+up,drained\s")
        finally:
            r = self.ctl_ok("undrain", "web", "b")
        self.assertEqual(r.stdout.strip(), "web/b undrained")
        self.wait_answer("web", c.BOTH)

    def test_d_force(self):
        self.wait_both_up()
        r = self.ctl_ok("force", "web", "a", "down", "--expires", "1s")
        self.assertRegex(r.stdout, r"^web/a forced down until \S+")
        self.wait_answer("web", [c.B], timeout=0.8)
        self.wait_answer("web", c.BOTH, timeout=6.0)  # expired by itself

        r = self.ctl_ok("force", "web", "a", "down")
        self.assertEqual(r.stdout.strip(), "web/a forced down until forced again")
        try:
            self.wait_answer("web", [c.B])
            out = self.ctl_ok("status", token=False).stdout
            self.assertRegex(out, r"(?m)^web\s+a\s+192\.0\.2\.71\s+forced-down\s")
        finally:
            r = self.ctl_ok("force", "web", "a", "auto")
        self.assertEqual(r.stdout.strip(), "web/a follows its checks again")
        self.wait_answer("web", c.BOTH)

        # force up: a's listener is gone but it stays in the answers
        self.a.stop()
        try:
            self.wait_answer("web", [c.B])
            self.ctl_ok("force", "web", "a", "up")
            self.wait_answer("web", c.BOTH)
            time.sleep(p.INTERVAL * p.FALL * 2)
            self.assertEqual(self.answer("web"), c.BOTH)
            self.ctl_ok("force", "web", "a", "auto")
            self.wait_answer("web", [c.B])
        finally:
            self.restart(self.a)
        self.wait_answer("web", c.BOTH)

    def test_e_admin_errors(self):
        r = self.ctl("drain", "web", "b", token=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("gslbd answered 401", r.stderr)
        self.assertIn("--token-file", r.stderr)
        r = self.ctl("drain", "web", "nobody")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("gslbd answered 404", r.stderr)
        self.assertIn("nobody", r.stderr)
        r = self.ctl("force", "web", "a", "sideways")
        self.assertEqual(r.returncode, 2, r)
        r = self.ctl("force", "web", "a", "auto", "--expires", "1s")
        self.assertEqual(r.returncode, 2, r)
        r = self.ctl("frobnicate")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("unknown command", r.stderr)
        r = self.ctl("drain", "web", "b", "--token-file", "/nonexistent/token", token=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("cannot read token file", r.stderr)
        self.assertFalse(self.member("web", "b")["drained"])

    def test_f_check_config(self):
        r = c.run_ctl(["check-config", "-c", self.server.main_path])
        self.assertEqual(r.returncode, 0, "good config: %s%s" % (r.stdout, r.stderr))
        bad_dir = os.path.join(self.server.dir, "bad")
        os.makedirs(bad_dir, exist_ok=True)
        with open(self.server.main_path) as f:
            main = f.read()
        with open(os.path.join(bad_dir, "main.yaml"), "w") as f:
            f.write(main.replace("zones:\n", "zones:\n  - \"*.zone.yaml\"\nbogus: 1\n", 1)
                    .replace("pools:\n", "nopools:\n"))
        with open(os.path.join(bad_dir, "gslb.example.zone.yaml"), "w") as f:
            f.write(self.zone_text().replace("ns:\n", "ns: 5\n"))
        with open(os.path.join(self.server.dir, "control.token")) as src:
            with open(os.path.join(bad_dir, "control.token"), "w") as dst:
                dst.write(src.read())
        r = c.run_ctl(["check-config", "-c", os.path.join(bad_dir, "main.yaml")])
        self.assertNotEqual(r.returncode, 0, "bad config exited 0: %s%s" % (r.stdout, r.stderr))
        text = r.stdout + r.stderr
        self.assertRegex(text, r"main\.yaml:\d+:\d+")
        r = c.run_ctl(["check-config"])
        self.assertEqual(r.returncode, 2)

    def test_g_not_running(self):
        port = c.free_port_nothing_listens()
        for args in (["status"], ["reload"], ["explain", "web.gslb.example"],
                     ["drain", "web", "a"]):
            t0 = time.monotonic()
            r = c.run_ctl(["--control", "127.0.0.1:%d" % port, "--timeout", "5"] + args)
            self.assertNotEqual(r.returncode, 0, "%s: exit 0 with nothing listening" % args)
            self.assertLess(time.monotonic() - t0, 15)
            self.assertIn("127.0.0.1:%d" % port, r.stderr, "%s: %s" % (args, r.stderr))
            self.assertRegex(r.stderr.lower(), r"cannot reach gslbd.*refused",
                             "%s: %s" % (args, r.stderr))
            self.assertEqual(r.stdout, "")
        # $GSLBCTL_CONTROL is the default address; --control wins over it
        r = c.run_ctl(["status"], env={"GSLBCTL_CONTROL": "127.0.0.1:%d" % port})
        self.assertNotEqual(r.returncode, 0)
        r = c.run_ctl(["--control", "127.0.0.1:%d" % self.cport, "status"],
                      env={"GSLBCTL_CONTROL": "127.0.0.1:%d" % port})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = c.run_ctl(["status"], env={"GSLBCTL_CONTROL": "127.0.0.1:%d" % self.cport})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = c.run_ctl(["--control", "localhost-ish", "status"])
        self.assertEqual(r.returncode, 2, r)


if __name__ == "__main__":
    p.main()
