# SPDX-License-Identifier: Apache-2.0
"""DNS cookies (RFC 7873 with RFC 9018 server cookies) against dig, kdig and dnspython, and the
FORMERR for malformed COOKIE and ECS options (RFC 7873 5.2.2, RFC 7871 7.1.2)."""

import re
import struct

import dns.edns
import dns.message
import dns.rcode

import control_harness as c
import gslbd_harness as h

COOKIE = dns.edns.COOKIE if hasattr(dns.edns, "COOKIE") else 10
CLIENT = bytes.fromhex("0123456789abcdef")


def cookie_line(text):
    """The COOKIE line of dig/kdig output: (hex, verdict or '')."""
    m = re.search(r"COOKIE: ([0-9a-fA-F]+)(?: \((\w+)\))?", text)
    return (m.group(1).lower(), m.group(2) or "") if m else (None, None)


def response_cookie(r):
    for opt in r.options:
        if opt.otype == COOKIE:
            return opt.to_wire()
    return None


def with_cookie(qname, qtype, data):
    return h.make_query(qname, qtype, edns=0, options=[dns.edns.GenericOption(COOKIE, data)])


class Cookies(h.GslbdTestCase):
    SERVER = h.ServerSpec(control=True)

    def test_dig_cookie_gets_a_server_cookie(self):
        p, _ = h.dig(self.server, "+cookie", "www.example.com.", "A")
        self.assertIn("status: NOERROR", p.stdout)
        value, verdict = cookie_line(p.stdout)
        self.assertIsNotNone(value, p.stdout)
        self.assertEqual(len(value), 48, "8-octet client + 16-octet server cookie:\n" + p.stdout)
        self.assertEqual(value[16:18], "01", "RFC 9018 version 1")
        self.assertEqual(verdict, "good", p.stdout)

    def test_dig_chosen_client_cookie_is_echoed_and_the_server_cookie_is_stable(self):
        p, _ = h.dig(self.server, "+cookie=" + CLIENT.hex(), "www.example.com.", "A")
        value, _ = cookie_line(p.stdout)
        self.assertTrue(value and value.startswith(CLIENT.hex()), p.stdout)
        # Sent back with the server cookie it was given: answered, the same cookie returned.
        again, _ = h.dig(self.server, "+cookie=" + value, "www.example.com.", "A")
        self.assertIn("status: NOERROR", again.stdout)
        self.assertIn("ANSWER: 2", again.stdout)
        self.assertEqual(cookie_line(again.stdout)[0], value, again.stdout)

    def test_dig_bad_server_cookie_is_answered_with_a_fresh_one(self):
        forged = CLIENT.hex() + "01000000" + "00000000" + "1122334455667788"
        p, _ = h.dig(self.server, "+cookie=" + forged, "www.example.com.", "A")
        self.assertIn("status: NOERROR", p.stdout)
        self.assertIn("ANSWER: 2", p.stdout)
        value, _ = cookie_line(p.stdout)
        self.assertTrue(value.startswith(CLIENT.hex()) and value != forged, p.stdout)

    def test_kdig_cookie(self):
        p, _ = h.kdig(self.server, "+cookie", "www.example.com.", "A")
        self.assertIn("NOERROR", p.stdout)
        value, _ = cookie_line(p.stdout)
        self.assertIsNotNone(value, p.stdout)
        self.assertEqual(len(value), 48, p.stdout)

    def test_bad_cookie_length_is_formerr(self):
        # 9 octets: a client cookie and one octet that cannot be a server cookie.
        p, _ = h.dig(self.server, "+cookie=010203040506070809", "www.example.com.", "A")
        self.assertIn("status: FORMERR", p.stdout)
        p, _ = h.kdig(self.server, "+ednsopt=10:01020304050607", "www.example.com.", "A")
        self.assertIn("FORMERR", p.stdout)
        for length in (1, 7, 9, 15, 41):
            r = h.udp(self.server, with_cookie("www.example.com.", "A", bytes(length)))
            self.assertEqual(r.rcode(), dns.rcode.FORMERR, "length %d\n%s" % (length, r))
            self.assertEqual(len(r.answer), 0)

    def test_kdig_bad_ecs_is_formerr(self):
        # family 1, source /20 with bits set past it: invalid (RFC 7871 7.1.2)
        bad = dns.edns.GenericOption(8, struct.pack("!HBB", 1, 20, 0) + bytes([198, 51, 100]))
        for proto in ("udp", "tcp"):
            q = h.make_query("www.example.com.", "A", edns=0, options=[bad])
            r = getattr(h, proto)(self.server, q)
            self.assertEqual(r.rcode(), dns.rcode.FORMERR, proto + "\n%s" % r)
        # kdig masks what it is given; an unknown family it sends as it is.
        p, _ = h.kdig(self.server, "+ednsopt=8:0003180000", "www.example.com.", "A")
        self.assertIn("FORMERR", p.stdout)
        good, _ = h.kdig(self.server, "+subnet=198.51.100.0/24", "www.example.com.", "A")
        self.assertIn("NOERROR", good.stdout)

    def test_query_for_a_server_cookie_alone(self):
        # RFC 7873 5.4: QDCOUNT 0 with a COOKIE option.
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 12) + struct.pack("!HH", 10, 8) + CLIENT
        reply = h.udp_raw(self.server, h.raw_header(0x4242, 0, qd=0, ar=1) + opt)
        self.assertIsNotNone(reply)
        r = dns.message.from_wire(reply)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(len(r.question), 0)
        cookie = response_cookie(r)
        self.assertTrue(cookie and cookie.startswith(CLIENT) and len(cookie) == 24)
        bad = cookie[:-1] + bytes([cookie[-1] ^ 1])
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 28) + struct.pack("!HH", 10, 24) + bad
        r = dns.message.from_wire(h.udp_raw(self.server, h.raw_header(7, 0, qd=0, ar=1) + opt))
        self.assertEqual(r.rcode(), dns.rcode.BADCOOKIE, r)
        self.assertEqual(response_cookie(r)[:8], CLIENT)

    def test_cookie_counters_in_metrics(self):
        h.udp(self.server, with_cookie("www.example.com.", "A", CLIENT))
        reply = c.request(self.server.control_port, "GET", "/metrics")
        _, samples = c.parse_metrics(reply.text)
        self.assertGreaterEqual(c.sample(samples, "gslbd_dns_cookies_total", 0,
                                         cookie="client_only"), 1)


