# SPDX-License-Identifier: Apache-2.0
"""GET /status: every zone with its serial; pool web with members a and b, their state, since
when, RTT, answers served, and last_error once b's listener has stopped; HEAD and wrong
methods."""

import datetime

import control_harness as c
import pool_harness as p


class Status(c.ControlTestCase):
    def test_a_zones_and_server(self):
        s = self.status()
        zones = {z["name"]: z for z in s["zones"]}
        self.assertEqual(zones["example.com."]["serial"], 2024010101)
        self.assertEqual(zones["gslb.example."]["serial"], 1)
        self.assertEqual(zones["gslb.example."]["services"], 1)
        self.assertTrue(s["serving"])
        self.assertGreaterEqual(s["generation"], 1)
        self.assertTrue(s["version"])
        started = c.rfc3339(s["started"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - started).total_seconds()), 600, s["started"])

    def test_b_members_up_with_rtt_and_answers(self):
        self.wait_both_up()
        self.wait_until("first_round_done", lambda: self.status()["first_round_done"])
        before = {m: self.member("web", m)["answers"] for m in ("a", "b")}
        for _ in range(5):
            self.assertEqual(self.answer("web"), c.BOTH)
        s = self.status()
        pools = {pl["name"]: pl for pl in s["pools"]}
        web = pools["web"]
        self.assertEqual(web["policy"], "weighted")
        self.assertEqual(web["all_down"], "serve_all")
        self.assertEqual(web["serving"], 2)
        self.assertEqual([m["name"] for m in web["members"]], ["a", "b"])
        for m, address in zip(web["members"], c.BOTH):
            what = "member %s: %s" % (m["name"], m)
            self.assertEqual(m["address"], address, what)
            self.assertTrue(m["up"], what)
            self.assertTrue(m["known"], what)
            self.assertTrue(m["serving"], what)
            self.assertFalse(m["drained"], what)
            self.assertFalse(m["forced"], what)
            self.assertEqual(m["last_error"], "", what)
            self.assertIsNotNone(m["since"], what)
            c.rfc3339(m["since"])
            self.assertGreater(m["rtt_ms"], 0, what)
            self.assertLess(m["rtt_ms"], 1000, what)
            self.assertEqual(m["agent_weight"], 100, what)
            self.assertEqual(m["weight"], 100, what)
            self.assertEqual(m["checks"], 1, what)
            self.assertEqual(m["answers"] - before[m["name"]], 5, what)

    def test_c_last_error_and_since_after_a_failure(self):
        self.wait_both_up()
        up_since = c.rfc3339(self.member("web", "b")["since"])
        # since has whole seconds: compare with the stop time truncated to the second
        stopped = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.assertLessEqual(up_since, stopped)
        self.b.stop()
        try:
            self.wait_member_up("b", False)
            m = self.member("web", "b")
            self.assertFalse(m["serving"], m)
            self.assertTrue(m["known"], m)
            self.assertNotEqual(m["last_error"], "", "no last_error after a failed check: %s" % m)
            self.assertIn("refused", m["last_error"].lower(), m)
            self.assertGreaterEqual(c.rfc3339(m["since"]), stopped, m)
            self.assertLess(c.rfc3339(m["since"]) - stopped, datetime.timedelta(seconds=30), m)
            web = [pl for pl in self.status()["pools"] if pl["name"] == "web"][0]
            self.assertEqual(web["serving"], 1)
            self.assertEqual(self.member("web", "a")["last_error"], "")
        finally:
            self.restart(self.b)
        self.wait_member_up("b", True)

    def test_d_methods(self):
        r = c.request(self.cport, "HEAD", "/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        r = c.request(self.cport, "POST", "/status")
        self.assertEqual(r.status, 405, r)
        self.assertIn("GET", r.headers.get("allow", ""))
        r = self.get("/admin/drain?pool=web&member=a")
        self.assertEqual(r.status, 405, r)
        self.assertEqual(r.headers.get("allow"), "POST")


if __name__ == "__main__":
    p.main()
