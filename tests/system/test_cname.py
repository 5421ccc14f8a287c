# SPDX-License-Identifier: Apache-2.0
"""CNAME handling (RFC 1034 4.3.2): chased within the zone, not out of it; dangling targets."""

import dns.rdatatype

import gslbd_harness as h

WWW_A = ("www.example.com.", "A", 300, ["192.0.2.80", "192.0.2.81"])


class Cname(h.GslbdTestCase):
    def assertOrder(self, r, types, what):
        got = [dns.rdatatype.to_text(rr.rdtype) for rr in r.answer]
        self.assertEqual(got, types, "%s: answer order\n%s" % (what, r))

    def test_chased_in_zone(self):
        for proto, r in self.both("alias.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [
                ("alias.example.com.", "CNAME", 100, ["www.example.com."]), WWW_A], proto)
            self.assertOrder(r, ["CNAME", "A"], proto)

    def test_chased_aaaa_case_preserved(self):
        r = self.udp("ALIAS.Example.COM.", "AAAA")
        self.assertRcode(r, "NOERROR")
        self.assertEqual(r.question[0].name.to_text(), "ALIAS.Example.COM.")
        self.assertSection(r, "answer", [
            ("alias.example.com.", "CNAME", 100, ["www.example.com."]),
            ("www.example.com.", "AAAA", 300, ["2001:db8::80"])])

    def test_chain_of_two(self):
        for proto, r in self.both("chain.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [
                ("chain.example.com.", "CNAME", 100, ["alias.example.com."]),
                ("alias.example.com.", "CNAME", 100, ["www.example.com."]), WWW_A], proto)
            self.assertEqual([rr.name.to_text() for rr in r.answer],
                             ["chain.example.com.", "alias.example.com.", "www.example.com."],
                             "%s: chain order\n%s" % (proto, r))

    def test_out_of_zone_target(self):
        for proto, r in self.both("outalias.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [
                ("outalias.example.com.", "CNAME", 100, ["target.example.org."])], proto)

    def test_dangling_target_is_nxdomain(self):
        for proto, r in self.both("dangling.example.com.", "A"):
            what = proto
            self.assertRcode(r, "NXDOMAIN", what)
            self.assertFlags(r, aa=True, what=what)
            self.assertSection(r, "answer", [
                ("dangling.example.com.", "CNAME", 100, ["nothere.example.com."])], what)
            self.assertSection(r, "authority", [
                ("example.com.", "SOA", 300,
                 ["ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300"])],
                what)

    def test_target_without_the_type_is_nodata(self):
        for proto, r in self.both("alias.example.com.", "MX"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [
                ("alias.example.com.", "CNAME", 100, ["www.example.com."])], proto)
            self.assertEqual(len(r.authority), 1, "%s: SOA expected\n%s" % (proto, r))
            self.assertEqual(r.authority[0].rdtype, dns.rdatatype.SOA, proto)
            self.assertEqual(r.authority[0].ttl, 300, proto)

    def test_qtype_cname_returns_cname_only(self):
        for qname, target in (("alias.example.com.", "www.example.com."),
                              ("dangling.example.com.", "nothere.example.com.")):
            for proto, r in self.both(qname, "CNAME"):
                self.assertRcode(r, "NOERROR", proto)
                self.assertFlags(r, aa=True, what=proto)
                self.assertSection(r, "answer", [(qname, "CNAME", 100, [target])], proto)

    def test_loop_terminates(self):
        for proto, r in self.both("loop1.example.com.", "A"):
            self.assertIn(h.dns.rcode.to_text(r.rcode()), ("NOERROR", "SERVFAIL"), proto)
            self.assertGreaterEqual(len(r.answer), 1, "%s\n%s" % (proto, r))
            self.assertEqual(self.rrsets(r.answer[:1]),
                             [("loop1.example.com.", "CNAME", 100, ["loop2.example.com."])], proto)
            owners = [rr.name for rr in r.answer]
            self.assertEqual(len(owners), len(set(owners)), "%s: RRset repeated\n%s" % (proto, r))

    def test_wildcard_cname_chased(self):
        for proto, r in self.both("foo.wc.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [
                ("foo.wc.example.com.", "CNAME", 77, ["www.example.com."]), WWW_A], proto)
            self.assertOrder(r, ["CNAME", "A"], proto)

    def test_cname_into_delegation_gives_referral(self):
        for proto, r in self.both("tochild.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [
                ("tochild.example.com.", "CNAME", 100, ["host.child.example.com."])], proto)
            self.assertSection(r, "authority", [
                ("child.example.com.", "NS", 3000,
                 ["ns1.child.example.com.", "ns2.child.example.com."])], proto)
            self.assertSection(r, "additional", [
                ("ns1.child.example.com.", "A", 3000, ["192.0.2.53"]),
                ("ns2.child.example.com.", "AAAA", 3000, ["2001:db8::53"])], proto)


if __name__ == "__main__":
    h.main()
