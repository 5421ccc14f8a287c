# SPDX-License-Identifier: Apache-2.0
"""Response rate limiting (server.rate_limit) against a dnspython flood from one source:
limiting, slip (TC=1, or BADCOOKIE to a client with a cookie), exempt networks, log_only, the
exemption of a valid server cookie and of TCP, the counters and the rate-limited log lines."""

import socket
import time

import dns.edns
import dns.flags
import dns.message
import dns.rcode

import control_harness as c
import gslbd_harness as h

COOKIE = 10
CLIENT = bytes.fromhex("0123456789abcdef")
FLOOD = 60


def rate_limit(*lines):
    return ["rate_limit:", "  enabled: true", "  responses_per_second: 5", "  window: 2s",
            "  slip: 2"] + ["  " + x for x in lines]


def flood(server, q, count=FLOOD, wait=1.0):
    """Sends count copies of q (ids 1..count) at once from one socket; returns {id: reply}."""
    replies = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for i in range(1, count + 1):
            q.id = i
            s.sendto(q.to_wire(), ("127.0.0.1", server.port))
        deadline = time.monotonic() + wait
        while len(replies) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                break
            r = dns.message.from_wire(data)
            replies[r.id] = r
    return replies


def tally(replies, count=FLOOD):
    full = sum(1 for r in replies.values() if r.answer)
    slipped = sum(1 for r in replies.values()
                  if not r.answer and (r.flags & dns.flags.TC or r.rcode() == dns.rcode.BADCOOKIE))
    return full, slipped, count - len(replies)


def response_cookie(r):
    for opt in r.options:
        if opt.otype == COOKIE:
            return opt.to_wire()
    return None


def with_cookie(data):
    return h.make_query("www.example.com.", "A", edns=0,
                        options=[dns.edns.GenericOption(COOKIE, data)])


def metrics(server):
    _, samples = c.parse_metrics(c.request(server.control_port, "GET", "/metrics").text)
    return samples


class RateLimited(h.GslbdTestCase):
    SERVER = h.ServerSpec(control=True, server_extra=rate_limit())

    def setUp(self):
        time.sleep(2.1)  # every test starts with the window of the previous one spent

    def test_flood_is_limited_and_slips_tc(self):
        full, slipped, dropped = tally(flood(self.server, h.make_query("www.example.com.", "A")))
        # 5 per second (a flood may straddle one second boundary), the rest limited: about
        # half of those slip as TC=1 (slip 2), the others get nothing.
        self.assertLessEqual(full, 10)
        self.assertGreaterEqual(full, 5)
        self.assertGreaterEqual(slipped, (FLOOD - full) // 2 - 2)
        self.assertGreaterEqual(dropped, (FLOOD - full) // 2 - 2)
        samples = metrics(self.server)
        self.assertGreaterEqual(c.sample(samples, "gslbd_dns_rate_limited_total", 0,
                                         action="dropped"), dropped)
        self.assertGreaterEqual(c.sample(samples, "gslbd_dns_rate_limited_total", 0,
                                         action="slipped"), slipped)
        self.assertRegex(self.server.stderr_text(),
                         r"rate limit: limiting 127\.0\.0\.0/24 over the answer rate")

    def test_slipped_answer_is_minimal_tc(self):
        replies = flood(self.server, h.make_query("www.example.com.", "A", edns=0), count=20)
        tc = [r for r in replies.values() if r.flags & dns.flags.TC]
        self.assertTrue(tc, "no TC=1 answer in a flood of 20")
        for r in tc:
            self.assertEqual(len(r.answer) + len(r.authority), 0)
            self.assertEqual(str(r.question[0].name), "www.example.com.")
        # The client retries over TCP and gets its answer: TCP is not limited.
        for _ in range(20):
            r = h.tcp(self.server, h.make_query("www.example.com.", "A"))
            self.assertEqual(len(r.answer), 1)

    def test_valid_server_cookie_bypasses_the_limit(self):
        # A client with a cookie that is limited is told BADCOOKIE with a server cookie...
        replies = flood(self.server, with_cookie(CLIENT), count=20)
        bad = [r for r in replies.values() if r.rcode() == dns.rcode.BADCOOKIE]
        self.assertTrue(bad, "no BADCOOKIE among the limited answers to a client cookie")
        cookie = response_cookie(bad[0])
        self.assertEqual(len(cookie), 24)
        # ...and with that cookie it is not limited at all.
        full, slipped, dropped = tally(flood(self.server, with_cookie(cookie)))
        self.assertEqual((full, slipped, dropped), (FLOOD, 0, 0))

    def test_other_names_have_their_own_budget(self):
        flood(self.server, h.make_query("www.example.com.", "A"))
        r = h.udp(self.server, h.make_query("ftp.example.com.", "A"))
        self.assertFalse(r.flags & dns.flags.TC)


class RateLimitExempt(h.GslbdTestCase):
    SERVER = h.ServerSpec(server_extra=rate_limit("exempt: [127.0.0.0/8]"))

    def test_exempt_network_is_not_limited(self):
        full, slipped, dropped = tally(flood(self.server, h.make_query("www.example.com.", "A")))
        self.assertEqual((full, slipped, dropped), (FLOOD, 0, 0))


class RateLimitLogOnly(h.GslbdTestCase):
    SERVER = h.ServerSpec(control=True, server_extra=rate_limit("log_only: true"))

    def test_log_only_answers_everything_and_counts(self):
        full, slipped, dropped = tally(flood(self.server, h.make_query("www.example.com.", "A")))
        self.assertEqual((full, slipped, dropped), (FLOOD, 0, 0))
        would = c.sample(metrics(self.server), "gslbd_dns_rate_limited_total", 0,
                         action="would_limit")
        self.assertGreaterEqual(would, FLOOD - 10)
        self.assertIn("would limit 127.0.0.0/24", self.server.stderr_text())

    def test_limit_lines_are_rate_limited(self):
        # Many keys (wildcard answers, one per name) going over at once: at most 10 lines a
        # second, the rest counted.
        for i in range(40):
            flood(self.server, h.make_query("n%d.w.example.com." % i, "TXT"), count=8, wait=0.2)
        time.sleep(1.2)
        h.udp(self.server, h.make_query("www.example.com.", "A"))  # a query flushes the count
        text = self.server.stderr_text()
        self.assertRegex(text, r"rate limit: \d+ lines suppressed")


if __name__ == "__main__":
    h.main()
