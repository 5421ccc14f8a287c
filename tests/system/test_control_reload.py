# SPDX-License-Identifier: Apache-2.0
"""Reload through each path: POST /admin/reload (good: the answers change and the generation
moves; bad: 422 with file:line:col errors and the old answers keep being served), SIGHUP
(bad: old answers kept, counted as a failure) and `gslbctl reload` (good: exit 0; bad: exit
non-zero printing the errors; old answers kept)."""

import re
import signal
import time

import control_harness as c
import pool_harness as p

ZONE_FILE = "gslb.example.zone.yaml"


class Reload(c.ControlTestCase):
    def static(self, value, serial):
        """The gslb zone with static.gslb.example A value."""
        return self.zone_text(serial=serial, records=[("static", "A", 60, [value])])

    @classmethod
    def config(cls):
        zone = c.gslb_zone(cls.services(), 1, [("static", "A", 60, ["198.51.100.1"])])
        return zone, {"web.pool.yaml": cls.pool_text()}

    def setUp(self):
        # every test starts from a known good config in service
        self.server.write_file(ZONE_FILE, self.static("198.51.100.1", 1))
        self.server.write_file("web.pool.yaml", self.pool_text())
        r = self.admin("reload")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.answer("static"), ["198.51.100.1"])

    def generation(self):
        return self.status()["generation"]

    def assert_old_answers_kept(self, what):
        for _ in range(10):
            self.assertEqual(self.answer("static"), ["198.51.100.1"], what)
        self.assertEqual(self.ttl_of("static"), 60, what)
        self.assertEqual(self.answer("web"), self.answer("web"))

    def assert_errors_located(self, errors, what):
        self.assertTrue(errors, "%s: no errors" % what)
        self.assertTrue(any(c.FILE_LINE_COL.search(e) for e in errors),
                        "%s: no file:line:col in %s" % (what, errors))

    def test_a_api_good_reload_changes_answers(self):
        gen = self.generation()
        self.server.write_file(ZONE_FILE, self.static("198.51.100.2", 2))
        r = self.admin("reload")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["ok"], body["generation"], body["errors"]), (True, gen + 1, []))
        self.assertEqual(self.answer("static"), ["198.51.100.2"])
        self.assertEqual(self.generation(), gen + 1)
        zones = {z["name"]: z["serial"] for z in self.status()["zones"]}
        self.assertEqual(zones["gslb.example."], 2)
        # a pool change: member a answers with a new address, health state kept
        self.wait_both_up()
        self.server.write_file("web.pool.yaml", self.pool_text(a_address="192.0.2.79"))
        self.assertEqual(self.admin("reload").status, 200)
        self.assertEqual(self.answer("web"), ["192.0.2.72", "192.0.2.79"])

    def test_b_api_bad_reload_keeps_old_answers(self):
        gen = self.generation()
        # line 4 of the zone file: an unknown key
        bad = self.static("198.51.100.3", 3).replace("default_ttl: 1h\n",
                                                     "default_ttl: 1h\nno_such_key: 1\n")
        self.server.write_file(ZONE_FILE, bad)
        r = self.admin("reload")
        self.assertEqual(r.status, 422, r)
        body = r.json()
        self.assertFalse(body["ok"])
        self.assertEqual(body["generation"], gen)
        self.assert_errors_located(body["errors"], "API reload")
        self.assertTrue(any(ZONE_FILE + ":4:" in e for e in body["errors"]), body["errors"])
        self.assert_old_answers_kept("after a rejected API reload")
        self.assertEqual(self.generation(), gen)
        # a broken pool file too (a member without an address)
        self.server.write_file(ZONE_FILE, self.static("198.51.100.3", 3))
        self.server.write_file("web.pool.yaml",
                               self.pool_text().replace("address: 192.0.2.72, ", ""))
        r = self.admin("reload")
        self.assertEqual(r.status, 422, r)
        self.assertTrue(any("web.pool.yaml:" in e for e in r.json()["errors"]), r)
        self.assert_old_answers_kept("after a rejected pool file")

    def test_c_sighup_bad_reload_keeps_old_answers(self):
        gen = self.generation()
        failures = c.sample(self.metrics(), "gslbd_config_reloads_total", result="failure")
        self.server.write_file(ZONE_FILE, "version: 1\nzone: [unclosed\n")
        rejected = re.compile(r"reload rejected")
        n = len(rejected.findall(self.server.stderr_text()))
        self.server.signal(signal.SIGHUP)
        self.wait_until("reload rejected logged",
                        lambda: len(rejected.findall(self.server.stderr_text())) > n)
        self.assertRegex(self.server.stderr_text(), ZONE_FILE + r":\d+:\d+")
        self.assert_old_answers_kept("after a rejected SIGHUP reload")
        self.assertEqual(self.generation(), gen)
        s = self.metrics()
        self.assertEqual(c.sample(s, "gslbd_config_reloads_total", result="failure"),
                         failures + 1)
        self.assertEqual(c.sample(s, "gslbd_config_last_reload_successful"), 0)
        # and a good SIGHUP after it
        self.server.write_file(ZONE_FILE, self.static("198.51.100.4", 4))
        successes = c.sample(self.metrics(), "gslbd_config_reloads_total", result="success")
        self.server.reload_and_wait()
        self.assertEqual(self.answer("static"), ["198.51.100.4"])
        self.assertEqual(self.generation(), gen + 1)
        s = self.metrics()
        self.assertEqual(c.sample(s, "gslbd_config_reloads_total", result="success"),
                         successes + 1)
        self.assertEqual(c.sample(s, "gslbd_config_last_reload_successful"), 1)

    def test_d_gslbctl_reload(self):
        gen = self.generation()
        self.server.write_file(ZONE_FILE, self.static("198.51.100.5", 5))
        r = self.ctl_ok("reload")
        self.assertIn("reloaded: config generation %d" % (gen + 1), r.stdout)
        self.assertEqual(self.answer("static"), ["198.51.100.5"])

        # back to the base answer so assert_old_answers_kept applies
        self.server.write_file(ZONE_FILE, self.static("198.51.100.1", 6))
        self.ctl_ok("reload")
        gen = self.generation()
        self.server.write_file(ZONE_FILE, self.static("198.51.100.6", 7).replace(
            "ttl: 60", "ttl: sixty"))
        t0 = time.monotonic()
        r = self.ctl("reload")
        self.assertNotEqual(r.returncode, 0, "bad reload exited 0\n%s%s" % (r.stdout, r.stderr))
        self.assertLess(time.monotonic() - t0, c.CTL_TIMEOUT)
        self.assertRegex(r.stderr, ZONE_FILE + r":\d+:\d+")
        self.assertIn("reload rejected; config generation %d stays in service" % gen, r.stderr)
        self.assert_old_answers_kept("after a rejected gslbctl reload")
        self.assertEqual(self.generation(), gen)

        # without the token: refused, nothing reloaded
        self.server.write_file(ZONE_FILE, self.static("198.51.100.7", 8))
        r = self.ctl("reload", token=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("gslbd answered 401", r.stderr)
        self.assert_old_answers_kept("after an unauthorized gslbctl reload")

    def test_e_gslbctl_reload_401_names_the_token_option(self):
        # drain/undrain/force without a token add "admin actions need --token-file FILE";
        # reload should too (it is an admin action)
        r = self.ctl("reload", token=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("gslbd answered 401", r.stderr)
        self.assertIn("--token-file", r.stderr)


if __name__ == "__main__":
    p.main()
