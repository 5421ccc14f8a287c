# SPDX-License-Identifier: Apache-2.0
"""Names the zone rewrites or hands on, asked with dig and kdig: DNAME (RFC 6672: the DNAME,
the synthesised CNAME with the DNAME's TTL, the answer; CNAMEs through a DNAME; YXDOMAIN; data
below a DNAME refused at load with its file:line), referral glue (RFC 9471: every in-domain
glue record or TC), and names compressed inside rdata (17 MX in 512 octets, a short SOA)."""

import re
import subprocess

import dns.flags
import dns.message

import gslbd_harness as h

LONG_TARGET = ".".join(c * 48 for c in "abcd") + ".r.test."  # 4 x 49 + 8 = 204 octets


def delegation(label, count, v6):
    """Records of label.r.test. delegated to count in-domain servers with A (and AAAA) glue."""
    lines = ["  - name: %s" % label, "    type: NS", "    data:"]
    lines += ["      - ns%d.%s.r.test." % (i, label) for i in range(1, count + 1)]
    for i in range(1, count + 1):
        lines += ["  - {name: ns%d.%s, type: A, data: [\"192.0.2.%d\"]}" % (i, label, i)]
        if v6:
            lines += ["  - {name: ns%d.%s, type: AAAA, data: [\"2001:db8::%d\"]}" % (i, label, i)]
    return lines


ZONE = "\n".join([
    "version: 1",
    "zone: r.test",
    "soa: {mname: ns1.r.test., rname: admin.r.test., serial: 1, minimum: 5m, ttl: 1h}",
    "ns: [ns1.r.test.]",
    "records:",
    "  - {name: ns1, type: A, data: [\"192.0.2.1\"]}",
    "  - {name: old, type: DNAME, ttl: 600, data: [\"new.r.test.\"]}",
    "  - {name: www.new, type: A, ttl: 300, data: [\"192.0.2.10\"]}",
    "  - {name: alias, type: CNAME, ttl: 120, data: [\"www.old.r.test.\"]}",
    "  - {name: long, type: DNAME, ttl: 600, data: [\"%s\"]}" % LONG_TARGET,
    "  - name: mx",
    "    type: MX",
    "    ttl: 300",
    "    data:",
] + ["      - \"%d mx%02d.mail.r.test.\"" % (10 + i, i) for i in range(17)]
    + delegation("six", 6, True) + delegation("twelve", 12, False)
    + delegation("thirteen", 13, True)) + "\n"

DNAME_RR = ("old.r.test.", 600, "IN", "DNAME", "new.r.test.")
WWW_CNAME = ("www.old.r.test.", 600, "IN", "CNAME", "www.new.r.test.")
WWW_A = ("www.new.r.test.", 300, "IN", "A", "192.0.2.10")

BELOW_DNAME = ZONE.replace("records:\n", "records:\n  - {name: a.old, type: TXT, data: [x]}\n")


class Dname(h.GslbdTestCase):
    SERVER = h.ServerSpec(zones=[], files={"r.test.zone.yaml": ZONE})

    def tools(self, *args, tcp=False):
        for name, tool in (("dig", h.dig), ("kdig", h.kdig)):
            p, a = tool(self.server, *args, tcp=tcp)
            self.assertEqual(p.returncode, 0, "%s %s: %s" % (name, args, p.stderr))
            yield name, a

    def test_dname_synthesises_the_cname(self):
        for tcp in (False, True):
            for tool, a in self.tools("www.old.r.test.", "A", tcp=tcp):
                what = "%s tcp=%s\n%s" % (tool, tcp, a.text)
                self.assertEqual(a.status, "NOERROR", what)
                self.assertIn("aa", a.flags, what)
                self.assertEqual(a.records("ANSWER"), [DNAME_RR, WWW_CNAME, WWW_A], what)

    def test_cname_into_a_dname_goes_through_it(self):
        for tool, a in self.tools("alias.r.test.", "A"):
            self.assertEqual(a.status, "NOERROR", a.text)
            self.assertEqual(a.records("ANSWER"), [
                ("alias.r.test.", 120, "IN", "CNAME", "www.old.r.test."),
                DNAME_RR, WWW_CNAME, WWW_A], "%s\n%s" % (tool, a.text))

    def test_missing_new_name_is_nxdomain_after_the_rewrite(self):
        for tool, a in self.tools("nope.old.r.test.", "A"):
            self.assertEqual(a.status, "NXDOMAIN", a.text)
            self.assertEqual(a.records("ANSWER"), [
                DNAME_RR, ("nope.old.r.test.", 600, "IN", "CNAME", "nope.new.r.test.")],
                "%s\n%s" % (tool, a.text))

    def test_too_long_substitution_is_yxdomain(self):
        qname = "p" * 40 + "." + "q" * 20 + ".long.r.test."
        for tool, a in self.tools(qname, "A"):
            self.assertEqual(a.status, "YXDOMAIN", "%s\n%s" % (tool, a.text))
            self.assertEqual(a.records("ANSWER"),
                             [("long.r.test.", 600, "IN", "DNAME", LONG_TARGET)], a.text)

    def test_data_below_a_dname_is_a_load_error_at_its_line(self):
        server = h.Server(h.ServerSpec(zones=[], files={"r.test.zone.yaml": BELOW_DNAME}))
        self.addCleanup(server.cleanup)
        p = subprocess.run([h.binary(), "--check-config", "-c", server.main_path],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, re.compile(
            r"^\S*r\.test\.zone\.yaml:6:\d+: TXT at a\.old\.r\.test\. is below the DNAME at "
            r"old\.r\.test\., where no data may be \(RFC 6672 section 2\.4\)$", re.M))


