# SPDX-License-Identifier: Apache-2.0
"""The haproxy check and the least_connections policy against a real HAProxy on loopback.

One HAProxy (Debian's haproxy 2.6) serves two frontends, one per member: fe_a on 127.0.0.81 and
fe_b on 127.0.0.86, each with HTTP backends the test runs. gslbd reads `show stat` from the
runtime API: member a through the UNIX stats socket, member b over TCP; pool `page` reads fe_a
from HAProxy's HTTP stats page (`stats uri`, behind `stats auth`). The test shows the deep
health rule (HAProxy up, every backend server down -> member down, with the reason), the load
figures in /status and /metrics, and the shares of least_connections following real sessions.
"""

import base64

import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import control_harness as c
import pool_harness as p

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
A, B = "192.0.2.81", "192.0.2.86"
MAXCONN = 100  # fe_a's and fe_b's session limit (slim)
QUERIES = 400
PAGE_CREDENTIALS = "gslbd:stats-secret"


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def quiet_http(host):
    """An HTTP backend; HAProxy's checks hang up before reading the body, which is no error."""
    peer = p.HttpPeer(host)
    peer._server.handle_error = lambda *args: None
    return peer.start()


class HaproxyTier:
    """A real HAProxy process with two frontends; stop() kills it by PID."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="gslbd-haproxy-")
        self.socket = os.path.join(self.dir, "admin.sock")
        self.stats_port = free_port("127.0.0.80")
        self.port_a = free_port("127.0.0.81")
        self.port_b = free_port("127.0.0.86")
        self.page_port = free_port("127.0.0.80")
        # Backends: two servers behind fe_a, one behind fe_b; 503 makes HAProxy's check fail.
        self.servers_a = [quiet_http("127.0.0.82"), quiet_http("127.0.0.83")]
        self.servers_b = [quiet_http("127.0.0.87")]
        cfg = "\n".join([
            "global",
            "  stats socket %s mode 600 level user" % self.socket,
            "  stats socket ipv4@127.0.0.80:%d level user" % self.stats_port,
            "  maxconn 2000",
            "defaults",
            "  mode http",
            "  timeout connect 1s",
            "  timeout client 60s",
            "  timeout server 60s",
            "  default-server inter 200ms fall 1 rise 1",
            "frontend fe_a",
            "  bind 127.0.0.81:%d" % self.port_a,
            "  maxconn %d" % MAXCONN,
            "  default_backend be_a",
            "backend be_a",
            "  option httpchk GET /",
        ] + ["  server a%d 127.0.0.%d:%d check" % (i, 82 + i, s.port)
             for i, s in enumerate(self.servers_a)] + [
            "frontend fe_b",
            "  bind 127.0.0.86:%d" % self.port_b,
            "  maxconn %d" % MAXCONN,
            "  default_backend be_b",
            "backend be_b",
            "  option httpchk GET /",
            "  server b0 127.0.0.87:%d check" % self.servers_b[0].port,
            "listen stats",
            "  bind 127.0.0.80:%d" % self.page_port,
            "  stats enable",
            "  stats uri /stats",
            "  stats auth %s" % PAGE_CREDENTIALS,
            ""])
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(self.cfg, "w") as f:
            f.write(cfg)
        check = subprocess.run([HAPROXY, "-c", "-f", self.cfg], capture_output=True, text=True,
                               timeout=30)
        if check.returncode != 0:
            raise RuntimeError("haproxy -c: %s%s" % (check.stdout, check.stderr))
        self.log = open(os.path.join(self.dir, "haproxy.log"), "w")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", self.cfg], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("haproxy did not start: %s" % self.read_log())
            time.sleep(0.05)

    def read_log(self):
        with open(os.path.join(self.dir, "haproxy.log")) as f:
            return f.read()[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.log.close()
        for s in self.servers_a + self.servers_b:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(os.path.exists(HAPROXY), "haproxy is not installed (tools/install-deps)")
class HaproxyChecks(c.ControlTestCase):
    @classmethod
    def peers(cls):
        cls.tier = HaproxyTier()
        return [cls.tier]

    @classmethod
    def config(cls):
        t = cls.tier
        pools = ("version: 1\nchecks:\n"
                 + p.fast_check("stats", "haproxy", backends="[be_a]", frontend="fe_a",
                                socket=t.socket)
                 + "pools:\n"
                 "  - name: web\n"
                 "    policy: least_connections\n"
                 "    max_records: 1\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: a, address: %s, checks: [stats]}\n"
                 "      - name: b\n"
                 "        address: %s\n"
                 "        check_address: 127.0.0.80\n"
                 "        checks:\n"
                 "          - {type: haproxy, port: %d, frontend: fe_b, backends: [be_b],\n"
                 "             interval: 200ms, timeout: 100ms, rise: 2, fall: 2}\n"
                 "  - name: lost\n"
                 "    members:\n"
                 "      - name: gone\n"
                 "        address: 192.0.2.90\n"
                 "        checks: [{template: stats, socket: %s/missing.sock}]\n"
                 "  - name: page\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: a, address: %s, check_address: 127.0.0.80,\n"
                 "         checks: [{template: page, headers: {Authorization: \"Basic %s\"}}]}\n"
                 "      - {name: no_credentials, address: 192.0.2.91,\n"
                 "         check_address: 127.0.0.80, checks: [page]}\n"
                 % (A, B, t.stats_port, t.dir, A,
                    base64.b64encode(PAGE_CREDENTIALS.encode()).decode()))
        pools = pools.replace("pools:\n", p.fast_check(
            "page", "haproxy", port=t.page_port, stats_page="/stats", frontend="fe_a",
            backends="[be_a]") + "pools:\n", 1)
        zone = c.gslb_zone([("web", "web", "30s", "5s"), ("lost", "lost", "30s", "5s"),
                            ("page", "page", "30s", "5s")])
        return zone, {"web.pool.yaml": pools}

    def setUp(self):
        for s in self.tier.servers_a + self.tier.servers_b:
            s.status = 200
        self.wait_member_up("a", True)
        self.wait_member_up("b", True)

    def test_deep_health_follows_the_backends(self):
        for s in self.tier.servers_a:
            s.status = 503  # HAProxy stays up; its checks take both servers of be_a down
        start = time.monotonic()
        self.wait_member_up("a", False)
        took = time.monotonic() - start
        m = self.member("web", "a")
        self.assertFalse(m["up"])
        self.assertIn("backend 'be_a' has 0 of 2 servers up, needs 1", m["down_reason"])
        self.assertIn("haproxy at socket", m["down_reason"])
        for _ in range(20):
            self.assertEqual(self.answer("web"), [B])
        print("member a left the answers %.2f s after its backends failed" % took)
        # The stats page tells the same.
        self.wait_until("page/a down", lambda: not self.member("page", "a")["up"])
        reason = self.member("page", "a")["down_reason"]
        self.assertIn("backend 'be_a' has 0 of 2 servers up, needs 1", reason)
        self.assertIn("haproxy stats page /stats at 127.0.0.80:%d" % self.tier.page_port, reason)
        for s in self.tier.servers_a:
            s.status = 200
        self.wait_member_up("a", True)

    def test_load_figures_and_least_connections(self):
        m = self.member("web", "a")
        self.assertIsNotNone(m["load"], m)
        self.assertEqual(m["load"]["session_limit"], MAXCONN)
        self.assertEqual(m["load"]["up_servers"], 2)
        even = self.shares("web", QUERIES)
        share_a = even.get(A, 0) / QUERIES
        self.assertTrue(0.35 <= share_a <= 0.65, "idle sites: a's share %.3f" % share_a)

        # 60 sessions held open on fe_a (its limit is 100): spare 40% against b's 100%.
        held = []
        try:
            for _ in range(60):
                s = socket.create_connection(("127.0.0.81", self.tier.port_a), timeout=5)
                held.append(s)
            self.wait_until("a's sessions reach 55 in /status",
                            lambda: (self.member("web", "a")["load"] or {}).get("sessions", 0)
                            >= 55)
            table = self.ctl_ok("status").stdout
            self.assertIn("balancer load", table)
            self.assertRegex(table, r"web\s+a\s+\d+/%d\s" % MAXCONN, table)
            metrics = self.metrics()
            self.assertGreaterEqual(
                c.sample(metrics, "gslbd_member_sessions", pool="web", member="a"), 55)
            self.assertEqual(
                c.sample(metrics, "gslbd_member_session_limit", pool="web", member="a"), MAXCONN)
            loaded = self.shares("web", QUERIES)
            share_a = loaded.get(A, 0) / QUERIES
            print("least_connections: a (60 of %d sessions) got %.3f of %d answers (idle: %.3f)"
                  % (MAXCONN, share_a, QUERIES, even.get(A, 0) / QUERIES))
            # 0.4 / (0.4 + 1.0) = 0.29; never all to b (that would be arg-min herding).
            self.assertTrue(0.17 <= share_a <= 0.41,
                            "a holds 60 of 100 sessions: a's share %.3f, expected 0.29" % share_a)
            self.check_explain_reasons()
        finally:
            for s in held:
                s.close()
        self.wait_until("a's sessions drop in /status",
                        lambda: self.member("web", "a")["load"]["sessions"] <= 5)

    def check_explain_reasons(self):
        """/explain renders the selection's own trace: the load each member was drawn by and
        why the other one was left out, for every seed."""
        outcomes = set()
        for seed in range(40):
            e = self.get_json("/explain?name=web.gslb.example&type=A&seed=%d" % seed)
            svc = e["service"]
            self.assertEqual([x["decided_by"] for x in svc["pools"]], ["least_connections"])
            members = {x["name"]: x for x in svc["members"] if x["pool"] == "web"}
            self.assertLess(members["a"]["load_weight"], members["b"]["load_weight"], e)
            self.assertGreaterEqual(members["a"]["load"]["sessions"], 55, e)
            for m in members.values():
                self.assertEqual(m["load_weight"], m["draw_weight"], m)
            chosen = [n for n, m in members.items() if m["chosen"]]
            self.assertEqual(len(chosen), 1, e)
            self.assertEqual(svc["answer"], [members[chosen[0]]["address"]])
            other = members["b" if chosen[0] == "a" else "a"]
            self.assertEqual(members[chosen[0]]["reason_code"], "chosen")
            self.assertEqual(members[chosen[0]]["reason"],
                             "chosen by a draw in proportion to load_weight (spare capacity)")
            self.assertEqual(other["reason_code"], "not_drawn")
            self.assertIn("drawn in proportion to load_weight", other["reason"])
            outcomes.add(chosen[0])
        # b's weight is about 2.5 times a's: 40 seeds name both.
        self.assertEqual(outcomes, {"a", "b"})

    def test_stats_page(self):
        self.wait_until("page/a up", lambda: self.member("page", "a")["up"])
        m = self.member("page", "a")
        self.assertEqual(m["load"]["session_limit"], MAXCONN, m)
        self.assertEqual(m["load"]["up_servers"], 2, m)
        self.assertEqual(self.answer("page"), [A])
        # HAProxy refuses the page without `stats auth`'s credentials: a failed check, with why.
        self.wait_until("page/no_credentials has a verdict",
                        lambda: self.member("page", "no_credentials")["last_error"] is not None)
        refused = self.member("page", "no_credentials")
        self.assertFalse(refused["up"])
        self.assertIn("HTTP status 401", refused["last_error"])

    def test_missing_socket_is_a_reason(self):
        self.wait_until("member lost/gone has a verdict",
                        lambda: self.member("lost", "gone")["down_reason"] is not None)
        m = self.member("lost", "gone")
        self.assertIn("missing.sock", m["down_reason"])
        self.assertIn("no such file or directory", m["last_error"])


if __name__ == "__main__":
    p.main()
