# SPDX-License-Identifier: Apache-2.0
"""POST /admin/*: the token is required (none, wrong -> 401; right -> 200); drain takes a member
out of the answers and says when caches forget it (safe_after = at + the largest TTL);
undrain puts it back; force down with an expiry takes it out and it comes back by itself;
force up keeps a member whose checks fail in the answers until force auto. Bad parameters
and unknown members are refused. A server without a token refuses every admin action."""

import time

import control_harness as c
import pool_harness as p

SLACK = 5.0


class Admin(c.ControlTestCase):
    def test_a_token_required(self):
        r = self.admin("drain", token=None, pool="web", member="b")
        self.assertEqual(r.status, 401, r)
        self.assertIn("Bearer", r.headers.get("www-authenticate", ""))
        r = self.admin("drain", token="x" * 32, pool="web", member="b")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json()["error"], "wrong token")
        r = self.admin("drain", token=c.TOKEN[:-1], pool="web", member="b")
        self.assertEqual(r.status, 401, r)
        r = self.admin("reload", token=None)
        self.assertEqual(r.status, 401, r)
        # nothing happened
        self.assertFalse(self.member("web", "b")["drained"])
        r = self.admin("undrain", pool="web", member="b")
        self.assertEqual(r.status, 200, r)

    def test_b_drain_and_undrain(self):
        self.wait_both_up()
        before = time.time()
        d = self.admin_ok("drain", pool="web", member="b")
        self.assertEqual((d["pool"], d["member"], d["drained"]), ("web", "b", True))
        self.assertEqual(d["largest_ttl"], 30)
        at, safe = c.rfc3339(d["at"]), c.rfc3339(d["safe_after"])
        self.assertAlmostEqual((safe - at).total_seconds(), 30, delta=0.01)
        self.assertLess(abs(at.timestamp() - before), 60)
        try:
            self.wait_answer("web", [c.A])
            for _ in range(20):
                self.assertEqual(self.answer("web"), [c.A], "drained member answered")
            m = self.member("web", "b")
            self.assertTrue(m["drained"], m)
            self.assertTrue(m["up"], m)  # still checked and up, just not named
            self.assertFalse(m["serving"], m)
            s = self.metrics()
            self.assertEqual(c.sample(s, "gslbd_member_drained", pool="web", member="b"), 1)
            # a reload keeps the drain (the member is still in the pool file)
            self.assertEqual(self.admin("reload").status, 200)
            self.assertEqual(self.answer("web"), [c.A], "drain lost on reload")
            self.assertTrue(self.member("web", "b")["drained"])
        finally:
            u = self.admin_ok("undrain", pool="web", member="b")
        self.assertFalse(u["drained"])
        self.assertNotIn("safe_after", u)
        self.wait_answer("web", c.BOTH)
        self.assertFalse(self.member("web", "b")["drained"])

    def test_c_force_down_expires(self):
        self.wait_both_up()
        t0 = time.monotonic()
        f = self.admin_ok("force", pool="web", member="b", state="down", expires="1s")
        self.assertEqual(f["state"], "down")
        self.assertIsNotNone(f["expires_at"])
        # applied by the health loop: at once, though not synchronously with the reply
        self.wait_answer("web", [c.A], timeout=0.8)
        self.assertTrue(self.member("web", "b")["forced"])
        if time.monotonic() - t0 < 0.8:  # the force holds until it expires
            self.assertEqual(self.answer("web"), [c.A])
        self.wait_answer("web", c.BOTH, timeout=1.0 + SLACK)
        gone = time.monotonic() - t0
        self.assertGreaterEqual(gone, 0.9, "the force ended before its expiry")
        m = self.member("web", "b")
        self.assertFalse(m["forced"], m)
        self.assertTrue(m["up"], m)

    def test_c2_new_force_replaces_pending_expiry(self):
        self.wait_both_up()
        self.admin_ok("force", pool="web", member="b", state="down", expires="1s")
        f = self.admin_ok("force", pool="web", member="b", state="down")
        self.assertIsNone(f["expires_at"])
        try:
            self.wait_answer("web", [c.A], timeout=0.8)
            time.sleep(1.5)  # past the first force's expiry
            self.assertEqual(self.answer("web"), [c.A], "the replaced expiry undid the force")
            self.assertTrue(self.member("web", "b")["forced"])
        finally:
            self.admin_ok("force", pool="web", member="b", state="auto")
        self.wait_answer("web", c.BOTH)

    def test_d_force_up_keeps_a_down_member(self):
        self.wait_both_up()
        self.a.stop()
        try:
            self.wait_answer("web", [c.B])
            f = self.admin_ok("force", pool="web", member="a", state="up")
            self.assertIsNone(f["expires_at"])
            self.wait_answer("web", c.BOTH)
            # its checks keep failing; the force holds for longer than interval x fall
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                self.assertEqual(self.answer("web"), c.BOTH, "forced-up member left")
                time.sleep(0.05)
            m = self.member("web", "a")
            self.assertTrue(m["forced"] and m["up"], m)
            self.assertNotEqual(m["last_error"], "", m)  # the checks still fail
            self.admin_ok("force", pool="web", member="a", state="auto")
            self.wait_answer("web", [c.B])
            self.assertFalse(self.member("web", "a")["forced"])
        finally:
            self.restart(self.a)
        self.wait_answer("web", c.BOTH)

    def test_e_bad_parameters(self):
        cases = [
            ("drain", {}, 400),
            ("drain", {"pool": "web"}, 400),
            ("drain", {"pool": "nope", "member": "a"}, 404),
            ("drain", {"pool": "web", "member": "zz"}, 404),
            ("force", {"pool": "web", "member": "a"}, 400),
            ("force", {"pool": "web", "member": "a", "state": "sideways"}, 400),
            ("force", {"pool": "web", "member": "a", "state": "auto", "expires": "1s"}, 400),
            ("force", {"pool": "web", "member": "a", "state": "down", "expires": "soon"}, 400),
            ("force", {"pool": "web", "member": "a", "state": "down", "expires": "31d"}, 400),
        ]
        for action, params, want in cases:
            r = self.admin(action, **params)
            self.assertEqual(r.status, want, "%s %s: %r" % (action, params, r))
            self.assertIn("error", r.json())
        self.assertEqual(self.post("/admin/nothing").status, 404)
        m = self.member("web", "a")
        self.assertFalse(m["forced"] or m["drained"], m)


class AdminWithoutToken(c.ControlTestCase):
    """No token_file and admin_without_token unset: admin actions are refused outright."""

    TOKEN = None

    def test_refused_without_a_configured_token(self):
        for token in (None, c.TOKEN):
            r = self.admin("drain", token=token, pool="web", member="a")
            self.assertEqual(r.status, 401, r)
            self.assertIn("token_file", r.json()["error"])
        self.assertEqual(self.get("/status").status, 200)  # reads need no token


class AdminOptOut(c.ControlTestCase):
    """admin_without_token: true on a loopback listener: admin actions need no token."""

    TOKEN = None
    CONTROL_EXTRA = ("admin_without_token: true",)

    def test_allowed_without_a_token(self):
        self.assertEqual(self.admin("drain", token=None, pool="web", member="a").status, 200)
        self.wait_until("a drained", lambda: self.member("web", "a")["drained"])
        self.assertEqual(self.admin("undrain", token=None, pool="web", member="a").status, 200)
        self.wait_until("a undrained", lambda: not self.member("web", "a")["drained"])


if __name__ == "__main__":
    p.main()
