# SPDX-License-Identifier: Apache-2.0
"""least_load over the real server: the member whose agent reports the most spare capacity is
answered; when the agents' reports swap, so does the answer."""

import pool_harness as p

A, B = "192.0.2.80", "192.0.2.81"


class LeastLoad(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.AgentPeer("127.0.0.22", "80%\n").start()
        cls.b = p.AgentPeer("127.0.0.23", "20%\n").start()
        return [cls.a, cls.b]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("agent", "agent") +
                 "pools:\n"
                 "  - name: ll\n"
                 "    policy: least_load\n"
                 "    max_records: 1\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: a, address: %s, check_address: 127.0.0.22,\n"
                 "         checks: [{template: agent, port: %d}]}\n"
                 "      - {name: b, address: %s, check_address: 127.0.0.23,\n"
                 "         checks: [{template: agent, port: %d}]}\n"
                 % (A, cls.a.port, B, cls.b.port))
        return p.zone_yaml([("ll", "ll", "30s", "5s")]), {"ll.pool.yaml": pools}

    def test_most_spare_capacity_wins(self):
        self.wait_ttl("ll", 30)  # both agents heard (not all down under serve_all)
        self.wait_answer("ll", [A])
        for _ in range(50):
            self.assertEqual(self.answer("ll"), [A], "a reports 80%, b 20%")
        self.a.reply, self.b.reply = "10%\n", "90%\n"
        self.wait_answer("ll", [B])
        for _ in range(50):
            self.assertEqual(self.answer("ll"), [B], "a reports 10%, b 90%")
        # the best member goes down: the next best answers
        self.b.reply = "down\n"
        self.wait_answer("ll", [A])


if __name__ == "__main__":
    p.main()
