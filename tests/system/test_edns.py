# SPDX-License-Identifier: Apache-2.0
"""EDNS0 (RFC 6891), NSID (RFC 5001) and the CHAOS identity names."""

import struct

import dns.edns
import dns.message
import dns.rcode

import gslbd_harness as h

IDENTITY = "ns-test.example"


def nsid_of(r):
    for opt in r.options:
        if opt.otype == dns.edns.NSID:
            return opt.to_wire() if hasattr(opt, "to_wire") else opt.data
    return None


class EdnsDefaults(h.GslbdTestCase):
    """Server without edns_udp_size: the default 1232 is advertised."""

    SERVER = h.ServerSpec(identity=IDENTITY)

    def test_opt_echoed_with_default_size(self):
        for payload in (512, 1232, 4096):
            for proto, r in self.both("www.example.com.", "A", edns=0, payload=payload):
                what = "%s payload %d" % (proto, payload)
                self.assertRcode(r, "NOERROR", what)
                self.assertEqual(r.edns, 0, what + ": OPT missing or wrong version\n%s" % r)
                self.assertEqual(r.payload, 1232, what + ": advertised UDP size")
                self.assertEqual(len(r.answer), 1, what)

    def test_no_opt_without_edns(self):
        for proto, r in self.both("www.example.com.", "A"):
            self.assertEqual(r.edns, -1, proto + ": OPT in answer to a query without one\n%s" % r)

    def test_opt_on_negative_and_refused(self):
        for qname, rcode in (("nx.example.com.", "NXDOMAIN"), ("www.example.org.", "REFUSED")):
            r = self.udp(qname, "A", edns=0)
            self.assertRcode(r, rcode, qname)
            self.assertEqual(r.edns, 0, qname + ": OPT missing\n%s" % r)

    def test_badvers(self):
        for proto, r in self.both("www.example.com.", "A", edns=1):
            self.assertEqual(r.rcode(), dns.rcode.BADVERS,
                             "%s: rcode %s\n%s" % (proto, dns.rcode.to_text(r.rcode()), r))
            self.assertEqual(r.edns, 0, proto + ": BADVERS must come with an OPT of version 0")
            self.assertEqual(len(r.answer), 0, proto + ": BADVERS with an answer")

    def test_unknown_option_ignored(self):
        opt = dns.edns.GenericOption(65001, b"\x01\x02\x03")
        for proto, r in self.both("www.example.com.", "A", edns=0, options=[opt]):
            self.assertRcode(r, "NOERROR", proto)
            self.assertEqual(r.edns, 0, proto)
            self.assertEqual(len(r.answer), 1, proto)
            self.assertFalse(any(o.otype == 65001 for o in r.options),
                             proto + ": unknown option echoed")

    def test_two_opt_records_formerr(self):
        q = h.make_query("www.example.com.", "A", qid=0x5151)
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
        wire = h.raw_header(0x5151, 0x0100, ar=2) + q.to_wire()[12:] + opt + opt
        for proto in ("udp", "tcp"):
            reply = h.udp_raw(self.server, wire) if proto == "udp" else h.tcp_raw(self.server, wire)
            self.assertIsNotNone(reply, proto + ": no reply")
            rid, flags, *_ = h.header(reply)
            self.assertEqual(rid, 0x5151, proto)
            self.assertEqual(flags & 0xF, 1, proto + ": rcode %d, expected FORMERR" % (flags & 0xF))

    def test_nsid(self):
        for proto, r in self.both("www.example.com.", "A", edns=0, want_nsid=True):
            self.assertRcode(r, "NOERROR", proto)
            self.assertEqual(nsid_of(r), IDENTITY.encode(), proto + ": NSID\n%s" % r)

    def test_no_nsid_unless_asked(self):
        r = self.udp("www.example.com.", "A", edns=0)
        self.assertIsNone(nsid_of(r), "NSID sent without being asked\n%s" % r)

    def test_chaos_identity(self):
        for qname in ("id.server.", "hostname.bind.", "ID.SERVER."):
            for proto, r in self.both(qname, "TXT", qclass="CH"):
                what = "%s CH TXT %s" % (proto, qname)
                self.assertRcode(r, "NOERROR", what)
                self.assertEqual(len(r.answer), 1, what + "\n%s" % r)
                rr = r.answer[0]
                self.assertEqual(rr.rdclass, h.dns.rdataclass.CH, what)
                self.assertEqual(rr.name, h.dns.name.from_text(qname), what)
                self.assertEqual([b"".join(x.strings) for x in rr], [IDENTITY.encode()], what)

    def test_dig_nsid(self):
        p, a = h.dig(self.server, "+nsid", "www.example.com.", "A")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(a.status, "NOERROR", p.stdout)
        self.assertEqual(a.nsid, IDENTITY, p.stdout)
        self.assertEqual(a.udp_size, 1232, p.stdout)


class EdnsConfigured(h.GslbdTestCase):
    """server.edns_udp_size set, identity overridden on the command line."""

    SERVER = h.ServerSpec(identity=IDENTITY, edns_udp_size=1400,
                          args=["--identity", "override.example"])

    def test_configured_size_advertised(self):
        for proto, r in self.both("www.example.com.", "A", edns=0, payload=4096):
            self.assertEqual(r.edns, 0, proto)
            self.assertEqual(r.payload, 1400, proto + ": advertised UDP size")

    def test_identity_overridden(self):
        r = self.udp("www.example.com.", "A", edns=0, want_nsid=True)
        self.assertEqual(nsid_of(r), b"override.example", str(r))
        r = self.udp("id.server.", "TXT", qclass="CH")
        self.assertRcode(r, "NOERROR")
        self.assertEqual([b"".join(x.strings) for x in r.answer[0]], [b"override.example"])
        p, a = h.kdig(self.server, "+nsid", "www.example.com.", "A")
        self.assertEqual(a.nsid, "override.example", p.stdout + p.stderr)


if __name__ == "__main__":
    h.main()
