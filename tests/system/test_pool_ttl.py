# SPDX-License-Identifier: Apache-2.0
"""Service TTLs: answers carry the service ttl while every member is up and degraded_ttl while
one member is down (in both families' answers), and ttl again after it recovers."""


import pool_harness as p

BOTH = ["192.0.2.110", "192.0.2.111"]


class Ttl(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.31").start()
        cls.b = p.ListenerPeer("127.0.0.32").start()
        return [cls.a, cls.b]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
                 "  - name: web\n"
                 "    max_records: 2\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: a, address: 192.0.2.110, check_address: 127.0.0.31,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: b, address: 192.0.2.111, check_address: 127.0.0.32,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: c, address: \"2001:db8::110\"}\n"
                 % (cls.a.port, cls.b.port))
        zone = p.zone_yaml([("web", "web", "45s", "9s"), ("plain", "web", "33s", None)])
        return zone, {"ttl.pool.yaml": pools}

    def test_ttl_and_degraded_ttl(self):
        # initial_state down: all down at first, answered by serve_all with degraded_ttl
        self.wait_ttl("web", 45)
        self.assertEqual(self.answer("web"), BOTH)
        self.assertEqual(self.ttl_of("web"), 45, "all up: service ttl")
        self.assertEqual(self.ttl_of("plain"), 33, "all up: service ttl")
        self.assertEqual(self.ttl_of("web", "AAAA"), 45, "v6 members all up")

        self.b.stop()
        try:
            self.wait_answer("web", ["192.0.2.110"])
            self.assertEqual(self.ttl_of("web"), 9, "one member down: degraded_ttl")
            self.assertEqual(self.ttl_of("plain"), 33, "no degraded_ttl given: ttl")
        finally:
            self.b.start()
        self.wait_answer("web", BOTH)
        self.assertEqual(self.ttl_of("web"), 45, "recovered: service ttl")

    def test_other_family_not_degraded(self):
        # degraded_ttl is judged per answered family (docs/configuration.md): an IPv4 member
        # down shortens the A answers only.
        self.wait_ttl("web", 45)
        self.b.stop()
        try:
            self.wait_answer("web", ["192.0.2.110"])
            self.assertEqual(self.ttl_of("web"), 9, "A answers: degraded_ttl")
            self.assertEqual(self.ttl_of("web", "AAAA"), 45,
                             "AAAA answers: the IPv6 members all serve, so the service ttl")
        finally:
            self.b.start()
        self.wait_answer("web", BOTH)


if __name__ == "__main__":
    p.main()
