# SPDX-License-Identifier: Apache-2.0
"""GET /explain: for a service name, the zone, service, pool, policy, each candidate with its
health, whether it was chosen and why, and the TTL, agreeing with the DNS answer; after the
preferred member's listener stops, the decision and the reasons change. Static, missing and
out-of-zone names; client parameters; bad requests."""

import control_harness as c
import pool_harness as p

FAILOVER = ("  - name: fo\n"
            "    policy: failover\n"
            "    max_records: 1\n"
            "    initial_state: down\n"
            "    members:\n"
            "      - {name: a, address: 192.0.2.81, priority: 0, check_address: 127.0.0.71,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n"
            "      - {name: b, address: 192.0.2.82, priority: 1, check_address: 127.0.0.72,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n")


class Explain(c.ControlTestCase):
    @classmethod
    def services(cls):
        return [("web", "web", "30s", "5s"), ("fo", "fo", "20s", "3s")]

    @classmethod
    def pool_text(cls, **kwargs):
        return c.pool_file(cls.a.port, cls.b.port,
                           extra_pools=FAILOVER % (cls.a.port, cls.b.port), **kwargs)

    def explain(self, **params):
        q = "&".join("%s=%s" % kv for kv in params.items())
        return self.get_json("/explain?" + q)

    def by_name(self, e, pool):
        return {m["name"]: m for m in e["service"]["members"] if m["pool"] == pool}

    def wait_fo_both_up(self):
        self.wait_until("fo a and b up", lambda: all(
            self.member("fo", n)["up"] for n in ("a", "b")))

    def test_a_failover_service(self):
        self.wait_both_up()
        self.wait_fo_both_up()
        e = self.explain(name="fo.gslb.example", type="A", client="198.51.100.7")
        self.assertEqual(e["name"], "fo.gslb.example.")
        self.assertEqual(e["type"], "A")
        self.assertEqual(e["zone"], "gslb.example.")
        self.assertEqual(e["client"], "198.51.100.7/32")
        self.assertEqual(e["result"], "NOERROR")
        self.assertEqual([s["kind"] for s in e["steps"]], ["service"])
        svc = e["service"]
        self.assertEqual(svc["name"], "fo.gslb.example.")
        self.assertEqual(svc["pool"], "fo")
        self.assertEqual(svc["policy"], "failover")
        self.assertEqual(svc["outcome"], "normal")
        self.assertEqual(svc["ttl"], {"normal": 20, "degraded": 3, "used": 20})
        self.assertIsNone(svc["ecs_scope"])
        self.assertEqual(svc["answer"], ["192.0.2.81"])
        members = self.by_name(e, "fo")
        self.assertTrue(members["a"]["chosen"], members)
        self.assertTrue(members["a"]["up"], members)
        self.assertIn("priority group 0", members["a"]["reason"])
        self.assertFalse(members["b"]["chosen"], members)
        self.assertEqual(members["b"]["reason"], "priority group 0 is serving, and groups with "
                         "lower priority values come first")
        self.assertEqual(members["a"]["reason_code"], "chosen")
        self.assertEqual(members["b"]["reason_code"], "group_later")
        self.assertEqual(svc["pools"], [{"name": "fo", "policy": "failover",
                                         "decided_by": "failover", "all_down": False,
                                         "min_healthy": 1, "serving": 2,
                                         "below_min_healthy": False,
                                         "failover_group": 0, "failover_held": False}])
        self.assertEqual(self.answer("fo"), ["192.0.2.81"], "DNS disagrees with explain")
        self.assertEqual(self.ttl_of("fo"), 20)

        self.a.stop()
        try:
            self.wait_answer("fo", ["192.0.2.82"])
            e = self.explain(name="fo.gslb.example", type="A")
            members = self.by_name(e, "fo")
            self.assertEqual(e["service"]["answer"], ["192.0.2.82"])
            self.assertFalse(members["a"]["chosen"])
            self.assertFalse(members["a"]["up"])
            self.assertEqual(members["a"]["reason"], "down")
            self.assertEqual(members["a"]["reason_code"], "down")
            self.assertEqual(e["service"]["pools"][0]["failover_group"], 1)
            self.assertTrue(members["b"]["chosen"])
            self.assertIn("priority group 1", members["b"]["reason"])
            self.assertEqual(e["client"], "127.0.0.1/32")  # the connection's address
        finally:
            self.restart(self.a)
        self.wait_answer("fo", ["192.0.2.81"])

    def test_b_weighted_service_and_family(self):
        self.wait_both_up()
        e = self.explain(name="web.gslb.example")  # type defaults to A
        self.assertEqual(e["type"], "A")
        svc = e["service"]
        self.assertEqual(sorted(svc["answer"]), c.BOTH)
        for m in svc["members"]:
            self.assertTrue(m["chosen"], m)
            self.assertEqual(m["reason"], "chosen by weighted draw")
            self.assertEqual(m["effective_weight"], 100 * 100)
        self.assertIn("weight x agent_weight", e["notes"]["effective_weight"])
        self.assertIn("same seed gives the same draw", e["notes"]["seed"])
        e = self.explain(name="web.gslb.example", type="AAAA")
        self.assertEqual(e["result"], "NODATA")
        self.assertEqual(e["service"]["answer"], [])
        for m in e["service"]["members"]:
            self.assertEqual(m["reason"], "other family", m)
            self.assertEqual(m["reason_code"], "other_family", m)

    def test_c_static_missing_and_outside(self):
        e = self.explain(name="ns1.example.com", type="A")
        self.assertEqual(e["zone"], "example.com.")
        self.assertEqual(e["result"], "NOERROR")
        self.assertNotIn("service", e)
        self.assertEqual([s["kind"] for s in e["steps"]], ["static"])
        self.assertIn("static A RRset of 1 record(s)", e["steps"][0]["detail"])

        e = self.explain(name="no-such-name.example.com", type="A")
        self.assertEqual(e["result"], "NXDOMAIN")
        self.assertEqual(e["steps"][-1]["kind"], "nxdomain")

        e = self.explain(name="www.example.net")
        self.assertIsNone(e["zone"])
        self.assertEqual(e["result"], "REFUSED")

        e = self.explain(name="web.gslb.example", type="TXT")
        self.assertEqual(e["result"], "NODATA")

    def test_d_bad_requests(self):
        for target in ("/explain", "/explain?name=web.gslb.example&type=BOGUS",
                       "/explain?name=web.gslb.example&client=not-an-address",
                       "/explain?name=web.gslb.example&client=192.0.2.1/33"):
            r = self.get(target)
            self.assertEqual(r.status, 400, "%s: %r" % (target, r))
            self.assertIn("error", r.json())

    def test_e_gslbctl_explain(self):
        self.wait_both_up()
        self.wait_fo_both_up()
        r = self.ctl_ok("explain", "fo.gslb.example", "A", "198.51.100.0/24", token=False)
        self.assertIn("service fo.gslb.example. -> pool fo (policy failover", r.stdout)
        self.assertIn("answer: 192.0.2.81", r.stdout)
        self.assertRegex(r.stdout, r"fo\s+b\s+192\.0\.2\.82\s+up\s+100\s+.*no\s+priority group 0 "
                         r"is serving, and groups with lower priority values come first")
        self.assertIn("(WEIGHT: the configured weight, relative to the pool's other members",
                      r.stdout)
        self.assertRegex(r.stdout, r"seed \d+: the random draw of this explanation")
        self.assertIn("result: NOERROR", r.stdout)
        r = self.ctl_ok("explain", "ns1.example.com", token=False)
        self.assertIn("static A RRset", r.stdout)
        r = self.ctl_ok("--json", "explain", "fo.gslb.example", token=False)
        self.assertEqual(c.json.loads(r.stdout)["service"]["pool"], "fo")

    def test_f_wildcard_and_delegation(self):
        e = self.explain(name="any.w.example.com", type="TXT")
        self.assertEqual(e["result"], "NOERROR")
        self.assertEqual(len(e["steps"]), 1, e["steps"])
        step = e["steps"][0]
        self.assertEqual(step["owner"], "any.w.example.com.")
        self.assertEqual(step["kind"], "static")
        self.assertEqual(step["match"], "wildcard")
        self.assertEqual(step["source_of_synthesis"], "*.w.example.com.")
        self.assertEqual(step["closest_encloser"], "w.example.com.")
        self.assertNotIn("cut", step)

        # RFC 4592: x.w exists (an empty non-terminal), so nothing below it is synthesised.
        e = self.explain(name="y.x.w.example.com", type="TXT")
        self.assertEqual(e["result"], "NXDOMAIN")
        self.assertEqual(e["steps"][0]["match"], "nxdomain")
        self.assertEqual(e["steps"][0]["closest_encloser"], "x.w.example.com.")

        e = self.explain(name="foo.wc.example.com", type="A")
        self.assertEqual([(s["kind"], s["match"]) for s in e["steps"]],
                         [("cname", "wildcard"), ("static", "exact")])
        self.assertEqual(e["steps"][0]["target"], "www.example.com.")
        self.assertEqual(e["result"], "NOERROR")

        e = self.explain(name="a.b.child.example.com", type="A")
        self.assertEqual(e["result"], "referral")
        step = e["steps"][0]
        self.assertEqual((step["kind"], step["match"]), ("referral", "delegation"))
        self.assertEqual(step["cut"], "child.example.com.")
        self.assertEqual(step["closest_encloser"], "child.example.com.")
        self.assertEqual(step["detail"], "delegated at child.example.com.")

        # DS at the cut is the parent's: the cut's own node, without DS records.
        e = self.explain(name="child.example.com", type="DS")
        self.assertEqual(e["result"], "NODATA")
        self.assertEqual(e["steps"][0]["match"], "exact")
        self.assertEqual(e["steps"][0]["cut"], "child.example.com.")

        e = self.explain(name="tochild.example.com", type="A")
        self.assertEqual([s["kind"] for s in e["steps"]], ["cname", "referral"])
        self.assertEqual(e["result"], "referral")


if __name__ == "__main__":
    p.main()
