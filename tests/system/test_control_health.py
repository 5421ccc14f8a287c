# SPDX-License-Identifier: Apache-2.0
"""GET /healthz and /readyz: healthz is 200 while the process runs; readyz is 503 until the
first round of health checks is done (caught with a member whose check takes 5 s to time
out) and 200 after it. Unknown paths are 404, HEAD has no body."""

import socket
import time

import control_harness as c
import pool_harness as p

SLOW_TIMEOUT = 5.0  # the slow check's timeout: the first round ends about this long after start

SLOW_POOL = ("  - name: slow\n"
             "    initial_state: wait\n"
             "    members:\n"
             "      - {name: s, address: 192.0.2.90, check_address: 127.0.0.73,\n"
             "         checks: [{type: http, port: %d, interval: 20s, timeout: 5s,\n"
             "                   rise: 1, fall: 1, jitter: 0}]}\n")


class Health(c.ControlTestCase):
    def test_healthz_and_readyz(self):
        r = self.get("/healthz")
        self.assertEqual((r.status, r.text), (200, "ok\n"))
        self.assertTrue(r.headers["content-type"].startswith("text/plain"))
        self.wait_both_up()
        self.wait_until("readyz 200", lambda: self.get("/readyz").status == 200)
        self.assertEqual(self.get("/readyz").text, "ready\n")
        self.assertTrue(self.status()["first_round_done"])

    def test_methods_and_unknown_paths(self):
        r = c.request(self.cport, "HEAD", "/healthz")
        self.assertEqual((r.status, r.body), (200, b""))
        r = c.request(self.cport, "POST", "/healthz")
        self.assertEqual(r.status, 405)
        r = self.get("/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"], "no such endpoint")
        r = self.get("/healthz?x=1")
        self.assertEqual(r.status, 200)


class NotReadyUntilFirstRound(c.ControlTestCase):
    """Member slow/s is checked over HTTP against a socket that listens but never accepts: its
    first result is the 5 s timeout, and until then the first health round is not done."""

    @classmethod
    def peers(cls):
        peers = super().peers()
        cls.hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        cls.hole.bind(("127.0.0.73", 0))
        cls.hole.listen(16)  # connects complete in the kernel; no one ever reads or answers
        return peers

    @classmethod
    def stop_peers(cls):
        super().stop_peers()
        hole = getattr(cls, "hole", None)
        if hole is not None:
            hole.close()

    @classmethod
    def pool_text(cls, **kwargs):
        return c.pool_file(cls.a.port, cls.b.port,
                           extra_pools=SLOW_POOL % cls.hole.getsockname()[1], **kwargs)

    @classmethod
    def setUpClass(cls):
        cls.t_before_start = time.monotonic()
        super().setUpClass()

    def test_readyz_503_then_200(self):
        age = time.monotonic() - self.t_before_start  # >= the process's age
        r = self.get("/readyz")
        s = self.status()
        if r.status == 200 and age > SLOW_TIMEOUT - 1.5:
            self.skipTest("gslbd took %.1f s to start: the 5 s first round was already over"
                          % age)
        self.assertEqual(r.status, 503, "readyz %.1f s after start: %r" % (age, r))
        self.assertIn("first round of health checks not done", r.text)
        self.assertTrue(s["serving"])
        self.assertFalse(s["first_round_done"])
        self.assertFalse(self.member("slow", "s", s)["known"])
        self.assertEqual(self.get("/healthz").status, 200)
        out = self.ctl_ok("status", token=False).stdout
        self.assertIn("first health round pending", out)
        self.assertRegex(out, r"(?m)^slow\s+s\s+192\.0\.2\.90\s+down,unchecked\s")
        self.assertRegex(out, r"(?m)^slow/s:\s+check (\S+ )?\(\w+ to 127\.0\.0\.\d+:\d+\): no result "
                         r"yet$")

        t0 = time.monotonic()
        self.wait_until("readyz 200", lambda: self.get("/readyz").status == 200,
                        timeout=SLOW_TIMEOUT + 10)
        took = time.monotonic() - t0 + age
        self.assertGreater(took, SLOW_TIMEOUT - 1.5, "ready before the slow check could end")
        m = self.member("slow", "s")
        self.assertTrue(m["known"], m)
        self.assertFalse(m["up"], m)
        self.assertNotEqual(m["last_error"], "", m)
        self.assertTrue(self.status()["first_round_done"])


if __name__ == "__main__":
    p.main()
