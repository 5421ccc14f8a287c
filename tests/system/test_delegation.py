# SPDX-License-Identifier: Apache-2.0
"""Delegations below the apex: referrals with glue; DS answered by the parent side."""

import gslbd_harness as h

CHILD_NS = ("child.example.com.", "NS", 3000,
            ["ns1.child.example.com.", "ns2.child.example.com."])
CHILD_GLUE = [("ns1.child.example.com.", "A", 3000, ["192.0.2.53"]),
              ("ns2.child.example.com.", "AAAA", 3000, ["2001:db8::53"])]


class Delegation(h.GslbdTestCase):
    def assertReferral(self, r, ns, glue, what):
        self.assertRcode(r, "NOERROR", what)
        self.assertFlags(r, aa=False, tc=False, what=what)
        self.assertEqual(len(r.answer), 0, "%s: answer must be empty\n%s" % (what, r))
        self.assertSection(r, "authority", [ns], what)
        self.assertSection(r, "additional", glue, what)

    def test_referral_for_names_at_and_below_the_cut(self):
        for qname in ("child.example.com.", "host.child.example.com.",
                      "a.b.child.example.com.", "ns1.child.example.com."):
            for qtype in ("A", "AAAA", "MX"):
                for proto, r in self.both(qname, qtype):
                    self.assertReferral(r, CHILD_NS, CHILD_GLUE,
                                        "%s %s %s" % (proto, qname, qtype))

    def test_referral_for_ns_query_at_the_cut(self):
        for proto, r in self.both("child.example.com.", "NS"):
            self.assertReferral(r, CHILD_NS, CHILD_GLUE, proto)

    def test_referral_without_glue(self):
        for proto, r in self.both("www.ext.example.com.", "A"):
            self.assertReferral(r, ("ext.example.com.", "NS", 3000, ["ns.outside.example.org."]),
                                [], proto)

    def test_ds_at_cut_answered_by_parent(self):
        for qname in ("child.example.com.", "ext.example.com."):
            for proto, r in self.both(qname, "DS"):
                self.assertNegative(r, "NOERROR", 300, what="%s %s DS" % (proto, qname))

    def test_ds_below_cut_is_referral(self):
        for proto, r in self.both("sub.child.example.com.", "DS"):
            self.assertReferral(r, CHILD_NS, CHILD_GLUE, proto)


if __name__ == "__main__":
    h.main()
