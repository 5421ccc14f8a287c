# SPDX-License-Identifier: Apache-2.0
"""SIGHUP keeps health state: with a member down, a reload with an unchanged pool file keeps it
down right after the reload (no flap to initial_state: up), and a changed pool file (a new
member) is picked up while the down member stays down."""

import time

import pool_harness as p

POOL = ("version: 1\nchecks:\n{check}pools:\n"
        "  - name: web\n"
        "    max_records: 4\n"
        "    initial_state: up\n"
        "    members:\n"
        "      - {{name: a, address: 192.0.2.140, check_address: 127.0.0.40,\n"
        "         checks: [{{template: tcp-fast, port: {a}}}]}}\n"
        "      - {{name: b, address: 192.0.2.141, check_address: 127.0.0.41,\n"
        "         checks: [{{template: tcp-fast, port: {b}}}]}}\n"
        "{extra}"
        "  - name: cold\n"
        "    initial_state: down\n"
        "    members:\n"
        "      - {{name: a, address: 192.0.2.145, check_address: 127.0.0.40,\n"
        "         checks: [{{template: tcp-fast, port: {a}}}]}}\n")
NEW_MEMBER = "      - {name: c, address: 192.0.2.142}\n"


class ReloadKeepsState(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.40").start()
        cls.b = p.ListenerPeer("127.0.0.41").start()
        return [cls.a, cls.b]

    @classmethod
    def pool_text(cls, extra=""):
        return POOL.format(check=p.fast_check("tcp-fast"), a=cls.a.port, b=cls.b.port,
                           extra=extra)

    @classmethod
    def config(cls):
        return p.zone_yaml([("web", "web", "30s", "5s"), ("cold", "cold", "30s", "5s")]), {"web.pool.yaml": cls.pool_text()}

    def assert_stays(self, want, seconds, what):
        """Queries back to back for `seconds`; every answer must be want."""
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end and n < 5000:
            self.assertEqual(self.answer("web"), want, "%s (query %d)" % (what, n))
            n += 1
        self.assertGreater(n, 5, "too few queries to judge")

    def test_reload_keeps_down_member_down(self):
        self.wait_ttl("web", 30)
        self.b.stop()
        try:
            self.wait_answer("web", ["192.0.2.140"])
            # unchanged file: b stays down through the reload (a flap to `up` would show at once
            # and last about interval x fall = 400 ms)
            self.server.reload_and_wait()
            self.assert_stays(["192.0.2.140"], 1.0, "down member after a reload")

            # changed file: new member c (no checks, always up); b still down
            self.server.write_file("web.pool.yaml", self.pool_text(NEW_MEMBER))
            self.server.reload_and_wait()
            self.assert_stays(["192.0.2.140", "192.0.2.142"], 1.0, "after adding member c")
        finally:
            self.b.start()
        self.wait_answer("web", ["192.0.2.140", "192.0.2.141", "192.0.2.142"])
        self.server.write_file("web.pool.yaml", self.pool_text())
        self.server.reload_and_wait()
        self.wait_answer("web", ["192.0.2.140", "192.0.2.141"])

    def test_reload_keeps_up_member_up(self):
        """Pool cold starts members down: after a reload its up member must stay up (a reset
        to initial_state would make it all down, answered by serve_all with degraded_ttl)."""
        self.wait_ttl("cold", 30)
        self.server.reload_and_wait()
        end = time.monotonic() + 1.0
        n = 0
        while time.monotonic() < end and n < 5000:
            self.assertEqual(self.ttl_of("cold"), 30, "degraded right after a reload (query %d)" % n)
            n += 1

if __name__ == "__main__":
    p.main()
