# SPDX-License-Identifier: Apache-2.0
"""failover over the real server: the priority 0 group answers; when its target stops the
priority 1 group answers; with preempt the recovered group takes over again, without preempt
the pool stays on the group it moved to while that group is healthy."""

import time

import pool_harness as p

PRIMARY, SECONDARY = ["192.0.2.50"], ["192.0.2.51"]


class Failover(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.p0 = p.ListenerPeer("127.0.0.7").start()
        cls.p1 = p.ListenerPeer("127.0.0.8").start()
        return [cls.p0, cls.p1]

    @classmethod
    def config(cls):
        pools = "version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
        for name, preempt in (("pre", "true"), ("sticky", "false")):
            pools += ("  - name: %s\n"
                      "    policy: failover\n"
                      "    max_records: 2\n"
                      "    initial_state: up\n"
                      "    failover: {min_healthy: 1, preempt: %s}\n"
                      "    members:\n"
                      "      - {name: p0, address: 192.0.2.50, priority: 0, check_address: 127.0.0.7,\n"
                      "         checks: [{template: tcp-fast, port: %d}]}\n"
                      "      - {name: p1, address: 192.0.2.51, priority: 1, check_address: 127.0.0.8,\n"
                      "         checks: [{template: tcp-fast, port: %d}]}\n"
                      % (name, preempt, cls.p0.port, cls.p1.port))
        zone = p.zone_yaml([("pre", "pre", "30s", None), ("sticky", "sticky", "30s", None)])
        return zone, {"failover.pool.yaml": pools}

    def test_order_and_preempt(self):
        # both groups up: only priority 0 answers (max_records 2 would allow both)
        self.wait_answer("pre", PRIMARY)
        self.wait_answer("sticky", PRIMARY)
        for _ in range(20):
            self.assertEqual(self.answer("pre"), PRIMARY)

        self.p0.stop()
        self.wait_answer("pre", SECONDARY)
        self.wait_answer("sticky", SECONDARY)

        self.p0.start()
        self.wait_answer("pre", PRIMARY)   # preempt: back as soon as p0 has risen
        # without preempt: stays on p1 while p1 is healthy (p0 has been up for a while now)
        time.sleep(p.INTERVAL * (p.RISE + 3))
        for _ in range(20):
            self.assertEqual(self.answer("sticky"), SECONDARY, "no-preempt pool moved back")
            self.assertEqual(self.answer("pre"), PRIMARY)

        # the group it moved to fails: back to priority 0
        self.p1.stop()
        self.wait_answer("sticky", PRIMARY)
        self.p1.start()
        time.sleep(p.INTERVAL * (p.RISE + 3))
        self.assertEqual(self.answer("sticky"), PRIMARY, "sticky pool left priority 0")


if __name__ == "__main__":
    p.main()
