# SPDX-License-Identifier: Apache-2.0
"""Negative answers (RFC 2308): NXDOMAIN and NODATA carry the zone SOA in authority with
TTL = min(SOA TTL, SOA minimum); empty non-terminals are NODATA."""

import gslbd_harness as h


class Negative(h.GslbdTestCase):
    def test_nxdomain(self):
        for qname in ("nx.example.com.", "a.b.c.nx.example.com.", "below.x.y.ent.example.com.",
                      "below.www.example.com."):
            for proto, r in self.both(qname, "A"):
                self.assertNegative(r, "NXDOMAIN", 300, what="%s %s" % (proto, qname))

    def test_nodata(self):
        for qname, qtype in (("www.example.com.", "MX"), ("example.com.", "AAAA"),
                             ("mail.example.com.", "TXT"), ("www.example.com.", "SRV")):
            for proto, r in self.both(qname, qtype):
                self.assertNegative(r, "NOERROR", 300, what="%s %s %s" % (proto, qname, qtype))

    def test_empty_non_terminal_is_nodata(self):
        for qname in ("ent.example.com.", "y.ent.example.com.", "Y.Ent.Example.Com."):
            for qtype in ("A", "TXT"):
                for proto, r in self.both(qname, qtype):
                    self.assertNegative(r, "NOERROR", 300,
                                        what="%s %s %s" % (proto, qname, qtype))

    def test_soa_in_authority_has_zone_data(self):
        r = self.udp("nx.example.com.", "A")
        self.assertEqual(r.authority[0][0].to_text(),
                         "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300",
                         str(r))

    def test_negative_ttl_is_soa_ttl_when_lower(self):
        # example.net: SOA TTL 120 < minimum 900
        for proto, r in self.both("nx.example.net.", "A"):
            self.assertNegative(r, "NXDOMAIN", 120, zone="example.net.", what=proto)
        for proto, r in self.both("example.net.", "MX"):
            self.assertNegative(r, "NOERROR", 120, zone="example.net.", what=proto)


if __name__ == "__main__":
    h.main()
