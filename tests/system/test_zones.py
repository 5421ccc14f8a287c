# SPDX-License-Identifier: Apache-2.0
"""Zone selection: the longest matching served zone answers; odd but valid query names."""

import dns.name

import gslbd_harness as h


class Zones(h.GslbdTestCase):
    def test_inner_zone_answers_its_names(self):
        for proto, r in self.both("www.inner.example.net.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer",
                               [("www.inner.example.net.", "A", 300, ["198.51.100.77"])], proto)

    def test_inner_zone_negative_uses_its_soa(self):
        for proto, r in self.both("nx.inner.example.net.", "A"):
            self.assertNegative(r, "NXDOMAIN", 60, zone="inner.example.net.", what=proto)
        for proto, r in self.both("inner.example.net.", "SOA"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [("inner.example.net.", "SOA", 600, [
                "ns1.example.com. hostmaster.example.net. 42 3600 900 604800 60"])], proto)

    def test_outer_zone_still_answers_beside_inner(self):
        for proto, r in self.both("other.example.net.", "A"):
            self.assertNegative(r, "NXDOMAIN", 120, zone="example.net.", what=proto)

    def test_unknown_type_is_nodata(self):
        for qtype in ("TYPE65280", "HINFO", "CAA"):
            for proto, r in self.both("www.example.com.", qtype):
                self.assertNegative(r, "NOERROR", 300, what="%s %s" % (proto, qtype))

    def test_longest_names(self):
        # names of exactly 255 octets on the wire, the longest allowed
        labels = ["a" * 63, "b" * 63, "c" * 63, "d" * 49]
        qname = ".".join(labels) + ".example.com."
        self.assertEqual(len(dns.name.from_text(qname).to_wire()), 255)
        for proto, r in self.both(qname, "A"):
            self.assertNegative(r, "NXDOMAIN", 300, what=proto)
        wild = "x" * 63 + "." + "y" * 63 + "." + "z" * 63 + "." + "q" * 47 + ".w.example.com."
        self.assertEqual(len(dns.name.from_text(wild).to_wire()), 255)
        for proto, r in self.both(wild, "TXT"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [(wild, "TXT", 400, ['"wild"'])], proto)


if __name__ == "__main__":
    h.main()
