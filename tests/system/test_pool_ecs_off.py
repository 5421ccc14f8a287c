# SPDX-License-Identifier: Apache-2.0
"""server.client_subnet: false: no ECS option is echoed and the source address decides (hash
answers do not depend on the ECS option sent). Sources are 127.K.0.1 (all loopback on Linux),
so each query comes from a different /24."""

import pool_harness as p

MEMBERS = ["192.0.2.120", "192.0.2.121", "192.0.2.122", "192.0.2.123"]
SOURCES = ["127.%d.0.1" % k for k in range(1, 31)]


class EcsOff(p.PoolTestCase):
    CLIENT_SUBNET = False

    @classmethod
    def config(cls):
        pools = ("version: 1\npools:\n"
                 "  - name: sticky\n"
                 "    policy: hash\n"
                 "    max_records: 1\n"
                 "    members:\n")
        for i, address in enumerate(MEMBERS):
            pools += "      - {name: m%d, address: %s}\n" % (i, address)
        return p.zone_yaml([("sticky", "sticky", "30s", None)]), {"hash.pool.yaml": pools}

    def test_no_ecs_echoed(self):
        for subnet in (("10.1.2.0", 24), ("2001:db8::", 56), ("10.9.9.9", 32)):
            r = self.query("sticky", subnet=subnet)
            self.assertRcode(r, "NOERROR")
            self.assertIsNone(self.scope_of(r), "ECS echoed though client_subnet is off\n%s" % r)
            self.assertEqual(len(r.answer), 1)
        r = self.query("nothere", subnet=("10.1.2.0", 24))  # NXDOMAIN in the zone
        self.assertIsNone(self.scope_of(r), "ECS echoed on a negative answer\n%s" % r)

    def test_source_address_decides(self):
        by_source = {s: self.answer("sticky", source=s) for s in SOURCES}
        self.assertGreaterEqual(len(set(tuple(a) for a in by_source.values())), 2,
                                "30 source /24s all hashed to one member: %s" % by_source)
        for s in SOURCES:
            for subnet in (("10.1.2.0", 24), ("198.51.100.0", 24), ("2001:db8:1::", 48)):
                self.assertEqual(self.answer("sticky", source=s, subnet=subnet), by_source[s],
                                 "from %s the ECS option %s/%d changed the answer"
                                 % (s, subnet[0], subnet[1]))
        # same /24 of the source: same answer
        for k in range(1, 11):
            self.assertEqual(self.answer("sticky", source="127.%d.0.200" % k),
                             by_source["127.%d.0.1" % k], "source 127.%d.0.200" % k)


if __name__ == "__main__":
    p.main()
