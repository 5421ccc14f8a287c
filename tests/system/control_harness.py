# SPDX-License-Identifier: Apache-2.0
"""Control-endpoint system-test helpers: an HTTP client for gslbd's control endpoint, /metrics
parsed by prometheus_client's own text parser, gslbctl runs, and a pool test case that runs
gslbd with the endpoint on a free loopback port, a token, and two members (a, b) of pool web
whose tcp checks hit listeners the test owns.

Everything stays on 127.0.0.0/8; every wait is bounded. gslbctl comes from $GSLBCTL_BINARY
(set by ctest); the Prometheus parser is Debian's python3-prometheus-client.
"""

import datetime
import http.client
import json
import os
import re
import socket
import subprocess

from prometheus_client.parser import text_string_to_metric_families

import gslbd_harness as h
import pool_harness as p

TOKEN = "0123456789abcdefghijABCDEFGHIJ01"  # 32 characters
HTTP_TIMEOUT = 10.0
CTL_TIMEOUT = 30.0
# file:line:col as config errors print it (main.yaml:3:5, /tmp/x/web.pool.yaml:12:9)
FILE_LINE_COL = re.compile(r"[\w./-]+\.yaml:\d+:\d+")


def gslbctl_binary():
    path = os.environ.get("GSLBCTL_BINARY")
    if not path:
        raise RuntimeError("GSLBCTL_BINARY is not set (run these tests through ctest)")
    return path


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # {lowercase name: value}
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.text[:2000])


def request(port, method, target, token=None, body=None, timeout=HTTP_TIMEOUT):
    """One request to 127.0.0.1:port; returns a Reply (any status)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def parse_metrics(text):
    """{family name: family} and {(sample name, frozenset(labels)): value}, via prometheus_client."""
    families = {}
    samples = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = family
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            if key in samples:
                raise AssertionError("sample %s %s given twice" % (s.name, s.labels))
            samples[key] = s.value
    return families, samples


def sample(samples, name, default=None, **labels):
    return samples.get((name, frozenset(labels.items())), default)


def rfc3339(text):
    """A datetime from gslbd's RFC 3339 text (2026-01-02T03:04:05.678Z or +00:00)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text)


def run_ctl(args, timeout=CTL_TIMEOUT, env=None):
    """Runs gslbctl with args; returns CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.pop("GSLBCTL_CONTROL", None)
    full_env.pop("GSLBCTL_TOKEN_FILE", None)
    full_env.update(env or {})
    return subprocess.run([gslbctl_binary()] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=full_env, stdin=subprocess.DEVNULL)


def pool_file(a_port, b_port, extra_pools="", a_address="192.0.2.71", initial="down"):
    """Pool web: members a (checks 127.0.0.71:a_port) and b (127.0.0.72:b_port), weighted,
    max_records 2, so every answer names both while both are up."""
    return ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") +
            "pools:\n"
            "  - name: web\n"
            "    policy: weighted\n"
            "    max_records: 2\n"
            "    initial_state: %s\n"
            "    members:\n"
            "      - {name: a, address: %s, check_address: 127.0.0.71,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n"
            "      - {name: b, address: 192.0.2.72, check_address: 127.0.0.72,\n"
            "         checks: [{template: tcp-fast, port: %d}]}\n"
            % (initial, a_address, a_port, b_port)) + extra_pools


def gslb_zone(services, serial=1, records=()):
    """pool_harness.zone_yaml with a serial and static records [(name, type, ttl, [data])]."""
    text = p.zone_yaml(services).replace("  serial: 1\n", "  serial: %d\n" % serial)
    if records:
        text += "records:\n"
        for name, rtype, ttl, data in records:
            text += ("  - name: %s\n    type: %s\n    ttl: %d\n    data: [%s]\n"
                     % (name, rtype, ttl, ", ".join('"%s"' % d for d in data)))
    return text


A = "192.0.2.71"
B = "192.0.2.72"
BOTH = [A, B]


class ControlTestCase(p.PoolTestCase):
    """gslbd with the control endpoint (token TOKEN) and pool web (members a, b, both checked
    by tcp against listeners self.a and self.b); service web.gslb.example (ttl 30s, degraded 5s)."""

    CONTROL = True
    TOKEN = TOKEN

    @classmethod
    def peers(cls):
        cls.a = p.ListenerPeer("127.0.0.71").start()
        cls.b = p.ListenerPeer("127.0.0.72").start()
        return [cls.a, cls.b]

    @classmethod
    def services(cls):
        return [("web", "web", "30s", "5s")]

    @classmethod
    def zone_text(cls, serial=1, records=()):
        return gslb_zone(cls.services(), serial, records)

    @classmethod
    def pool_text(cls, **kwargs):
        return pool_file(cls.a.port, cls.b.port, **kwargs)

    @classmethod
    def config(cls):
        return cls.zone_text(), {"web.pool.yaml": cls.pool_text()}

    # --- the endpoint
    @property
    def cport(self):
        return self.server.control_port

    def get(self, target, **kwargs):
        return request(self.cport, "GET", target, **kwargs)

    def post(self, target, token=TOKEN, **kwargs):
        return request(self.cport, "POST", target, token=token, **kwargs)

    def get_json(self, target):
        r = self.get(target)
        self.assertEqual(r.status, 200, "GET %s: %r" % (target, r))
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"),
                        "GET %s content-type %s" % (target, r.headers.get("content-type")))
        return r.json()

    def status(self):
        return self.get_json("/status")

    def member(self, pool, name, status=None):
        status = status or self.status()
        for pl in status["pools"]:
            if pl["name"] == pool:
                for m in pl["members"]:
                    if m["name"] == name:
                        return m
        self.fail("no member %s/%s in /status: %s" % (pool, name, status))

    def metrics(self):
        r = self.get("/metrics")
        self.assertEqual(r.status, 200, "GET /metrics: %r" % r)
        return parse_metrics(r.text)[1]

    def admin(self, action, token=TOKEN, **params):
        target = "/admin/%s" % action
        if params:
            target += "?" + "&".join("%s=%s" % kv for kv in params.items())
        return self.post(target, token=token)

    def admin_ok(self, action, **params):
        r = self.admin(action, **params)
        self.assertEqual(r.status, 200, "POST /admin/%s %s: %r" % (action, params, r))
        return r.json()

    # --- gslbctl against this server
    def ctl(self, *args, token=True, timeout=CTL_TIMEOUT):
        argv = ["--control", "127.0.0.1:%d" % self.cport]
        if token:
            argv += ["--token-file", self.server.token_path]
        return run_ctl(argv + list(args), timeout=timeout)

    def ctl_ok(self, *args, **kwargs):
        r = self.ctl(*args, **kwargs)
        self.assertEqual(r.returncode, 0, "gslbctl %s: exit %d\nstdout:\n%s\nstderr:\n%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    # --- waits
    def wait_both_up(self):
        self.wait_ttl("web", 30)
        self.assertEqual(self.answer("web"), BOTH)

    def wait_member_up(self, name, up, timeout=p.HEALTH_WAIT):
        self.wait_until("member web/%s up=%s in /status" % (name, up),
                        lambda: self.member("web", name)["up"] == up, timeout)

    def restart(self, peer):
        """Starts a stopped listener again on its port (the check's target)."""
        if not peer.listening():
            peer.start()


def free_port_nothing_listens():
    """A loopback TCP port nobody listens on now (bound then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    h.main()

