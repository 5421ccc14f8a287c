# SPDX-License-Identifier: Apache-2.0
"""A pool mixing IPv4 and IPv6 members answers A from the IPv4 members only and AAAA from the
IPv6 members only; a pool of one family gives NODATA for the other."""

import pool_harness as p

V4 = ["192.0.2.100", "192.0.2.101"]
V6 = ["2001:db8::100", "2001:db8::101"]


class Families(p.PoolTestCase):
    @classmethod
    def config(cls):
        pools = ("version: 1\npools:\n"
                 "  - name: mixed\n"
                 "    max_records: 8\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.100}\n"
                 "      - {name: b, address: \"2001:db8::100\"}\n"
                 "      - {name: c, address: 192.0.2.101}\n"
                 "      - {name: d, address: \"2001:db8::101\"}\n"
                 "  - name: v6only\n"
                 "    members:\n"
                 "      - {name: a, address: \"2001:db8::200\"}\n")
        zone = p.zone_yaml([("mixed", "mixed", "30s", None), ("v6only", "v6only", "30s", None)])
        return zone, {"mixed.pool.yaml": pools}

    def test_a_from_v4_only(self):
        for _ in range(20):
            r = self.query("mixed", "A")
            self.assertSection(r, "answer", [("mixed.gslb.example.", "A", 30, V4)], "mixed A")

    def test_aaaa_from_v6_only(self):
        for _ in range(20):
            r = self.query("mixed", "AAAA")
            self.assertSection(r, "answer", [("mixed.gslb.example.", "AAAA", 30, V6)], "mixed AAAA")

    def test_other_family_is_nodata(self):
        self.assertNegative(self.query("v6only", "A"), "NOERROR", zone=p.GSLB_ZONE, what="v6only A")
        self.assertEqual(self.answer("v6only", "AAAA"), ["2001:db8::200"])

    def test_other_types_nodata(self):
        self.assertNegative(self.query("mixed", "TXT"), "NOERROR", zone=p.GSLB_ZONE, what="TXT")
        self.assertNegative(self.query("mixed", "MX"), "NOERROR", zone=p.GSLB_ZONE, what="MX")


if __name__ == "__main__":
    p.main()
