# SPDX-License-Identifier: Apache-2.0
"""TCP health checks against real listeners: a member whose target stops listening leaves the
answers within interval x fall (plus slack) and comes back after rise successes."""

import time

import pool_harness as p

SLACK = 3.0  # scheduling, ASan


class TcpHealth(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.2").start()
        cls.b = p.ListenerPeer("127.0.0.3").start()
        return [cls.a, cls.b]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") +
                 "pools:\n"
                 "  - name: web\n"
                 "    policy: weighted\n"
                 "    max_records: 2\n"
                 "    initial_state: down\n"
                 "    checks: [tcp-fast]\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.10, check_address: 127.0.0.2,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: b, address: 192.0.2.11, check_address: 127.0.0.3,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n" % (cls.a.port, cls.b.port))
        return p.zone_yaml([("web", "web", "30s", "5s")]), {"web.pool.yaml": pools}

    def test_target_leaves_and_returns(self):
        both = ["192.0.2.10", "192.0.2.11"]
        self.wait_ttl("web", 30)  # both up (not all down answered by serve_all)
        self.assertEqual(self.answer("web"), both)
        accepted = self.b.accepted
        self.assertGreater(accepted, 0, "the check never connected to b's listener")

        self.b.stop()
        t0 = time.monotonic()
        self.wait_answer("web", ["192.0.2.10"])
        gone = time.monotonic() - t0
        bound = p.INTERVAL * p.FALL + SLACK
        self.assertLess(gone, bound, "b left the answers after %.2f s, bound %.2f s" % (gone, bound))
        # it stays out while its target is closed
        for _ in range(20):
            self.assertEqual(self.answer("web"), ["192.0.2.10"], "b answered while down")
            time.sleep(0.02)

        self.b.start()
        t0 = time.monotonic()
        self.wait_ttl("web", 30)
        back = time.monotonic() - t0
        self.assertEqual(self.answer("web"), both)
        bound = p.INTERVAL * p.RISE + SLACK
        self.assertLess(back, bound, "b came back after %.2f s, bound %.2f s" % (back, bound))
        self.assertGreater(self.b.accepted, accepted, "no check reached b after it listened again")

    def test_aaaa_of_v4_pool_is_nodata(self):
        r = self.query("web", "AAAA")
        self.assertNegative(r, "NOERROR", zone=p.GSLB_ZONE, what="web AAAA")


if __name__ == "__main__":
    p.main()
