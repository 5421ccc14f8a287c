# SPDX-License-Identifier: Apache-2.0
"""Positive answers: header bits, question echo with the client's case, data, TTLs and the
additional section for NS, MX and SRV targets; over UDP, TCP and the IPv6 listener."""

import dns.flags
import dns.opcode

import gslbd_harness as h

SOA_DATA = "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 300"


class Basic(h.GslbdTestCase):
    def test_header_bits_copied(self):
        for rd in (True, False):
            q = h.make_query("www.example.com.", "A", rd=rd, qid=0x4A5B)
            for proto, send in (("udp", h.udp), ("tcp", h.tcp)):
                what = "%s rd=%s" % (proto, rd)
                r = send(self.server, q)
                self.assertEqual(r.id, 0x4A5B, what)
                self.assertEqual(r.opcode(), dns.opcode.QUERY, what)
                self.assertRcode(r, "NOERROR", what)
                self.assertFlags(r, aa=True, tc=False, rd=rd, ra=False, what=what)
                self.assertFalse(r.flags & dns.flags.AD, what + ": AD set")
                self.assertFalse(r.flags & dns.flags.CD, what + ": CD set")

    def test_question_echoed_with_client_case(self):
        q = h.make_query("WwW.ExAmPlE.CoM.", "A", qid=777)
        wire = q.to_wire()
        for proto, send in (("udp", h.udp_raw), ("tcp", h.tcp_raw)):
            reply = send(self.server, wire)
            self.assertIsNotNone(reply, proto + ": no reply")
            qd_end = len(wire)  # query = header + question only (no EDNS)
            self.assertEqual(reply[12:qd_end], wire[12:qd_end],
                             proto + ": question not echoed octet for octet")
            r = h.dns.message.from_wire(reply)
            self.assertEqual(r.question[0].name.to_text(), "WwW.ExAmPlE.CoM.", proto)
            self.assertSection(r, "answer",
                               [("www.example.com.", "A", 300, ["192.0.2.80", "192.0.2.81"])],
                               proto)

    def test_case_insensitive_match(self):
        for qname in ("WWW.EXAMPLE.COM.", "www.Example.com.", "mAiL.eXaMpLe.CoM."):
            r = self.udp(qname, "A")
            self.assertRcode(r, "NOERROR", qname)
            self.assertEqual(len(r.answer), 1, "%s\n%s" % (qname, r))
            self.assertTrue(r.flags & dns.flags.AA, qname)

    def test_a_aaaa_txt(self):
        cases = [
            ("www.example.com.", "A", [("www.example.com.", "A", 300, ["192.0.2.80", "192.0.2.81"])]),
            ("www.example.com.", "AAAA", [("www.example.com.", "AAAA", 300, ["2001:db8::80"])]),
            ("www.example.com.", "TXT", [("www.example.com.", "TXT", 300, ['"v=test"'])]),
            ("example.com.", "A", [("example.com.", "A", 60, ["192.0.2.10"])]),
            ("ns1.example.com.", "AAAA", [("ns1.example.com.", "AAAA", 3600, ["2001:db8::1"])]),
            ("example.net.", "A", [("example.net.", "A", 600, ["198.51.100.1"])]),
        ]
        for qname, qtype, want in cases:
            for proto, r in self.both(qname, qtype):
                what = "%s %s %s" % (proto, qname, qtype)
                self.assertRcode(r, "NOERROR", what)
                self.assertFlags(r, aa=True, tc=False, what=what)
                self.assertSection(r, "answer", want, what)

    def test_soa_at_apex(self):
        for proto, r in self.both("example.com.", "SOA"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [("example.com.", "SOA", 3600, [SOA_DATA])], proto)

    def test_apex_ns_with_glue(self):
        for proto, r in self.both("example.com.", "NS"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertFlags(r, aa=True, what=proto)
            self.assertSection(r, "answer", [("example.com.", "NS", 7200, [
                "ns1.example.com.", "ns2.example.com.", "ns.outside.example.org."])], proto)
            self.assertSection(r, "additional", [
                ("ns1.example.com.", "A", 3600, ["192.0.2.1"]),
                ("ns1.example.com.", "AAAA", 3600, ["2001:db8::1"]),
                ("ns2.example.com.", "A", 3600, ["192.0.2.2"]),
            ], proto)

    def test_mx_with_additional(self):
        for proto, r in self.both("example.com.", "MX"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [("example.com.", "MX", 600, [
                "10 mail.example.com.", "20 mx.outside.example.org."])], proto)
            self.assertSection(r, "additional", [
                ("mail.example.com.", "A", 120, ["192.0.2.25"]),
                ("mail.example.com.", "AAAA", 120, ["2001:db8::25"]),
            ], proto)

    def test_srv_with_additional(self):
        for proto, r in self.both("_sip._tcp.example.com.", "SRV"):
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [("_sip._tcp.example.com.", "SRV", 300, [
                "10 60 5060 sip.example.com."])], proto)
            self.assertSection(r, "additional", [("sip.example.com.", "A", 300, ["192.0.2.50"])],
                               proto)

    def test_ipv6_listener(self):
        if not self.server.v6:
            print("skipped: ::1 is not usable on this machine")
            self.skipTest("::1 is not usable on this machine")
        q = h.make_query("www.example.com.", "AAAA")
        for proto, send in (("udp", h.udp), ("tcp", h.tcp)):
            r = send(self.server, q, v6=True)
            self.assertRcode(r, "NOERROR", proto)
            self.assertSection(r, "answer", [("www.example.com.", "AAAA", 300, ["2001:db8::80"])],
                               proto)


if __name__ == "__main__":
    h.main()
