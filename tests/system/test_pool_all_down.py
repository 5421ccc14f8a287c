# SPDX-License-Identifier: Apache-2.0
"""All-down behaviour per pool, with every member's check target refusing connections:
serve_all answers with the members anyway, nodata gives NOERROR with no answer and the SOA,
servfail gives SERVFAIL, fallback_pool answers from the fallback pool's members. A service is
degraded then, so its answers carry the degraded TTL."""

import time

import pool_harness as p

DEAD = ["192.0.2.90", "192.0.2.91"]


class AllDown(p.PoolTestCase):
    @classmethod
    def peers(cls):
        # bound, never listening: connections are refused for as long as the test runs
        cls.dead = p.refused_port("127.0.0.30")

        class Holder:
            def stop(self):
                cls.dead.close()
        return [Holder()]

    @classmethod
    def config(cls):
        port = cls.dead.getsockname()[1]
        pools = "version: 1\nchecks:\n" + p.fast_check("tcp-fast", port=port) + "pools:\n"
        for mode in ("serve_all", "nodata", "servfail", "fallback_pool"):
            pools += ("  - name: %s\n"
                      "    max_records: 4\n"
                      "    initial_state: down\n"
                      "    all_down: %s\n" % (mode.replace("_", "-"), mode))
            if mode == "fallback_pool":
                pools += "    fallback_pool: spare\n"
            pools += ("    checks: [tcp-fast]\n"
                      "    members:\n"
                      "      - {name: a, address: 192.0.2.90, check_address: 127.0.0.30}\n"
                      "      - {name: b, address: 192.0.2.91, check_address: 127.0.0.30}\n")
        pools += ("  - name: spare\n"
                  "    max_records: 4\n"
                  "    members:\n"
                  "      - {name: s1, address: 192.0.2.95}\n"
                  "      - {name: s2, address: 192.0.2.96}\n")
        services = [(n, n, "40s", "7s") for n in ("serve-all", "nodata", "servfail",
                                                 "fallback-pool")]
        return p.zone_yaml(services), {"down.pool.yaml": pools}

    def test_serve_all(self):
        r = self.query("serve-all")
        self.assertRcode(r, "NOERROR")
        self.assertSection(r, "answer", [("serve-all.gslb.example.", "A", 7, DEAD)])

    def test_nodata(self):
        r = self.query("nodata")
        self.assertNegative(r, "NOERROR", zone=p.GSLB_ZONE, what="nodata pool all down")

    def test_servfail(self):
        r = self.query("servfail")
        self.assertRcode(r, "SERVFAIL", "servfail pool all down")
        self.assertEqual(len(r.answer), 0, "no answer with SERVFAIL\n%s" % r)

    def test_fallback_pool(self):
        r = self.query("fallback-pool")
        self.assertRcode(r, "NOERROR")
        self.assertSection(r, "answer", [("fallback-pool.gslb.example.", "A", 7,
                                          ["192.0.2.95", "192.0.2.96"])])

    def test_still_down_after_checks_ran(self):
        """Not only the initial state: after several failed rounds the modes still apply."""
        time.sleep(p.INTERVAL * (p.FALL + 2))
        self.assertRcode(self.query("servfail"), "SERVFAIL")
        self.assertEqual(self.answer("fallback-pool"), ["192.0.2.95", "192.0.2.96"])


if __name__ == "__main__":
    p.main()