class Glue(h.GslbdTestCase):
    SERVER = h.ServerSpec(zones=[], files={"r.test.zone.yaml": ZONE})

    def referral(self, tool, label, *args):
        p, a = tool(self.server, "+norec", "+ignore", "host.%s.r.test." % label, "A", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(a.status, "NOERROR", a.text)
        self.assertNotIn("aa", a.flags, a.text)
        return a

    def test_in_domain_glue_is_all_there_or_tc(self):
        # (delegation, servers, glue records): every in-domain server's A (and AAAA).
        for label, servers, glue in (("six", 6, 12), ("twelve", 12, 12), ("thirteen", 13, 26)):
            for tool in (h.dig, h.kdig):
                plain = self.referral(tool, label, "+noedns")
                what = "%s %s without EDNS\n%s" % (tool.__name__, label, plain.text)
                self.assertEqual(len(plain.records("AUTHORITY")), servers, what)
                sent = len(plain.records("ADDITIONAL"))
                if sent < glue:
                    self.assertIn("tc", plain.flags, what)
                else:
                    self.assertNotIn("tc", plain.flags, what)
                if label in ("six", "twelve"):  # compressed, these fit in 512 octets
                    self.assertEqual(sent, glue, what)
                if label == "thirteen":  # 13 A and 13 AAAA cannot
                    self.assertIn("tc", plain.flags, what)
                edns = self.referral(tool, label, "+edns=0", "+bufsize=1232")
                what = "%s %s EDNS 1232\n%s" % (tool.__name__, label, edns.text)
                self.assertNotIn("tc", edns.flags, what)
                self.assertEqual(len(edns.records("ADDITIONAL")), glue, what)
                addresses = sorted(r[0] for r in edns.records("ADDITIONAL"))
                self.assertEqual(addresses, sorted(
                    "ns%d.%s.r.test." % (i, label) for i in range(1, servers + 1)
                    for _ in range(glue // servers)), what)


class Compression(h.GslbdTestCase):
    SERVER = h.ServerSpec(zones=[], files={"r.test.zone.yaml": ZONE})

    def raw(self, qname, qtype):
        q = h.make_query(qname, qtype)
        reply = h.udp_raw(self.server, q.to_wire())
        self.assertIsNotNone(reply, "no reply to %s %s" % (qname, qtype))
        return reply, dns.message.from_wire(reply)

    def test_seventeen_mx_fit_512_octets(self):
        reply, r = self.raw("mx.r.test.", "MX")
        self.assertFalse(r.flags & dns.flags.TC, r)
        self.assertEqual(len(r.answer), 1)
        self.assertEqual(len(r.answer[0]), 17, r)
        self.assertLessEqual(len(reply), 512)
        for tool in (h.dig, h.kdig):
            p, a = tool(self.server, "+noedns", "+ignore", "mx.r.test.", "MX")
            self.assertNotIn("tc", a.flags, a.text)
            want = sorted("%d mx%02d.mail.r.test." % (10 + i, i) for i in range(17))
            self.assertEqual(sorted(x[4] for x in a.records("ANSWER")), want, a.text)

    def test_negative_answer_soa_is_compressed(self):
        reply, r = self.raw("nothere.r.test.", "A")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        qname = len(dns.name.from_text("nothere.r.test.").to_wire())
        # header, question, SOA owner pointer, fixed part, "ns1" + pointer, "admin" + pointer,
        # five 32-bit numbers
        self.assertEqual(len(reply), 12 + qname + 4 + 2 + 10 + (4 + 2) + (6 + 2) + 20, r)
        soa = r.authority[0][0]
        self.assertEqual((soa.mname.to_text(), soa.rname.to_text()),
                         ("ns1.r.test.", "admin.r.test."))


if __name__ == "__main__":
    h.main()
