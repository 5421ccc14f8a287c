# SPDX-License-Identifier: Apache-2.0
"""Several worker threads (--workers 2) answer every query, over UDP and TCP."""

import socket
import time

import dns.message

import gslbd_harness as h

EXPECTED = {
    "www.example.com.": ["192.0.2.80", "192.0.2.81"],
    "mail.example.com.": ["192.0.2.25"],
    "example.com.": ["192.0.2.10"],
    "sip.example.com.": ["192.0.2.50"],
}


class Workers(h.GslbdTestCase):
    SERVER = h.ServerSpec(workers=1, args=["--workers", "2"])

    def check(self, r, qname):
        self.assertRcode(r, "NOERROR", qname)
        self.assertFlags(r, aa=True, tc=False, what=qname)
        self.assertEqual(r.question[0].name.to_text(), qname)
        self.assertEqual(sorted(x.to_text() for x in r.answer[-1]), EXPECTED[qname], str(r))

    def test_udp_spray(self):
        names = sorted(EXPECTED)
        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(20)]
        try:
            sent = {}
            for i in range(200):  # 20 sockets (source ports) x 10 queries in flight each
                qname = names[i % len(names)]
                q = h.make_query(qname, "A", qid=i)
                socks[i % 20].sendto(q.to_wire(), ("127.0.0.1", self.server.port))
                sent[i] = qname
            got = {}
            deadline = time.monotonic() + 10
            for idx, s in enumerate(socks):
                mine = {i for i in sent if i % 20 == idx}
                while not mine <= got.keys():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    s.settimeout(left)
                    try:
                        data = s.recv(65535)
                    except socket.timeout:
                        break
                    r = dns.message.from_wire(data)
                    got[r.id] = r
        finally:
            for s in socks:
                s.close()
        missing = sorted(set(sent) - set(got))
        self.assertEqual(missing, [], "%d of 200 queries unanswered" % len(missing))
        for i, qname in sent.items():
            self.check(got[i], qname)

    def test_tcp_connections(self):
        for i in range(20):
            qname = sorted(EXPECTED)[i % len(EXPECTED)]
            self.check(self.tcp(qname, "A"), qname)


if __name__ == "__main__":
    h.main()
