# SPDX-License-Identifier: Apache-2.0
"""HTTP checks against a real HTTP server: the expected status and body substring decide the
member's state, and the configured method, path, Host and extra header are what is sent."""

import time

import pool_harness as p


class HttpHealth(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.web = p.HttpPeer("127.0.0.4", status=200, body="all healthy here").start()
        return [cls.web]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" +
                 p.fast_check("web-http", "http", port=cls.web.port, path="/check/health",
                              host="app.example.test", headers="{X-Check: gslbd-test}",
                              expect_status="[200, 202]", expect_body="healthy") +
                 "pools:\n"
                 "  - name: web\n"
                 "    max_records: 2\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: h, address: 192.0.2.20, check_address: 127.0.0.4,\n"
                 "         checks: [web-http]}\n"
                 "      - {name: n, address: 192.0.2.21}\n")
        return p.zone_yaml([("web", "web", "30s", None)]), {"web.pool.yaml": pools}

    def set_and_wait(self, status, body, want):
        self.web.status, self.web.body = status, body
        self.wait_answer("web", want)

    def test_status_and_body_flip_the_member(self):
        both, alone = ["192.0.2.20", "192.0.2.21"], ["192.0.2.21"]
        self.set_and_wait(200, "all healthy here", both)
        self.set_and_wait(503, "all healthy here", alone)      # status not expected
        self.set_and_wait(202, "healthy", both)                # the second expected status
        self.set_and_wait(200, "sick and tired", alone)        # body lacks "healthy"
        self.set_and_wait(200, "healthy", both)
        self.set_and_wait(404, "healthy", alone)
        self.set_and_wait(200, "healthy", both)

    def test_request_sent(self):
        self.wait_until("a request reached the HTTP peer", lambda: len(self.web.requests) > 0)
        n = len(self.web.requests)
        self.wait_until("more requests", lambda: len(self.web.requests) >= n + 2)
        for method, path, host, header in list(self.web.requests):
            self.assertEqual(method, "GET", "method")
            self.assertEqual(path, "/check/health", "path")
            self.assertEqual(host, "app.example.test", "Host header")
            self.assertEqual(header, "gslbd-test", "X-Check header")

    def test_interval_respected(self):
        """Checks run about every 200 ms: not flooding, not stalled."""
        n0 = len(self.web.requests)
        time.sleep(2.0)
        n = len(self.web.requests) - n0
        self.assertGreaterEqual(n, 3, "only %d checks in 2 s at a 200 ms interval" % n)
        self.assertLessEqual(n, 14, "%d checks in 2 s at a 200 ms interval" % n)


if __name__ == "__main__":
    p.main()
