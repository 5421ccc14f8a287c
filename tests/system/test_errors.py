# SPDX-License-Identifier: Apache-2.0
"""Error answers and silence: REFUSED outside our zones, NOTIMP, FORMERR, dropped packets,
zone transfers and unknown classes refused."""

import gslbd_harness as h

SILENCE_WAIT = 1.0  # how long we wait to be sure no answer comes


class Errors(h.GslbdTestCase):
    def raw_reply(self, wire, proto="udp"):
        if proto == "udp":
            reply = h.udp_raw(self.server, wire)
        else:
            reply = h.tcp_raw(self.server, wire)
        self.assertIsNotNone(reply, "%s: no reply to %r" % (proto, wire))
        self.assertGreaterEqual(len(reply), 12, "%s: reply shorter than a header" % proto)
        return reply

    def assertRawRcode(self, reply, qid, rcode, opcode=0, what=""):
        rid, flags, *_ = h.header(reply)
        self.assertEqual(rid, qid, what + ": id")
        self.assertTrue(flags & 0x8000, what + ": QR clear")
        self.assertEqual((flags >> 11) & 0xF, opcode, what + ": opcode")
        self.assertEqual(flags & 0xF, rcode, what + ": rcode %d, expected %d" % (flags & 0xF, rcode))

    def test_refused_outside_served_zones(self):
        for qname in ("www.example.org.", "com.", ".", "notexample.com.", "example.com.org.",
                      "xexample.net."):
            for proto, r in self.both(qname, "A"):
                what = "%s %s" % (proto, qname)
                self.assertRcode(r, "REFUSED", what)
                self.assertFlags(r, aa=False, what=what)
                self.assertEqual(len(r.answer), 0, what)
                self.assertEqual(len(r.authority), 0, what)

    def test_notimp_for_other_opcodes(self):
        for opcode in (2, 3, 5):
            for proto in ("udp", "tcp"):
                qid = 0x1100 + opcode
                wire = h.raw_header(qid, (opcode << 11) | 0x0100) + \
                    h.raw_question("www.example.com.")
                reply = self.raw_reply(wire, proto)
                self.assertRawRcode(reply, qid, 4, opcode, "%s opcode %d" % (proto, opcode))

    def test_formerr_qdcount_zero(self):
        for proto in ("udp", "tcp"):
            reply = self.raw_reply(h.raw_header(0x2001, 0x0100, qd=0), proto)
            self.assertRawRcode(reply, 0x2001, 1, what=proto + " qdcount 0")

    def test_formerr_qdcount_two(self):
        wire = h.raw_header(0x2002, 0x0100, qd=2) + h.raw_question("www.example.com.") + \
            h.raw_question("mail.example.com.")
        for proto in ("udp", "tcp"):
            reply = self.raw_reply(wire, proto)
            self.assertRawRcode(reply, 0x2002, 1, what=proto + " qdcount 2")

    def test_formerr_question_cut_short(self):
        full = h.raw_header(0x2003, 0x0100) + h.raw_question("www.example.com.")
        cases = {
            "type and class missing": full[:-4],
            "class cut in half": full[:-1],
            "name cut inside a label": full[:12 + 6],
            "qdcount 1 and no question": h.raw_header(0x2003, 0x0100),
        }
        for what, wire in cases.items():
            for proto in ("udp", "tcp"):
                reply = self.raw_reply(wire, proto)
                self.assertRawRcode(reply, 0x2003, 1, what="%s %s" % (proto, what))

    def test_no_answer_to_responses(self):
        q = h.make_query("www.example.com.", "A", qid=0x3001)
        wire = bytearray(q.to_wire())
        wire[2] |= 0x80  # QR
        self.assertIsNone(h.udp_raw(self.server, bytes(wire), timeout=SILENCE_WAIT),
                          "a packet with QR=1 was answered")

    def test_no_answer_to_runts(self):
        for n in (0, 1, 5, 11):
            wire = h.raw_header(0x3002, 0x0100)[:n]
            self.assertIsNone(h.udp_raw(self.server, wire, timeout=SILENCE_WAIT),
                              "a %d-octet packet was answered" % n)
        # still serving
        self.assertRcode(self.udp("www.example.com.", "A"), "NOERROR")

    def test_zone_transfers_refused(self):
        for qtype in ("AXFR", "IXFR"):
            q = h.make_query("example.com.", qtype)
            for proto in ("udp", "tcp"):
                reply = self.raw_reply(q.to_wire(), proto)
                what = "%s %s" % (proto, qtype)
                self.assertRawRcode(reply, q.id, 5, what=what)
                self.assertEqual(h.header(reply)[3], 0, what + ": answer not empty")

    def test_other_classes_refused(self):
        for qclass in ("HS", "NONE", "CLASS42"):
            for proto, r in self.both("www.example.com.", "A", qclass=qclass):
                self.assertRcode(r, "REFUSED", "%s class %s" % (proto, qclass))
                self.assertEqual(len(r.answer), 0)

    def test_chaos_names_other_than_identity_refused(self):
        for qname in ("www.example.com.", "version.bind.", "authors.bind."):
            for proto, r in self.both(qname, "TXT", qclass="CH"):
                self.assertRcode(r, "REFUSED", "%s CH %s" % (proto, qname))
                self.assertEqual(len(r.answer), 0)

    def test_server_survives_garbage(self):
        junk = [b"\x00" * 12, b"\xff" * 12, b"\xff" * 300, h.raw_header(1, 0x0100, qd=1, an=5),
                h.raw_header(1, 0x0100) + b"\xc0\x0c\x00\x01\x00\x01",  # pointer loop
                h.raw_header(1, 0x0100) + b"\x3f" + b"a" * 10]
        for wire in junk:
            h.udp_raw(self.server, wire, timeout=0.2)
        r = self.udp("www.example.com.", "A")
        self.assertRcode(r, "NOERROR", "after garbage")
        self.assertTrue(self.server.alive(), "gslbd died on garbage input")


if __name__ == "__main__":
    h.main()
