# SPDX-License-Identifier: Apache-2.0
"""ANY queries (RFC 8482): one RRset at a name with several; NXDOMAIN/NODATA unchanged."""

import gslbd_harness as h

WWW_RRSETS = {
    "A": ("www.example.com.", "A", 300, ["192.0.2.80", "192.0.2.81"]),
    "AAAA": ("www.example.com.", "AAAA", 300, ["2001:db8::80"]),
    "TXT": ("www.example.com.", "TXT", 300, ['"v=test"']),
}


class Any(h.GslbdTestCase):
    def test_one_rrset_over_udp(self):
        r = self.udp("www.example.com.", "ANY")
        self.assertRcode(r, "NOERROR")
        self.assertFlags(r, aa=True, tc=False)
        self.assertEqual(len(r.answer), 1, "exactly one RRset expected\n%s" % r)
        got = self.rrsets(r.answer)[0]
        want = WWW_RRSETS.get(got[1])
        self.assertIsNotNone(want, "unexpected RRset %s" % (got,))
        self.assertEqual(got, (want[0], want[1], want[2], sorted(want[3])))

    def test_tcp_answers_real_rrsets(self):
        # RFC 8482 allows the full set over TCP: each RRset given must be one of the name's.
        r = self.tcp("www.example.com.", "ANY")
        self.assertRcode(r, "NOERROR")
        self.assertFlags(r, aa=True, tc=False)
        self.assertGreaterEqual(len(r.answer), 1, str(r))
        for got in self.rrsets(r.answer):
            want = WWW_RRSETS.get(got[1])
            self.assertIsNotNone(want, "unexpected RRset %s" % (got,))
            self.assertEqual(got, (want[0], want[1], want[2], sorted(want[3])))

    def test_nxdomain(self):
        for proto, r in self.both("nx.example.com.", "ANY"):
            self.assertNegative(r, "NXDOMAIN", 300, what=proto)

    def test_empty_non_terminal(self):
        for proto, r in self.both("ent.example.com.", "ANY"):
            self.assertNegative(r, "NOERROR", 300, what=proto)


if __name__ == "__main__":
    h.main()
