# SPDX-License-Identifier: Apache-2.0
"""Pool-level min_healthy with policies that had none (round_robin, weighted): with fewer
serving members than min_healthy the pool counts as all down and all_down decides (nodata here,
a fallback pool there); /explain and the log say so."""

import time

import control_harness as c
import pool_harness as p

A, B, C = "192.0.2.91", "192.0.2.92", "192.0.2.93"
SPARE = "192.0.2.99"


class MinHealthy(c.ControlTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.91").start()
        cls.b = p.ListenerPeer("127.0.0.92").start()
        cls.c = p.ListenerPeer("127.0.0.93").start()
        return [cls.a, cls.b, cls.c]

    @classmethod
    def services(cls):
        return [("rr", "rr", "30s", None), ("w", "w", "30s", None)]

    @classmethod
    def config(cls):
        def members(*peers):
            return "".join(
                "      - {name: %s, address: %s, check_address: %s,\n"
                "         checks: [{template: tcp, port: %d}]}\n" % (name, address, peer.host, peer.port)
                for name, address, peer in peers)
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp") + "pools:\n"
                 "  - name: rr\n    policy: round_robin\n    max_records: 3\n"
                 "    min_healthy: 2\n    all_down: nodata\n    members:\n" +
                 members(("a", A, cls.a), ("b", B, cls.b)) +
                 "  - name: w\n    policy: weighted\n    max_records: 3\n"
                 "    min_healthy: 3\n    all_down: fallback_pool\n    fallback_pool: spare\n"
                 "    members:\n" +
                 members(("a", A, cls.a), ("b", B, cls.b), ("c", C, cls.c)) +
                 "  - name: spare\n    members:\n      - {name: s, address: %s}\n" % SPARE)
        return c.gslb_zone(cls.services(), 1, ()), {"mh.pool.yaml": pools}

    def test_round_robin_short_of_members_is_nodata(self):
        self.wait_answer("rr", [A, B])
        self.b.stop()
        self.wait_answer("rr", [])  # a still serves, but one is fewer than min_healthy 2
        e = self.get_json("/explain?name=rr.gslb.example&type=A")
        pool = e["service"]["pools"][0]
        self.assertTrue(pool["below_min_healthy"], pool)
        self.assertEqual(pool["serving"], 1)
        self.assertEqual(pool["min_healthy"], 2)
        self.assertIn("fewer than its min_healthy (2)", pool["all_down_reason"])
        a = [m for m in e["service"]["members"] if m["name"] == "a"][0]
        self.assertEqual(a["reason_code"], "pool_short", a)
        self.assertEqual(e["service"]["outcome"], "all_down")
        # The health loop's all-down line follows the same rule as the answers.
        wanted = "pool rr counts as all down for A answers: 1 serving (a), min_healthy 2"
        deadline = time.monotonic() + 5
        while wanted not in self.server.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(wanted, self.server.stderr_text())
        self.b.start()
        self.wait_answer("rr", [A, B])
        deadline = time.monotonic() + 5
        back = "pool rr is no longer all down for A answers"
        while back not in self.server.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(back, self.server.stderr_text())

    def test_weighted_short_of_members_falls_back(self):
        self.wait_answer("w", [A, B, C])
        self.c.stop()
        self.wait_answer("w", [SPARE])  # two serve, min_healthy 3: the fallback pool answers
        self.c.start()
        self.wait_answer("w", [A, B, C])


if __name__ == "__main__":
    p.main()
