# SPDX-License-Identifier: Apache-2.0
"""Hostile input: mutated queries (fixed seed) over UDP and TCP must never stop the server; any
reply must be a well-formed response with the query's id. Under ASan this also catches memory
errors, which make the server's exit status non-zero at tearDown."""

import random
import socket
import time

import dns.message

import gslbd_harness as h

SEED = 20240101
ROUNDS = 1500


def seeds():
    return [h.make_query(n, t, **kw).to_wire() for n, t, kw in (
        ("www.example.com.", "A", {}),
        ("alias.example.com.", "A", {"edns": 0, "want_nsid": True}),
        ("foo.w.example.com.", "TXT", {"edns": 0, "payload": 4096}),
        ("host.child.example.com.", "A", {}),
        ("huge.example.com.", "TXT", {"edns": 0, "payload": 512}),
        ("id.server.", "TXT", {"qclass": "CH"}),
        ("example.com.", "MX", {}),
    )]


def mutate(rng, wire):
    b = bytearray(wire)
    kind = rng.randrange(6)
    if kind == 0:  # flip bits
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncate
        b = b[:rng.randrange(len(b))]
    elif kind == 2:  # random bytes in place
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 3:  # append junk
        b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    elif kind == 4:  # counts
        i = rng.choice((4, 6, 8, 10))
        b[i:i + 2] = rng.randrange(65536).to_bytes(2, "big")
    else:  # compression pointer somewhere in the question
        if len(b) > 14:
            i = rng.randrange(12, len(b) - 1)
            b[i] = 0xC0 | rng.randrange(64)
            b[i + 1] = rng.randrange(256)
    if len(b) > 2:
        b[2] &= 0x7F  # keep QR clear so most packets are parsed, not dropped
    return bytes(b)


class Robustness(h.GslbdTestCase):
    def check_reply(self, sent, reply):
        self.assertGreaterEqual(len(reply), 12, "reply shorter than a header")
        self.assertEqual(reply[:2], sent[:2], "reply id differs from the query's")
        self.assertTrue(reply[2] & 0x80, "reply without QR")
        if (reply[2] >> 3) & 0xF == 0:  # dnspython 2.3 cannot parse unassigned opcodes
            dns.message.from_wire(reply, ignore_trailing=False)  # must parse

    def test_mutated_udp(self):
        rng = random.Random(SEED)
        base = seeds()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("127.0.0.1", self.server.port))
            s.setblocking(False)
            for i in range(ROUNDS):
                wire = mutate(rng, rng.choice(base))
                s.send(wire)
                if i % 50 == 49:
                    time.sleep(0.01)  # let the server keep up; replies are drained below
                while True:
                    try:
                        s.recv(65535)
                    except BlockingIOError:
                        break
        r = self.udp("www.example.com.", "A")
        self.assertRcode(r, "NOERROR", "after mutated UDP input")
        self.assertTrue(self.server.alive())

    def test_mutated_udp_replies_well_formed(self):
        rng = random.Random(SEED + 1)
        base = seeds()
        for _ in range(200):
            wire = mutate(rng, rng.choice(base))
            reply = h.udp_raw(self.server, wire, timeout=0.3)
            if reply is not None:
                self.check_reply(wire, reply)

    def test_mutated_tcp(self):
        rng = random.Random(SEED + 2)
        base = seeds()
        for _ in range(100):
            wire = mutate(rng, rng.choice(base))
            try:
                with h.tcp_connect(self.server) as s:
                    h.tcp_send_msg(s, wire)
                    try:
                        reply = h.tcp_read_msg(s, timeout=0.5)
                    except (EOFError, ConnectionResetError, socket.timeout):
                        continue
                    self.check_reply(wire, reply)
            except ConnectionResetError:
                continue
        # a length prefix promising more than is sent, then close
        with h.tcp_connect(self.server) as s:
            s.sendall(b"\x01\x00" + b"\x00" * 20)
        with h.tcp_connect(self.server) as s:
            s.sendall(b"\x00\x00")  # zero-length message
        r = self.tcp("www.example.com.", "A")
        self.assertRcode(r, "NOERROR", "after mutated TCP input")
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    h.main()
