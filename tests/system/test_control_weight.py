# SPDX-License-Identifier: Apache-2.0
"""POST /admin/weight and gslbctl weight: an operator's weight replaces the member's configured
weight in the draw (the answer shares move to it, within the weighted tests' tolerance band),
shows in /status and /explain, goes back with weight=auto or when its expiry runs out, and is
refused without the token or with a weight out of range."""

import time

import control_harness as c
import pool_harness as p

QUERIES = 1000
SLACK = 5.0
A40, B41 = "192.0.2.40", "192.0.2.41"


class Weight(c.ControlTestCase):
    @classmethod
    def services(cls):
        return [("web", "web", "30s", "5s"), ("w13", "w13", "30s", None)]

    @classmethod
    def pool_text(cls, **kwargs):
        extra = ("  - name: w13\n"
                 "    policy: weighted\n"
                 "    max_records: 1\n"
                 "    members:\n"
                 "      - {name: a, address: %s, weight: 100}\n"
                 "      - {name: b, address: %s, weight: 300}\n" % (A40, B41))
        return c.pool_file(cls.a.port, cls.b.port, extra_pools=extra, **kwargs)

    def share_of_a(self):
        counts = self.shares("w13", QUERIES)
        self.assertEqual(sum(counts.values()), QUERIES, counts)
        return counts.get(A40, 0) / QUERIES, counts

    def wait_override(self, member, value, timeout=2.0):
        self.wait_until("w13/%s weight_override %r" % (member, value),
                        lambda: self.member("w13", member)["weight_override"] == value, timeout)

    def tearDown(self):
        for m in ("a", "b"):
            self.admin("weight", pool="w13", member=m, weight="auto")
        super().tearDown()

    def test_a_override_moves_the_shares_and_auto_undoes_it(self):
        share, counts = self.share_of_a()
        self.assertTrue(0.19 <= share <= 0.31, "configured 100 vs 300: %.3f %s" % (share, counts))
        r = self.admin_ok("weight", pool="w13", member="b", weight="100")
        self.assertEqual((r["pool"], r["member"], r["weight"]), ("w13", "b", 100))
        self.assertIsNone(r["expires_at"])
        self.wait_override("b", 100)
        m = self.member("w13", "b")
        self.assertEqual(m["weight"], 300, "the configured weight is still shown: %s" % m)
        share, counts = self.share_of_a()
        self.assertTrue(0.42 <= share <= 0.58, "100 vs override 100: %.3f %s" % (share, counts))
        e = self.get_json("/explain?name=w13.%s&type=A&seed=7" % p.GSLB_ZONE)
        members = {x["name"]: x for x in e["service"]["members"] if x["pool"] == "w13"}
        self.assertEqual(members["b"]["weight_override"], 100, members["b"])
        self.assertEqual(members["b"]["effective_weight"], 100 * 100, members["b"])
        self.assertIsNone(members["a"]["weight_override"], members["a"])
        # weight 0: never chosen while another member can be
        self.admin_ok("weight", pool="w13", member="a", weight="0")
        self.wait_override("a", 0)
        for _ in range(100):
            self.assertEqual(self.answer("w13"), [B41], "override 0 answered")
        self.admin_ok("weight", pool="w13", member="a", weight="auto")
        self.admin_ok("weight", pool="w13", member="b", weight="auto")
        self.wait_override("b", None)
        self.wait_override("a", None)
        share, counts = self.share_of_a()
        self.assertTrue(0.19 <= share <= 0.31, "back to 100 vs 300: %.3f %s" % (share, counts))

    def test_b_override_expires(self):
        t0 = time.monotonic()
        r = self.admin_ok("weight", pool="w13", member="b", weight="0", expires="1s")
        self.assertIsNotNone(r["expires_at"])
        self.wait_override("b", 0, timeout=0.8)
        if time.monotonic() - t0 < 0.8:
            self.assertEqual(self.answer("w13"), [A40])
        self.wait_override("b", None, timeout=1.0 + SLACK)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9, "the override ended before its expiry")
        self.wait_until("b answers again", lambda: self.answer("w13") == [B41], SLACK)

    def test_c_refused(self):
        self.assertEqual(self.admin("weight", token=None, pool="w13", member="a",
                                    weight="5").status, 401)
        for bad in ("x", "-1", "1000001", "1.5", ""):
            r = self.admin("weight", pool="w13", member="a", weight=bad)
            self.assertEqual(r.status, 400, "weight=%r: %r" % (bad, r))
        r = self.admin("weight", pool="w13", member="a", weight="auto", expires="1s")
        self.assertEqual(r.status, 400, r)
        r = self.admin("weight", pool="w13", member="a", weight="5", expires="soon")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.admin("weight", pool="w13", member="zz", weight="5").status, 404)
        self.assertEqual(self.admin("weight", pool="w13", member="a").status, 400)
        # the largest weight a pool file allows is accepted
        self.admin_ok("weight", pool="w13", member="a", weight="1000000")
        self.wait_override("a", 1000000)
        self.assertIsNone(self.member("w13", "b")["weight_override"])

    def test_d_gslbctl(self):
        r = self.ctl_ok("weight", "w13", "a", "0", "--expires", "10m")
        self.assertIn("w13/a weight 0 until", r.stdout)
        self.wait_override("a", 0)
        r = self.ctl_ok("weight", "w13", "a", "auto")
        self.assertIn("configured weight again", r.stdout)
        self.wait_override("a", None)
        r = self.ctl("weight", "w13", "a", "auto", "--expires", "1s")
        self.assertEqual(r.returncode, 2, r)
        r = self.ctl("weight", "w13", "a", "3", token=False)
        self.assertNotEqual(r.returncode, 0, r)


if __name__ == "__main__":
    c.main()
