# SPDX-License-Identifier: Apache-2.0
"""geo over the real server: a client network (from ECS) maps to a region through the geo map,
the region's members answer, the reply's ECS scope is the number of client bits that decided,
and the region order falls back to the next region when a region's members are down."""

import pool_harness as p

EU, US, AP = ["192.0.2.70"], ["192.0.2.71"], ["192.0.2.72"]


class Geo(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.eu = p.ListenerPeer("127.0.0.20").start()
        cls.us = p.ListenerPeer("127.0.0.21").start()
        return [cls.eu, cls.us]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") +
                 "geo_maps:\n"
                 "  - name: world\n"
                 "    networks:\n"
                 "      - {network: 10.1.0.0/16, region: eu}\n"
                 "      - {network: 10.2.0.0/16, region: us}\n"
                 "      - {network: 10.3.0.0/16, region: us}\n"
                 "      - {network: 10.3.7.0/24, region: ap}\n"
                 "      - {network: \"2001:db8:e000::/36\", region: eu}\n"
                 "pools:\n"
                 "  - name: geo\n"
                 "    policy: geo\n"
                 "    max_records: 2\n"
                 "    initial_state: up\n"
                 "    geo:\n"
                 "      map: world\n"
                 "      regions: {eu: [eu, us], us: [us, eu], ap: [ap, us]}\n"
                 "      default: [us, eu]\n"
                 "    members:\n"
                 "      - {name: eu1, address: 192.0.2.70, region: eu, check_address: 127.0.0.20,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: us1, address: 192.0.2.71, region: us, check_address: 127.0.0.21,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: ap1, address: 192.0.2.72, region: ap}\n"
                 % (cls.eu.port, cls.us.port))
        return p.zone_yaml([("geo", "geo", "30s", None)]), {"geo.pool.yaml": pools}

    def check(self, address, prefix, want, scope):
        r = self.query("geo", subnet=(address, prefix))
        self.assertRcode(r, "NOERROR", "geo from %s/%d" % (address, prefix))
        self.assertEqual(self.addresses(r), want, "geo from %s/%d" % (address, prefix))
        self.assertEqual(self.scope_of(r), scope, "ECS scope for %s/%d\n%s" % (address, prefix, r))

    def test_regions_and_scopes(self):
        self.wait_answer("geo", EU, subnet=("10.1.0.0", 24))
        self.check("10.1.44.0", 24, EU, 16)
        self.check("10.1.200.9", 32, EU, 16)
        self.check("10.2.3.0", 24, US, 16)
        self.check("10.3.7.0", 24, AP, 24)     # the longer prefix wins
        self.check("10.3.7.99", 32, AP, 24)
        # 10.3.9.0 is in 10.3.0.0/16 (us) and differs from 10.3.7.0/24 at bit 21: 21 bits decided
        self.check("10.3.9.0", 24, US, 21)
        # no region: the default order [us, eu]; the first bit already leads away from 10/8
        self.check("198.51.100.0", 24, US, 1)
        self.check("2001:db8:e123::", 48, EU, 36)

    def test_region_falls_back_when_down(self):
        self.wait_answer("geo", EU, subnet=("10.1.0.0", 24))
        self.eu.stop()
        try:
            self.wait_answer("geo", US, subnet=("10.1.0.0", 24))
            self.check("10.1.44.0", 24, US, 16)
            self.check("10.3.7.0", 24, AP, 24)   # other regions unaffected
            self.check("10.2.3.0", 24, US, 16)
        finally:
            self.eu.start()
        self.wait_answer("geo", EU, subnet=("10.1.0.0", 24))


if __name__ == "__main__":
    p.main()
