# SPDX-License-Identifier: Apache-2.0
"""initial_state: a `down` member is absent until `rise` checks succeeded; an `up` member is
present at once (and leaves only after `fall` failures). Checks run every second here so that
the start of the server is well inside the first rise/fall period."""

import time
import unittest

import pool_harness as p

N_DOWN, D = "192.0.2.150", "192.0.2.151"
N_UP, U = "192.0.2.152", "192.0.2.153"
RISE_FALL = 4           # at 1 s intervals: about 3 s from the first check to a state change
START_BUDGET = 2.0      # the first queries must come within this of starting the server


class InitialState(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.live = p.ListenerPeer("127.0.0.50").start()
        cls.dead = p.refused_port("127.0.0.51")

        class Holder:
            def stop(self):
                cls.dead.close()
        return [cls.live, Holder()]

    @classmethod
    def config(cls):
        slow = ("  - name: slow\n    type: tcp\n    port: 9\n    interval: 1s\n"
                "    timeout: 200ms\n    rise: %d\n    fall: %d\n    jitter: 0\n"
                % (RISE_FALL, RISE_FALL))
        pools = ("version: 1\nchecks:\n" + slow + "pools:\n"
                 "  - name: cold\n"
                 "    max_records: 4\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: n, address: %s}\n"
                 "      - {name: d, address: %s, check_address: 127.0.0.50,\n"
                 "         checks: [{template: slow, port: %d}]}\n"
                 "  - name: warm\n"
                 "    max_records: 4\n"
                 "    initial_state: up\n"
                 "    members:\n"
                 "      - {name: n, address: %s}\n"
                 "      - {name: u, address: %s, check_address: 127.0.0.51,\n"
                 "         checks: [{template: slow, port: %d}]}\n"
                 % (N_DOWN, D, cls.live.port, N_UP, U, cls.dead.getsockname()[1]))
        zone = p.zone_yaml([("cold", "cold", "30s", None), ("warm", "warm", "30s", None)])
        return zone, {"state.pool.yaml": pools}

    @classmethod
    def setUpClass(cls):
        cls.started = time.monotonic()
        super().setUpClass()

    def test_initial_states(self):
        cold, warm = self.answer("cold"), self.answer("warm")
        elapsed = time.monotonic() - self.started
        if elapsed > START_BUDGET:
            raise unittest.SkipTest("server took %.1f s to start; the initial state cannot be "
                                    "observed before the first %d checks" % (elapsed, RISE_FALL))
        self.assertEqual(cold, [N_DOWN], "initial_state down: d absent before rise")
        self.assertEqual(warm, [N_UP, U], "initial_state up: u present at once")
        # d comes up after rise successes; u goes after fall failures
        self.wait_answer("cold", [N_DOWN, D])
        self.wait_answer("warm", [N_UP])
        took = time.monotonic() - self.started
        self.assertGreater(took, (RISE_FALL - 1) * 1.0 - 0.5,
                           "states changed after %.1f s, before %d checks at 1 s" % (took, RISE_FALL))


if __name__ == "__main__":
    p.main()
