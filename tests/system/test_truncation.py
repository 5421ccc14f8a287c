# SPDX-License-Identifier: Apache-2.0
"""Truncation over UDP: TC=1 with no partial RRsets when the answer does not fit the smaller
of the client's size (512 without EDNS) and the server's edns_udp_size; TCP answers whole.
big.example.com: one TXT RR, answer ~650 octets; huge.example.com: ten TXT RRs, ~2660 octets."""

import dns.flags
import dns.message

import gslbd_harness as h

BIG_STRINGS = [("big%d-" % i + "b" * 194).encode() for i in range(3)]
HUGE_STRINGS = sorted(("huge%02d-" % i + "h" * 242).encode() for i in range(10))


class TruncationBase(h.GslbdTestCase):
    def raw_udp(self, qname, qtype="TXT", **kwargs):
        q = h.make_query(qname, qtype, **kwargs)
        reply = h.udp_raw(self.server, q.to_wire())
        self.assertIsNotNone(reply, "no UDP reply for %s %s" % (qname, kwargs))
        return reply, dns.message.from_wire(reply)

    def assertTruncated(self, reply, r, limit, what):
        self.assertLessEqual(len(reply), limit, "%s: UDP reply of %d octets" % (what, len(reply)))
        self.assertTrue(r.flags & dns.flags.TC, "%s: TC not set\n%s" % (what, r))
        self.assertEqual(len(r.answer), 0, "%s: partial answer with TC\n%s" % (what, r))
        self.assertRcode(r, "NOERROR", what)

    def assertWhole(self, r, strings, what):
        self.assertFalse(r.flags & dns.flags.TC, "%s: TC set\n%s" % (what, r))
        self.assertRcode(r, "NOERROR", what)
        self.assertEqual(len(r.answer), 1, what)
        self.assertEqual(self.txt_strings(r), strings, what)

    @staticmethod
    def txt_strings(r):
        """All character-strings of the answer, sorted within an RR set of several RRs."""
        rrs = list(r.answer[0])
        if len(rrs) == 1:
            return list(rrs[0].strings)
        return sorted(s for rr in rrs for s in rr.strings)


class TruncationDefault(TruncationBase):
    """Server edns_udp_size 1232 (the default)."""

    SERVER = h.ServerSpec()

    def test_no_edns_over_512_truncated(self):
        reply, r = self.raw_udp("big.example.com.")
        self.assertTruncated(reply, r, 512, "big without EDNS")
        self.assertEqual(r.edns, -1)

    def test_edns_1232_fits(self):
        reply, r = self.raw_udp("big.example.com.", edns=0, payload=1232)
        self.assertWhole(r, BIG_STRINGS, "big with EDNS 1232")

    def test_client_size_honoured(self):
        reply, r = self.raw_udp("big.example.com.", edns=0, payload=512)
        self.assertTruncated(reply, r, 512, "big with EDNS 512")
        self.assertEqual(r.edns, 0, "OPT missing on a truncated EDNS answer")

    def test_rrset_bigger_than_1232_truncated(self):
        reply, r = self.raw_udp("huge.example.com.", edns=0, payload=1232)
        self.assertTruncated(reply, r, 1232, "huge with EDNS 1232")

    def test_server_limit_caps_client_size(self):
        reply, r = self.raw_udp("huge.example.com.", edns=0, payload=4096)
        self.assertTruncated(reply, r, 1232, "huge with EDNS 4096 to a 1232 server")

    def test_tcp_answers_whole(self):
        r = self.tcp("huge.example.com.", "TXT")
        self.assertWhole(r, HUGE_STRINGS, "huge over TCP")
        self.assertEqual(len(r.answer[0]), 10)
        self.assertEqual(r.answer[0].ttl, 60)
        r = self.tcp("big.example.com.", "TXT")
        self.assertWhole(r, BIG_STRINGS, "big over TCP without EDNS")
        r = self.tcp("huge.example.com.", "TXT", edns=0, payload=512)
        self.assertWhole(r, HUGE_STRINGS, "huge over TCP with EDNS 512")

    def test_client_size_below_512_treated_as_512(self):
        # RFC 6891 6.2.5: values below 512 are treated as 512
        reply, r = self.raw_udp("example.com.", "MX", edns=0, payload=100)
        self.assertGreater(len(reply), 100)
        self.assertFalse(r.flags & dns.flags.TC, "TC for a %d-octet answer\n%s" % (len(reply), r))
        self.assertEqual(len(r.answer), 1, str(r))
        self.assertEqual(len(r.answer[0]), 2, str(r))
        reply, r = self.raw_udp("big.example.com.", edns=0, payload=100)
        self.assertTruncated(reply, r, 512, "big with EDNS 100")

    def test_truncated_answer_keeps_question(self):
        reply, r = self.raw_udp("BIG.example.com.")
        self.assertTrue(r.flags & dns.flags.TC, str(r))
        self.assertEqual([q.to_text() for q in r.question], ["BIG.example.com. IN TXT"], str(r))

    def test_small_answers_not_truncated(self):
        reply, r = self.raw_udp("www.example.com.")
        self.assertFalse(r.flags & dns.flags.TC, str(r))
        self.assertEqual(len(r.answer), 1)


class TruncationLarge(TruncationBase):
    """Server edns_udp_size 4096."""

    SERVER = h.ServerSpec(edns_udp_size=4096)

    def test_fits_4096(self):
        reply, r = self.raw_udp("huge.example.com.", edns=0, payload=4096)
        self.assertLessEqual(len(reply), 4096)
        self.assertWhole(r, HUGE_STRINGS, "huge with EDNS 4096")
        self.assertEqual(r.payload, 4096)

    def test_still_truncated_for_smaller_client(self):
        reply, r = self.raw_udp("huge.example.com.", edns=0, payload=1232)
        self.assertTruncated(reply, r, 1232, "huge with EDNS 1232 to a 4096 server")
        reply, r = self.raw_udp("big.example.com.")
        self.assertTruncated(reply, r, 512, "big without EDNS to a 4096 server")


if __name__ == "__main__":
    h.main()