class CookiesOff(h.GslbdTestCase):
    SERVER = h.ServerSpec(server_extra=["cookies:", "  enabled: false"])

    def test_no_cookie_in_answers(self):
        r = h.udp(self.server, with_cookie("www.example.com.", "A", CLIENT))
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertIsNone(response_cookie(r))


class CookieSecretFile(h.GslbdTestCase):
    """A secret from a file makes RFC 9018 cookies any server sharing it accepts; a reload with
    a new secret still accepts cookies made with the previous one."""

    SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf"
    SERVER = h.ServerSpec(server_extra=["cookies:", "  secret_file: cookie.secret"],
                          files={"cookie.secret": SECRET + "\n"})

    def test_rotation_keeps_the_previous_secret(self):
        first = response_cookie(h.udp(self.server, with_cookie("www.example.com.", "A", CLIENT)))
        self.server.write_file("cookie.secret", "445536bcd2513298075a5d379663c962\n")
        self.server.reload_and_wait()
        r = h.udp(self.server, with_cookie("www.example.com.", "A", first))
        renewed = response_cookie(r)
        self.assertNotEqual(renewed, first, "a cookie made with the old secret is renewed")
        # And that one, made with the new secret, is now returned as it is.
        self.assertEqual(response_cookie(h.udp(self.server, with_cookie("www.example.com.", "A",
                                                                         renewed))), renewed)


if __name__ == "__main__":
    h.main()
