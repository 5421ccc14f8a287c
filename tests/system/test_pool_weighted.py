# SPDX-License-Identifier: Apache-2.0
"""weighted and round_robin over the real server: shares follow the weights within a tolerance
band; round_robin visits every member in a fixed rotation; weight 0 is only a last resort."""

import pool_harness as p

QUERIES = 1000


class Weighted(p.PoolTestCase):
    @classmethod
    def config(cls):
        pools = ("version: 1\npools:\n"
                 "  - name: w13\n"
                 "    policy: weighted\n"
                 "    max_records: 1\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.40, weight: 100}\n"
                 "      - {name: b, address: 192.0.2.41, weight: 300}\n"
                 "  - name: w2of3\n"
                 "    policy: weighted\n"
                 "    max_records: 2\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.42}\n"
                 "      - {name: b, address: 192.0.2.43}\n"
                 "      - {name: c, address: 192.0.2.44}\n"
                 "  - name: w0\n"
                 "    policy: weighted\n"
                 "    max_records: 2\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.45, weight: 0}\n"
                 "      - {name: b, address: 192.0.2.46, weight: 10}\n"
                 "  - name: rr\n"
                 "    policy: round_robin\n"
                 "    max_records: 1\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.47}\n"
                 "      - {name: b, address: 192.0.2.48}\n"
                 "      - {name: c, address: 192.0.2.49}\n")
        zone = p.zone_yaml([(n, n, "30s", None) for n in ("w13", "w2of3", "w0", "rr")])
        return zone, {"policies.pool.yaml": pools}

    def test_weights_1_to_3(self):
        counts = self.shares("w13", QUERIES)
        self.assertEqual(sum(counts.values()), QUERIES, "exactly one record per answer: %s" % counts)
        share = counts.get("192.0.2.40", 0) / QUERIES
        self.assertTrue(0.19 <= share <= 0.31,
                        "weight 100 vs 300: share %.3f, expected 0.25 +- 0.06 (%s)" % (share, counts))

    def test_distinct_records(self):
        seen = set()
        for _ in range(300):
            a = self.answer("w2of3")
            self.assertEqual(len(a), 2, "max_records 2: %s" % a)
            self.assertEqual(len(set(a)), 2, "records must be distinct: %s" % a)
            seen.add(tuple(a))
        self.assertEqual(len(seen), 3, "every pair of three equal members should appear: %s" % seen)

    def test_weight_zero_not_chosen_while_others_can_be(self):
        for _ in range(100):
            self.assertEqual(self.answer("w0"), ["192.0.2.46"], "weight 0 member answered")

    def test_round_robin_rotation(self):
        seq = [self.answer("rr")[0] for _ in range(30)]
        members = ["192.0.2.47", "192.0.2.48", "192.0.2.49"]
        for i in range(0, 30, 3):
            self.assertEqual(sorted(seq[i:i + 3]), members,
                             "each window of three visits every member once: %s" % seq)
        for i in range(27):
            self.assertEqual(seq[i], seq[i + 3], "rotation has period 3: %s" % seq)


if __name__ == "__main__":
    p.main()
