# SPDX-License-Identifier: Apache-2.0
"""Health thread overload is visible: checks that ask for far more probes than one health thread
can start (256 members x 4 checks every 10 ms, about 100,000 probes/s, against a loopback port
that refuses) make probes start late; gslbd_health_checks_lag_seconds and
gslbd_health_checks_late_total rise, /status says behind_schedule, and one warning line names
the problem. A normal config (two members checked every 200 ms) shows no late probe and a lag
of a few milliseconds.

The overload runs only while its test class runs (a few seconds) and touches only 127.0.0.0/8."""

import re
import time

import control_harness as c
import pool_harness as p

POOLS = 8
MEMBERS = 32  # per pool: 256 members
CHECKS = 4    # per member
ADDRESSES = (["192.0.2.%d" % i for i in range(1, 255)] +
             ["198.51.100.%d" % i for i in range(1, 255)])
BEHIND = r"(?m)^\S+ warning health: probes start behind schedule: (\d+) of (\d+) probes"
WAIT = 30.0


class Overloaded(p.PoolTestCase):
    CONTROL = True

    @classmethod
    def peers(cls):
        cls.dead = p.refused_port("127.0.0.76")

        class Holder:
            def stop(self):
                cls.dead.close()
        return [Holder()]

    @classmethod
    def config(cls):
        port = cls.dead.getsockname()[1]
        lines = ["version: 1", "checks:"]
        for k in range(CHECKS):
            lines += ["  - name: c%d" % k, "    type: tcp", "    port: %d" % port,
                      "    interval: 10ms", "    timeout: 5ms", "    rise: 1", "    fall: 1",
                      "    jitter: 0"]
        lines.append("pools:")
        n = 0
        for i in range(POOLS):
            lines += ["  - name: p%d" % i, "    initial_state: wait", "    members:"]
            for j in range(MEMBERS):
                lines.append("      - {name: m%d, address: %s, check_address: 127.0.0.76, "
                             "checks: [c0, c1, c2, c3]}" % (j, ADDRESSES[n]))
                n += 1
        zone = p.zone_yaml([("p0", "p0", "30s", None)])
        return zone, {"load.pool.yaml": "\n".join(lines) + "\n"}

    def metrics(self):
        r = c.request(self.server.control_port, "GET", "/metrics")
        self.assertEqual(r.status, 200, r)
        return c.parse_metrics(r.text)[1]

    def status(self):
        r = c.request(self.server.control_port, "GET", "/status")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_overload_shows_lag_late_probes_and_one_log_line(self):
        deadline = time.monotonic() + WAIT
        seen_lag = 0.0
        seen_behind = False
        late = 0
        while time.monotonic() < deadline:
            m = self.metrics()
            seen_lag = max(seen_lag, c.sample(m, "gslbd_health_checks_lag_seconds", 0.0))
            late = c.sample(m, "gslbd_health_checks_late_total", 0.0)
            seen_behind = seen_behind or self.status()["health_checks"]["behind_schedule"]
            if seen_lag > 0 and late > 0 and seen_behind and re.search(
                    BEHIND, self.server.stderr_text()):
                break
            time.sleep(0.2)
        m = self.metrics()
        planned = c.sample(m, "gslbd_health_checks_planned_per_second")
        started = c.sample(m, "gslbd_health_checks_started_total")
        print("planned %.0f probes/s; started %d; late %d; largest lag seen %.1f ms"
              % (planned, started, late, seen_lag * 1000))
        self.assertAlmostEqual(planned, POOLS * MEMBERS * CHECKS * 100, delta=1)
        self.assertGreater(seen_lag, 0)
        self.assertGreater(late, 0)
        self.assertTrue(seen_behind, "/status never said behind_schedule")
        found = re.findall(BEHIND, self.server.stderr_text())
        self.assertGreaterEqual(len(found), 1, self.server.stderr_text()[-3000:])
        # at most once a minute: this test runs far less than two minutes
        self.assertLessEqual(len(found), 2, found)
        out = c.run_ctl(["--control", "127.0.0.1:%d" % self.server.control_port, "status"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"health checks: 102400\.0 probes/s planned, \d+ started in "
                         r"the last second(; BEHIND SCHEDULE|, on schedule)")


class Normal(c.ControlTestCase):
    def test_normal_config_is_on_schedule(self):
        self.wait_both_up()
        time.sleep(2.5)  # a few lag windows of 1 s
        m = self.metrics()
        lag = c.sample(m, "gslbd_health_checks_lag_seconds")
        print("normal config: lag %.1f ms" % (lag * 1000))
        self.assertEqual(c.sample(m, "gslbd_health_checks_late_total"), 0)
        self.assertLess(lag, 0.1)  # 100 ms: half the 200 ms interval, the "late" bound
        self.assertAlmostEqual(c.sample(m, "gslbd_health_checks_planned_per_second"), 10.0,
                               delta=0.01)  # 2 members x 1 check every 200 ms, no jitter
        s = self.status()["health_checks"]
        self.assertFalse(s["behind_schedule"], s)
        self.assertEqual(s["late_total"], 0, s)
        self.assertIsNone(re.search(BEHIND, self.server.stderr_text()))


if __name__ == "__main__":
    c.main()
