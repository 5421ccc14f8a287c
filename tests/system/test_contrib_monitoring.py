# SPDX-License-Identifier: Apache-2.0
"""The monitoring examples under contrib/ are valid and name only metrics gslbd exports:

- `promtool check rules` accepts contrib/prometheus/gslbd.rules.yml, `promtool test rules` runs
  its unit tests (each alert fires, and stays quiet, when it should), and `promtool check
  config` accepts the scrape example;
- every metric name in the alert rules and in the Grafana dashboard's queries is one that a
  running gslbd (with pools, checks and the control endpoint) exports on /metrics, histogram
  series (_bucket, _sum, _count) included.

promtool comes from Debian's prometheus package (tools/install-deps --test); its absence is a
failure, not a skip."""

import json
import os
import re
import shutil
import subprocess

import control_harness as c
import pool_harness as p

REPO = os.path.dirname(os.path.dirname(c.h.HERE))
PROMETHEUS = os.path.join(REPO, "contrib", "prometheus")
RULES = os.path.join(PROMETHEUS, "gslbd.rules.yml")
DASHBOARD = os.path.join(REPO, "contrib", "grafana", "gslbd-dashboard.json")

# The health loop's lag metrics, with the types the behind-schedule alert assumes.
LAG_METRICS = {
    "gslbd_health_checks_lag_seconds": "gauge",
    "gslbd_health_checks_late_total": "counter",
}
# Series Prometheus itself makes for every target; not gslbd's to export.
PROMETHEUS_OWN = {"up"}

METRIC = re.compile(r"\b((?:gslbd|process)_[a-z0-9_]+|up)\b(?!\s*\()")


def promtool():
    exe = shutil.which("promtool")
    if exe is None:
        raise AssertionError("promtool is missing (Debian package prometheus; "
                             "tools/install-deps --test installs it)")
    return exe


def rule_exprs():
    """The expr of every rule, read with the YAML the rules are written in."""
    import yaml  # python3-yaml (tools/install-deps --test)
    with open(RULES) as f:
        doc = yaml.safe_load(f)
    return [r["expr"] for g in doc["groups"] for r in g["rules"]]


def dashboard_exprs():
    with open(DASHBOARD) as f:
        doc = json.load(f)
    exprs = []
    for panel in doc["panels"]:
        exprs += [t["expr"] for t in panel.get("targets", [])]
    for var in doc.get("templating", {}).get("list", []):
        q = var.get("query")
        if isinstance(q, dict):
            exprs.append(q.get("query", ""))
    return exprs


def names_in(expr):
    # label names in matchers and by/without lists look like words too: drop {...} and (...)
    # after by/without before looking
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    return set(m.group(1) for m in METRIC.finditer(expr))


class Promtool(p.PoolTestCase):
    """Needs no gslbd; a PoolTestCase only for the shared main()."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def run_promtool(self, *args):
        r = subprocess.run([promtool()] + list(args), capture_output=True, text=True,
                           timeout=120, cwd=PROMETHEUS)
        self.assertEqual(r.returncode, 0, "promtool %s:\n%s%s" % (" ".join(args), r.stdout,
                                                                  r.stderr))
        return r.stdout + r.stderr

    def test_check_rules(self):
        out = self.run_promtool("check", "rules", RULES)
        self.assertIn("SUCCESS: 5 rules found", out)

    def test_rule_unit_tests(self):
        self.run_promtool("test", "rules", "gslbd.rules.test.yml")

    def test_check_scrape_config(self):
        self.run_promtool("check", "config", "prometheus.yml")

    def test_each_required_alert_is_there(self):
        import yaml
        with open(RULES) as f:
            alerts = {r["alert"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]}
        self.assertEqual(alerts, {"GslbdInstanceDown", "GslbdPoolAllDown", "GslbdMemberFlapping",
                                  "GslbdReloadFailed", "GslbdHealthChecksBehindSchedule"})


class MetricNames(c.ControlTestCase):
    def exported(self):
        """{name: type} from the # TYPE lines of /metrics once the first checks have run."""
        self.wait_both_up()
        r = self.get("/metrics")
        self.assertEqual(r.status, 200)
        types = {}
        for line in r.text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split()
                types[name] = kind
        return types

    def check(self, where, exprs):
        types = self.exported()
        self.assertTrue(exprs, "%s has no queries" % where)
        seen = set()
        for expr in exprs:
            for name in names_in(expr):
                seen.add(name)
                if name in PROMETHEUS_OWN:
                    continue
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                if name in types:
                    continue
                if base != name and types.get(base) == "histogram":
                    continue
                self.fail("%s names %s, which gslbd does not export (query: %s)"
                          % (where, name, expr))
        for name, kind in LAG_METRICS.items():
            self.assertEqual(types.get(name), kind, "%s is exported as a %s" % (name, types.get(name)))
        return seen

    def test_rules_name_exported_metrics(self):
        seen = self.check("gslbd.rules.yml", rule_exprs())
        self.assertIn("gslbd_member_up", seen)
        self.assertTrue(set(LAG_METRICS) <= seen)

    def test_dashboard_names_exported_metrics(self):
        seen = self.check("gslbd-dashboard.json", dashboard_exprs())
        self.assertTrue(all(n.startswith(("gslbd_", "process_")) for n in seen), seen)
        # the dashboard shows DNS, pools, members, health checks and reloads
        for name in ("gslbd_dns_responses_total", "gslbd_pool_answers_total", "gslbd_member_up",
                     "gslbd_health_checks_total", "gslbd_config_reloads_total"):
            self.assertIn(name, seen)

    def test_name_extraction(self):
        self.assertEqual(names_in('sum by (pool, member) (rate(gslbd_x_total{pool="a"}[5m]))'),
                         {"gslbd_x_total"})
        self.assertEqual(names_in("histogram_quantile(0.9, rate(gslbd_d_seconds_bucket[1m]))"),
                         {"gslbd_d_seconds_bucket"})


if __name__ == "__main__":
    p.main()
