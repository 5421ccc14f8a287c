# SPDX-License-Identifier: Apache-2.0
"""Agent checks (HAProxy agent-check text protocol) against real TCP agents: drain removes a
member from new answers while it keeps being checked; NN% changes its share; down removes it."""

import pool_harness as p

QUERIES = 400


class AgentHealth(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.AgentPeer("127.0.0.5", "up 100%\n").start()
        cls.b = p.AgentPeer("127.0.0.6", "up 100%\n").start()
        return [cls.a, cls.b]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("agent", "agent") +
                 "pools:\n")
        for name, mr in (("two", 2), ("one", 1)):
            pools += ("  - name: %s\n"
                      "    max_records: %d\n"
                      "    initial_state: down\n"
                      "    members:\n"
                      "      - {name: a, address: 192.0.2.30, check_address: 127.0.0.5,\n"
                      "         weight: 100, checks: [{template: agent, port: %d}]}\n"
                      "      - {name: b, address: 192.0.2.31, check_address: 127.0.0.6,\n"
                      "         weight: 100, checks: [{template: agent, port: %d}]}\n"
                      % (name, mr, cls.a.port, cls.b.port))
        zone = p.zone_yaml([("two", "two", "30s", "5s"), ("one", "one", "30s", "5s")])
        return zone, {"agent.pool.yaml": pools}

    def setUp(self):
        self.a.reply = self.b.reply = "up ready 100%\n"
        self.wait_answer("two", ["192.0.2.30", "192.0.2.31"])
        self.wait_ttl("two", 30)  # both serving, not just answered by serve_all
        self.wait_ttl("one", 30)

    def test_drain_keeps_checking(self):
        self.b.reply = "drain\n"
        self.wait_answer("two", ["192.0.2.30"])
        checked = self.b.accepted
        self.wait_until("b is still checked while drained", lambda: self.b.accepted >= checked + 3)
        for _ in range(50):
            self.assertEqual(self.answer("two"), ["192.0.2.30"], "drained b in a new answer")
        self.b.reply = "ready\n"
        self.wait_answer("two", ["192.0.2.30", "192.0.2.31"])

    def test_maint_drains(self):
        self.a.reply = "maint\n"
        self.wait_answer("two", ["192.0.2.31"])

    def test_down_removes(self):
        self.b.reply = "down\n"
        self.wait_answer("two", ["192.0.2.30"])
        self.b.reply = "up\n"
        self.wait_answer("two", ["192.0.2.30", "192.0.2.31"])

    def test_weight_changes_share(self):
        counts = self.shares("one", QUERIES)
        share_b = counts.get("192.0.2.31", 0) / QUERIES
        self.assertTrue(0.40 <= share_b <= 0.60, "equal agent weights: b share %.3f" % share_b)

        checked = self.b.accepted
        self.b.reply = "25%\n"
        # three probes after the change: the later ones surely read the new reply
        self.wait_until("b's agent is probed after the change", lambda: self.b.accepted >= checked + 3)
        counts = self.shares("one", QUERIES)
        share_b = counts.get("192.0.2.31", 0) / QUERIES
        # 100 x 25% vs 100 x 100%: expect 20%
        self.assertTrue(0.12 <= share_b <= 0.28,
                        "agent 25%% vs 100%%: b share %.3f, expected 0.20 +- 0.08" % share_b)
        self.assertEqual(sum(counts.values()), QUERIES, "one record per answer")


if __name__ == "__main__":
    p.main()
