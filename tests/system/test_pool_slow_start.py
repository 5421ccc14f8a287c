# SPDX-License-Identifier: Apache-2.0
"""Slow start over a real TCP peer: a member that comes back ramps its share of a weighted pool
linearly from 5% of its weight to all of it over slow_start, measured with /explain's fixed
seeds (the policy's seed injection) at several points of the ramp, within a tolerance band;
a member up at start does not ramp."""

import time

import control_harness as c
import pool_harness as p

A, B = "192.0.2.101", "192.0.2.102"
RAMP_S = 8.0
SEEDS = 200
FLOOR = 50  # per mille of the weight at the start of a ramp


def expected_permille(elapsed):
    if elapsed >= RAMP_S:
        return 1000
    return FLOOR + (1000 - FLOOR) * max(elapsed, 0.0) / RAMP_S


class SlowStart(c.ControlTestCase):
    @classmethod
    def peers(cls):
        cls.b = p.ListenerPeer("127.0.0.102").start()
        return [cls.b]

    @classmethod
    def services(cls):
        return [("web", "web", "30s", None)]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp") + "pools:\n"
                 "  - name: web\n    policy: weighted\n    max_records: 1\n"
                 "    slow_start: %dms\n    members:\n"
                 "      - {name: a, address: %s, checks: []}\n"
                 "      - {name: b, address: %s, check_address: %s,\n"
                 "         checks: [{template: tcp, port: %d}]}\n"
                 % (int(RAMP_S * 1000), A, B, cls.b.host, cls.b.port))
        return c.gslb_zone(cls.services(), 1, ()), {"slow.pool.yaml": pools}

    def member_b(self, seed):
        e = self.get_json("/explain?name=web.gslb.example&type=A&seed=%d" % seed)
        for m in e["service"]["members"]:
            if m["name"] == "b":
                return m, e["service"]["answer"]
        self.fail("no member b in /explain: %s" % e)

    def status_b(self):
        for pool in self.get_json("/status")["pools"]:
            for m in pool["members"]:
                if pool["name"] == "web" and m["name"] == "b":
                    return m
        self.fail("no member b of pool web in /status")

    def sample(self):
        """(b's share of the answers over the fixed seeds, b's reported ramp share)."""
        chosen = 0
        shares = []
        for seed in range(SEEDS):
            m, answer = self.member_b(seed)
            shares.append(m["slow_start"]["share"])
            chosen += answer == [B]
        return chosen / SEEDS, sum(shares) / len(shares)

    def test_ramp_after_recovery(self):
        self.wait_until("b up", lambda: self.member_b(0)[0]["up"])
        # Up since the start: no ramp, an even split.
        m, _ = self.member_b(0)
        self.assertEqual(m["slow_start"]["share"], 1.0, "a member up at start ramps: %s" % m)
        drawn, _ = self.sample()
        self.assertTrue(0.38 <= drawn <= 0.62, "no ramp: b's share %.3f, expected 0.5" % drawn)

        self.b.stop()
        self.wait_until("b down", lambda: not self.member_b(0)[0]["up"])
        self.b.start()
        self.wait_until("b up again", lambda: self.member_b(0)[0]["up"])
        recovered = time.monotonic()

        for target in (0.5, 3.5, 6.0, RAMP_S + 0.5):
            while time.monotonic() - recovered < target:
                time.sleep(0.05)
            start = time.monotonic() - recovered
            drawn, share = self.sample()
            status = self.status_b()["slow_start"]
            end = time.monotonic() - recovered
            low = expected_permille(start) / 1000 - 0.05
            high = expected_permille(end) / 1000 + 0.05
            # /status reports the same share as the draw, by the same rule.
            self.assertTrue(low <= status["share"] <= high,
                            "%.1f..%.1f s into the ramp: /status share %.3f, expected %.3f..%.3f"
                            % (start, end, status["share"], low, high))
            self.assertEqual(status["ramping"], status["share"] < 1.0, status)
            self.assertEqual(status["ms"], int(RAMP_S * 1000), status)
            self.assertTrue(low <= share <= high,
                            "%.1f..%.1f s into the ramp: share %.3f, expected %.3f..%.3f"
                            % (start, end, share, low, high))
            # Weights a = 1, b = share: b is drawn with probability share / (1 + share).
            want = share / (1 + share)
            print("%.2f..%.2f s into the ramp: reported share %.3f, b drawn %.3f (expected %.3f)"
                  % (start, end, share, drawn, want))
            self.assertTrue(abs(drawn - want) <= 0.09,
                            "%.1f s into the ramp: b drawn %.3f, expected %.3f +- 0.09 (share %.3f)"
                            % (start, drawn, want, share))
        self.assertEqual(self.member_b(0)[0]["slow_start"]["share"], 1.0)
        self.assertEqual(self.status_b()["slow_start"]["share"], 1.0)
        self.assertFalse(self.status_b()["slow_start"]["ramping"])


if __name__ == "__main__":
    p.main()
