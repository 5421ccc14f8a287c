# SPDX-License-Identifier: Apache-2.0
"""Answers decoded by other implementations: dig (BIND) and kdig (Knot), UDP and TCP."""

import gslbd_harness as h


class Tools(h.GslbdTestCase):
    SERVER = h.ServerSpec(identity="ns-test.example")

    def query(self, tool, *args, tcp=False):
        p, a = tool(self.server, *args, tcp=tcp)
        self.assertEqual(p.returncode, 0, "%s %s:\n%s%s" % (tool.__name__, args, p.stdout, p.stderr))
        self.assertIsNotNone(a.status, "no header parsed:\n" + p.stdout)
        return a

    def test_positive_with_compression(self):
        for tool in (h.dig, h.kdig):
            for tcp in (False, True):
                what = "%s tcp=%s" % (tool.__name__, tcp)
                a = self.query(tool, "example.com.", "MX", tcp=tcp)
                self.assertEqual(a.status, "NOERROR", what)
                self.assertIn("aa", a.flags, what)
                self.assertIn("qr", a.flags, what)
                self.assertNotIn("ra", a.flags, what)
                self.assertNotIn("tc", a.flags, what)
                self.assertEqual(sorted(a.records("ANSWER")), [
                    ("example.com.", 600, "IN", "MX", "10 mail.example.com."),
                    ("example.com.", 600, "IN", "MX", "20 mx.outside.example.org.")], a.text)
                self.assertEqual(sorted(a.records("ADDITIONAL")), [
                    ("mail.example.com.", 120, "IN", "A", "192.0.2.25"),
                    ("mail.example.com.", 120, "IN", "AAAA", "2001:db8::25")], a.text)

    def test_cname_chain(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "chain.example.com.", "A")
            self.assertEqual(a.status, "NOERROR")
            answer = a.records("ANSWER")
            self.assertEqual(answer[:2], [
                ("chain.example.com.", 100, "IN", "CNAME", "alias.example.com."),
                ("alias.example.com.", 100, "IN", "CNAME", "www.example.com.")], a.text)
            self.assertEqual(sorted(answer[2:]), [
                ("www.example.com.", 300, "IN", "A", "192.0.2.80"),
                ("www.example.com.", 300, "IN", "A", "192.0.2.81")], a.text)

    def test_nxdomain(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "nx.example.com.", "A")
            self.assertEqual(a.status, "NXDOMAIN", a.text)
            self.assertIn("aa", a.flags)
            self.assertEqual(a.records("ANSWER"), [], a.text)
            auth = a.records("AUTHORITY")
            self.assertEqual(len(auth), 1, a.text)
            self.assertEqual(auth[0][:4], ("example.com.", 300, "IN", "SOA"), a.text)

    def test_referral(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "+norec", "host.child.example.com.", "A")
            self.assertEqual(a.status, "NOERROR", a.text)
            self.assertNotIn("aa", a.flags, a.text)
            self.assertEqual(sorted(a.records("AUTHORITY")), [
                ("child.example.com.", 3000, "IN", "NS", "ns1.child.example.com."),
                ("child.example.com.", 3000, "IN", "NS", "ns2.child.example.com.")], a.text)
            self.assertEqual(sorted(a.records("ADDITIONAL")), [
                ("ns1.child.example.com.", 3000, "IN", "A", "192.0.2.53"),
                ("ns2.child.example.com.", 3000, "IN", "AAAA", "2001:db8::53")], a.text)

    def test_wildcard(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "Some.W.example.com.", "TXT")
            self.assertEqual(a.status, "NOERROR", a.text)
            self.assertEqual(a.records("ANSWER"),
                             [("some.w.example.com.", 400, "IN", "TXT", '"wild"')], a.text)

    def test_truncated_then_tcp(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "+ignore", "+noedns", "big.example.com.", "TXT")
            self.assertIn("tc", a.flags, a.text)
            self.assertEqual(a.records("ANSWER"), [], a.text)
            a = self.query(tool, "big.example.com.", "TXT", tcp=True)
            self.assertNotIn("tc", a.flags, a.text)
            self.assertEqual(len(a.records("ANSWER")), 1, a.text)

    def test_nsid_and_chaos(self):
        for tool in (h.dig, h.kdig):
            a = self.query(tool, "+nsid", "www.example.com.", "A")
            self.assertEqual(a.nsid, "ns-test.example", a.text)
            self.assertEqual(a.udp_size, 1232, a.text)
            a = self.query(tool, "id.server.", "CH", "TXT")
            self.assertEqual(a.status, "NOERROR", a.text)
            answer = [(o, c, t, d) for o, _ttl, c, t, d in a.records("ANSWER")]
            self.assertEqual(answer, [("id.server.", "CH", "TXT", '"ns-test.example"')], a.text)

    def test_badvers(self):
        for tool, args in ((h.dig, ["+edns=1", "+noednsnegotiation"]), (h.kdig, ["+edns=1"])):
            a = self.query(tool, *args, "www.example.com.", "A")
            self.assertEqual(a.status, "BADVERS", a.text)


if __name__ == "__main__":
    h.main()
