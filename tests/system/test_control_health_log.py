# SPDX-License-Identifier: Apache-2.0
"""Health verdicts reach the log and /status: a member that fails from its very first check
(initial_state wait) is logged at warning level with its pool, address, check and reason; down
transitions are warnings, up transitions info; a pool whose members are all down is logged once
when it enters that state (naming its all_down action) and once when it leaves it, by the
health thread and not per query; /status keeps the last error as history with its time while
down_reason shows only the present."""

import re
import time

import control_harness as c
import pool_harness as p

# spdlog's pattern: "2026-01-02T03:04:05.678 warning health: ..."
LINE = r"(?m)^\S+ (%s) health: %s"


class HealthLog(c.ControlTestCase):
    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.71").start()
        cls.b = p.ListenerPeer("127.0.0.72").start()
        cls.s = p.ListenerPeer("127.0.0.73").start()
        cls.dead1 = p.refused_port("127.0.0.74")
        cls.dead2 = p.refused_port("127.0.0.75")

        class Holder:
            def stop(self):
                cls.dead1.close()
                cls.dead2.close()
        return [cls.a, cls.b, cls.s, Holder()]

    @classmethod
    def services(cls):
        return [("web", "web", "30s", "5s"), ("solo", "solo", "30s", "5s"),
                ("dead", "dead", "30s", "5s")]

    @classmethod
    def config(cls):
        extra = ("  - name: solo\n"
                 "    initial_state: wait\n"
                 "    all_down: nodata\n"
                 "    members:\n"
                 "      - {name: s, address: 192.0.2.73, check_address: 127.0.0.73,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "  - name: dead\n"
                 "    initial_state: wait\n"
                 "    all_down: serve_all\n"
                 "    members:\n"
                 "      - {name: d1, address: 192.0.2.74, check_address: 127.0.0.74,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 "      - {name: d2, address: 192.0.2.75, check_address: 127.0.0.75,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n"
                 % (cls.s.port, cls.dead1.getsockname()[1], cls.dead2.getsockname()[1]))
        return cls.zone_text(), {"web.pool.yaml": cls.pool_text(extra_pools=extra,
                                                                initial="wait")}

    def log(self):
        return self.server.stderr_text()

    def wait_log(self, pattern, timeout=p.HEALTH_WAIT):
        self.wait_until("log line /%s/" % pattern, lambda: re.search(pattern, self.log()),
                        timeout)
        return re.search(pattern, self.log())

    def test_a_first_verdict_down_is_a_warning_with_pool_address_check_reason(self):
        m = self.wait_log(LINE % ("warning", r"member d1 of pool dead \(192\.0\.2\.74\) is down "
                                  r"\(first verdict\): check tcp-fast \(tcp to "
                                  r"127\.0\.0\.74:%d\) failed: (.*)$"
                                  % self.dead1.getsockname()[1]))
        self.assertIn("refused", m.group(2).lower(), m.group(0))
        # members that pass from the start get an info line
        self.wait_log(LINE % ("info", r"member a of pool web \(192\.0\.2\.71\) is up "
                              r"\(first verdict\): check tcp-fast \(tcp to 127\.0\.0\.71:%d\) "
                              r"passes$" % self.a.port))

    def test_b_pool_all_down_from_the_start_logged_once_not_per_query(self):
        pattern = LINE % ("warning", r"pool dead is all down for A answers \(d1 down, d2 down\); "
                          r"all_down serve_all \(answers name every member, whatever its "
                          r"health\) applies$")
        self.wait_log(pattern)
        # serve_all answers name both members; the queries add no log line
        for _ in range(20):
            self.assertEqual(self.answer("dead"), ["192.0.2.74", "192.0.2.75"])
        time.sleep(0.5)
        self.assertEqual(len(re.findall(pattern, self.log())), 1, self.log()[-3000:])
        self.assertEqual(len(re.findall(r"pool dead is", self.log())), 1)
        self.assertIsNone(re.search(r"pool web is all down", self.log()))

    def test_c_down_up_and_all_down_transitions(self):
        self.wait_both_up()
        self.wait_until("solo up", lambda: self.member("solo", "s")["up"])
        self.s.stop()
        try:
            self.wait_log(LINE % ("warning", r"member s of pool solo \(192\.0\.2\.73\) is down: "
                                  r"check tcp-fast \(tcp to 127\.0\.0\.73:%d\) failed: .*refused"
                                  % self.s.port))
            self.wait_log(LINE % ("warning", r"pool solo is all down for A answers \(s down\); "
                                  r"all_down nodata \(answers are empty\) applies$"))
            m = self.member("solo", "s")
            self.assertFalse(m["up"], m)
            self.assertIn("check tcp-fast", m["down_reason"], m)
            self.assertIn("refused", m["down_reason"].lower(), m)
            self.assertIn("refused", m["last_error"].lower(), m)
            self.assertEqual(m["last_error_check"], "tcp-fast", m)
            self.assertLess(m["last_error_age_s"], 30, m)
        finally:
            self.restart(self.s)
        self.wait_log(LINE % ("info", r"member s of pool solo \(192\.0\.2\.73\) is up: check "
                              r"tcp-fast \(tcp to 127\.0\.0\.73:%d\) passes$" % self.s.port))
        self.wait_log(LINE % ("info", r"pool solo is no longer all down for A answers after "
                              r"\d+ s \(s serving\); all_down nodata \(answers are empty\) no "
                              r"longer applies$"))
        # history, not the present: the error stays with its time, the down reason is gone
        m = self.member("solo", "s")
        self.assertTrue(m["up"], m)
        self.assertIsNone(m["down_reason"], m)
        self.assertIn("refused", m["last_error"].lower(), m)
        c.rfc3339(m["last_error_at"])
        out = self.ctl_ok("status", token=False).stdout
        self.assertIn("earlier check failures (these members are up now):", out)
        self.assertRegex(out, r"(?m)^solo/s:\s+last error \d+s ago \(check tcp-fast\): .*refused")
        down_now = out.split("down now, because:\n", 1)[-1].split("\n\n", 1)[0]
        self.assertNotIn("solo/s:", down_now, out)
        self.assertIn("dead/d1:", down_now, out)

    def test_d_force_auto_is_not_logged_as_forced(self):
        self.wait_both_up()
        self.admin_ok("force", pool="web", member="a", state="down")
        self.wait_log(LINE % ("warning", r"member a of pool web \(192\.0\.2\.71\) is down: "
                              r"forced down by admin$"))
        self.admin_ok("force", pool="web", member="a", state="auto")
        self.wait_log(LINE % ("info", r"member a of pool web \(192\.0\.2\.71\) is up: force "
                              r"cleared by admin; check tcp-fast .* passes$"))
        self.wait_log(r"(?m)control: web/a follows its checks again$")
        self.assertIsNone(re.search(r"control: force web/a auto|forced auto", self.log()))


if __name__ == "__main__":
    c.main()
