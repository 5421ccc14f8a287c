# SPDX-License-Identifier: Apache-2.0
"""Wildcards (RFC 4592): *.w.example.com has TXT only; host.w has A only; a.x.w makes x.w an
empty non-terminal."""

import gslbd_harness as h


class Wildcard(h.GslbdTestCase):
    def test_synthesised_with_query_name_as_owner(self):
        for qname in ("foo.w.example.com.", "a.b.w.example.com.", "deep.er.still.w.example.com."):
            for proto, r in self.both(qname, "TXT"):
                what = "%s %s" % (proto, qname)
                self.assertRcode(r, "NOERROR", what)
                self.assertFlags(r, aa=True, tc=False, what=what)
                self.assertSection(r, "answer", [(qname, "TXT", 400, ['"wild"'])], what)

    def test_owner_keeps_client_case(self):
        r = self.udp("FoO.W.example.COM.", "TXT")
        self.assertRcode(r, "NOERROR")
        self.assertEqual(len(r.answer), 1, str(r))
        self.assertEqual(r.answer[0].name, h.dns.name.from_text("foo.w.example.com."), str(r))

    def test_wildcard_without_the_type_is_nodata(self):
        for proto, r in self.both("foo.w.example.com.", "A"):
            self.assertNegative(r, "NOERROR", 300, what=proto)

    def test_existing_name_is_not_replaced_by_wildcard(self):
        for proto, r in self.both("host.w.example.com.", "TXT"):
            self.assertNegative(r, "NOERROR", 300, what=proto)
        for proto, r in self.both("host.w.example.com.", "A"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [("host.w.example.com.", "A", 400, ["192.0.2.101"])],
                               proto)

    def test_wildcard_does_not_match_its_parent(self):
        for proto, r in self.both("w.example.com.", "TXT"):
            self.assertNegative(r, "NOERROR", 300, what=proto)

    def test_literal_asterisk_query(self):
        r = self.udp("*.w.example.com.", "TXT")
        self.assertRcode(r, "NOERROR")
        self.assertSection(r, "answer", [("*.w.example.com.", "TXT", 400, ['"wild"'])])

    def test_empty_non_terminal_blocks_wildcard(self):
        # x.w exists (ENT, because of a.x.w): it is NODATA, not the wildcard's TXT.
        for proto, r in self.both("x.w.example.com.", "TXT"):
            self.assertNegative(r, "NOERROR", 300, what="x.w " + proto)
        # y.x.w: closest encloser x.w, *.x.w does not exist: NXDOMAIN.
        for proto, r in self.both("y.x.w.example.com.", "TXT"):
            self.assertNegative(r, "NXDOMAIN", 300, what="y.x.w " + proto)
        # below an existing name other than the wildcard's parent: no wildcard either.
        for proto, r in self.both("sub.host.w.example.com.", "TXT"):
            self.assertNegative(r, "NXDOMAIN", 300, what="sub.host.w " + proto)


if __name__ == "__main__":
    h.main()
