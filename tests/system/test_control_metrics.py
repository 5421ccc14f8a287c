# SPDX-License-Identifier: Apache-2.0
"""GET /metrics, parsed by prometheus_client's text parser: the DNS request, response and
duration counters move by exactly the queries the test sent (summed over two workers), pool
answers and member selections count the service answers, member_up follows a listener that
stops, reloads are counted by result with the generation and zone serial they put in service,
and build_info and the process_* families are there."""

import subprocess

import control_harness as c
import gslbd_harness as h
import pool_harness as p

STATIC = "ns1.example.com."  # a static A record of example.com (harness fixture)
MISSING = "no-such-name.example.com."


def delta(before, after, name, **labels):
    return c.sample(after, name, 0, **labels) - c.sample(before, name, 0, **labels)


class Metrics(c.ControlTestCase):
    WORKERS = 2  # counters are per worker, summed at scrape time

    def test_a_exposition_format(self):
        r = self.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/plain; version=0.0.4"),
                        r.headers["content-type"])
        families, _ = c.parse_metrics(r.text)
        kinds = {
            "gslbd_dns_requests": "counter", "gslbd_dns_responses": "counter",
            "gslbd_dns_request_duration_seconds": "histogram",
            "gslbd_pool_answers": "counter", "gslbd_member_up": "gauge",
            "gslbd_member_selections": "counter", "gslbd_config_reloads": "counter",
            "gslbd_config_generation": "gauge", "gslbd_zone_serial": "gauge",
            "gslbd_build_info": "gauge", "gslbd_health_checks": "counter",
        }
        for name, kind in kinds.items():
            self.assertIn(name, families, "family %s missing" % name)
            self.assertEqual(families[name].type, kind, name)
        samples = {s.name: s.value for f in families.values() for s in f.samples
                   if s.name.startswith("process_")}
        for name in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_open_fds", "process_max_fds", "process_start_time_seconds",
                     "process_virtual_memory_bytes"):
            self.assertIn(name, samples, "process metric %s missing" % name)
        self.assertGreater(samples["process_resident_memory_bytes"], 1 << 20)
        self.assertGreater(samples["process_open_fds"], 3)
        self.assertGreater(samples["process_start_time_seconds"], 1.6e9)

        build = families["gslbd_build_info"].samples
        self.assertEqual(len(build), 1)
        self.assertEqual(build[0].value, 1)
        version = subprocess.run([h.binary(), "--version"], capture_output=True, text=True,
                                 timeout=10).stdout
        self.assertTrue(build[0].labels["version"], "empty version label")
        self.assertIn(build[0].labels["version"], version)

        _, s = c.parse_metrics(r.text)
        self.assertEqual(c.sample(s, "gslbd_zone_serial", zone="example.com."), 2024010101)
        self.assertEqual(c.sample(s, "gslbd_zone_serial", zone="gslb.example."), 1)
        self.assertGreaterEqual(c.sample(s, "gslbd_config_generation"), 1)

    def test_b_queries_are_counted(self):
        self.wait_both_up()
        before = self.metrics()
        for _ in range(7):
            self.assertRcode(self.udp(STATIC, "A"), "NOERROR", "static A over UDP")
        for _ in range(3):
            self.assertRcode(self.tcp(STATIC, "A"), "NOERROR", "static A over TCP")
        for _ in range(2):
            self.assertRcode(self.udp(MISSING, "AAAA"), "NXDOMAIN", "missing name")
        for _ in range(4):
            self.assertEqual(self.answer("web"), c.BOTH)
        after = self.metrics()

        req = "gslbd_dns_requests_total"
        self.assertEqual(delta(before, after, req, zone="example.com.", proto="udp",
                               family="1", type="A"), 7)
        self.assertEqual(delta(before, after, req, zone="example.com.", proto="tcp",
                               family="1", type="A"), 3)
        self.assertEqual(delta(before, after, req, zone="example.com.", proto="udp",
                               family="1", type="AAAA"), 2)
        self.assertEqual(delta(before, after, req, zone="gslb.example.", proto="udp",
                               family="1", type="A"), 4)
        self.assertEqual(delta(before, after, req, zone="gslb.example.", proto="tcp",
                               family="1", type="A"), 0)

        resp = "gslbd_dns_responses_total"
        self.assertEqual(delta(before, after, resp, rcode="NOERROR"), 14)
        self.assertEqual(delta(before, after, resp, rcode="NXDOMAIN"), 2)
        self.assertEqual(delta(before, after, resp, rcode="SERVFAIL"), 0)

        hist = "gslbd_dns_request_duration_seconds"
        self.assertEqual(delta(before, after, hist + "_count"), 16)
        self.assertEqual(delta(before, after, hist + "_bucket", le="+Inf"), 16)
        self.assertGreater(delta(before, after, hist + "_sum"), 0)
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                         if k[0] == hist + "_bucket")
        self.assertGreater(len(buckets), 3)
        values = [v for _, v in buckets]
        self.assertEqual(values, sorted(values), "histogram buckets not cumulative")
        self.assertEqual(values[-1], c.sample(after, hist + "_count"))

        self.assertEqual(delta(before, after, "gslbd_pool_answers_total", pool="web",
                               outcome="normal"), 4)
        self.assertEqual(delta(before, after, "gslbd_pool_answers_total", pool="web",
                               outcome="all_down"), 0)
        for m in ("a", "b"):  # max_records 2: every answer names both
            self.assertEqual(delta(before, after, "gslbd_member_selections_total", pool="web",
                                   member=m), 4, m)
            self.assertEqual(c.sample(after, "gslbd_member_up", pool="web", member=m), 1, m)
        self.assertGreater(c.sample(after, "gslbd_health_checks_total", result="success"), 0)

    def test_c_member_up_follows_the_listener(self):
        self.wait_both_up()
        start = self.metrics()
        self.b.stop()
        try:
            self.wait_until("gslbd_member_up{member=b} == 0", lambda: c.sample(
                self.metrics(), "gslbd_member_up", pool="web", member="b") == 0)
            s = self.metrics()
            self.assertEqual(c.sample(s, "gslbd_member_up", pool="web", member="a"), 1)
            self.assertGreater(c.sample(s, "gslbd_health_checks_total", result="failure"), 0)
            self.assertGreater(delta(start, s, "gslbd_health_checks_by_type_total", type="tcp",
                                     result="failure"), 0)
            self.assertEqual(delta(start, s, "gslbd_health_checks_by_type_total", type="http",
                                   result="failure"), 0)
            self.assertEqual(delta(start, s, "gslbd_member_state_changes_total", to="down"), 1)
            self.assertGreater(delta(start, s, "gslbd_health_check_duration_seconds_count"), 0)
            before = s
            for _ in range(3):
                self.assertEqual(self.answer("web"), [c.A])
            after = self.metrics()
            self.assertEqual(delta(before, after, "gslbd_member_selections_total", pool="web",
                                   member="a"), 3)
            self.assertEqual(delta(before, after, "gslbd_member_selections_total", pool="web",
                                   member="b"), 0)
        finally:
            self.restart(self.b)
        self.wait_until("gslbd_member_up{member=b} == 1", lambda: c.sample(
            self.metrics(), "gslbd_member_up", pool="web", member="b") == 1)

    def test_d_reloads_are_counted(self):
        before = self.metrics()
        generation = c.sample(before, "gslbd_config_generation")
        good_zone = self.zone_text(serial=7)
        self.server.write_file("gslb.example.zone.yaml", good_zone)
        r = self.admin("reload")
        self.assertEqual(r.status, 200, r)
        middle = self.metrics()
        self.assertEqual(delta(before, middle, "gslbd_config_reloads_total", result="success"), 1)
        self.assertEqual(delta(before, middle, "gslbd_config_reloads_total", result="failure"), 0)
        self.assertEqual(c.sample(middle, "gslbd_config_generation"), generation + 1)
        self.assertEqual(c.sample(middle, "gslbd_zone_serial", zone="gslb.example."), 7)
        self.assertEqual(c.sample(middle, "gslbd_config_last_reload_successful"), 1)
        self.assertGreaterEqual(c.sample(middle, "gslbd_config_last_reload_timestamp_seconds"),
                                c.sample(before, "gslbd_config_last_reload_timestamp_seconds"))

        self.server.write_file("gslb.example.zone.yaml", good_zone + "bogus_key: 1\n")
        try:
            r = self.admin("reload")
            self.assertEqual(r.status, 422, r)
            after = self.metrics()
        finally:
            self.server.write_file("gslb.example.zone.yaml", self.zone_text())
        self.assertEqual(delta(middle, after, "gslbd_config_reloads_total", result="success"), 0)
        self.assertEqual(delta(middle, after, "gslbd_config_reloads_total", result="failure"), 1)
        self.assertEqual(c.sample(after, "gslbd_config_generation"), generation + 1)
        self.assertEqual(c.sample(after, "gslbd_zone_serial", zone="gslb.example."), 7)
        self.assertEqual(c.sample(after, "gslbd_config_last_reload_successful"), 0)
        self.assertEqual(self.answer("web"), self.answer("web"))  # still served

    def test_e_control_responses_are_counted(self):
        before = self.metrics()
        self.assertEqual(self.get("/no-such-endpoint").status, 404)
        self.assertEqual(self.admin("drain", token=None, pool="web", member="a").status, 401)
        after = self.metrics()
        self.assertEqual(delta(before, after, "gslbd_control_responses_total", code="404"), 1)
        self.assertEqual(delta(before, after, "gslbd_control_responses_total", code="401"), 1)
        # the first /metrics counted itself before rendering? either way, at least one 200
        self.assertGreaterEqual(delta(before, after, "gslbd_control_responses_total",
                                      code="200"), 1)


if __name__ == "__main__":
    p.main()
