# SPDX-License-Identifier: Apache-2.0
"""Operator actions pushed to the peers: three real instances on their own loopback addresses
poll each other only every 30 s, so a poll cannot explain what they see within a second. A
drain, a force with an expiry and a weight (by gslbctl) taken on ns1 are in force on ns2 and ns3
within about a second, with the same origin, time and sequence number everywhere, and neither
receiver sends them on; the propagation times are printed. A push without the token, with a
wrong one, with a body that is not a push or is too long, or from a web page is refused and
changes nothing; the fleet token pushes actions but takes no admin action. An older record
pushed after a newer one does not win. A peer that is down while the push goes out catches up
by its first poll when it returns."""

import json
import os
import socket
import time
import unittest

import control_harness as c
import peers_harness as ph

POLL = "30s"
PUSH_BOUND_S = 2.0  # "about a second", with room for a busy shared 2-core machine
ADMIN_TOKEN = "admin-only-0123456789abcdef"
SLACK_S = 5.0


def member(instance, name):
    for pl in instance.get_json("/status")["pools"]:
        if pl["name"] == "web":
            for m in pl["members"]:
                if m["name"] == name:
                    return m
    raise AssertionError("no web/%s on %s" % (name, instance.name))


def actions(instance):
    return instance.get_json("/status")["operator_state"]["actions"]


def peer_status(instance, name):
    for x in instance.get_json("/status")["peers"]["instances"]:
        if x["name"] == name:
            return x
    raise AssertionError("%s has no peer %s" % (instance.name, name))


def metric(instance, series):
    status, text = instance.get("/metrics")
    assert status == 200, text
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def record(pool, name, kind, value, at_ms, seq, origin="ns9", expires=0):
    return {"pool": pool, "member": name, "kind": kind, "value": value,
            "expires_at_ms": expires, "origin": origin, "at_ms": at_ms, "seq": seq}


class OperatorPush(ph.TwoMemberFleetTest):
    def instance(self, name, host):
        i = ph.Instance(name, host, self.pool)
        # The admin token is not the fleet token: pushes travel with the fleet token.
        i.write("admin.token", ADMIN_TOKEN + "\n")
        os.chmod(os.path.join(i.dir, "admin.token"), 0o600)
        i.control_extra = ["token_file: admin.token"]
        i.peers_timing = ["interval: %s" % POLL, "timeout: 2s"]
        self.instances.append(i)
        return i

    def fleet(self, first_host=51):
        nodes = [self.instance("ns%d" % (n + 1), "127.0.0.%d" % (first_host + n))
                 for n in range(3)]
        ph.start_fleet(nodes)
        for i in nodes:
            ph.wait_for("%s: a and b up" % i.name,
                        lambda i=i: i.answers() == ["192.0.2.1", "192.0.2.2"])
        return nodes

    def admin(self, instance, action, **params):
        query = "&".join("%s=%s" % kv for kv in params.items())
        status, body = instance.post("/admin/%s?%s" % (action, query), token=ADMIN_TOKEN)
        self.assertEqual(status, 200, "%s %s: %s" % (action, params, body))
        return json.loads(body)

    def seen_within(self, t0, receivers, predicate, what):
        """Seconds from t0 until predicate(instance) held on each receiver."""
        seen = {}
        deadline = t0 + PUSH_BOUND_S + SLACK_S
        while len(seen) < len(receivers) and time.monotonic() < deadline:
            for i in receivers:
                if i.name not in seen and predicate(i):
                    seen[i.name] = time.monotonic() - t0
            time.sleep(0.005)
        print("%s on ns1 seen after: %s (peers.interval %s)"
              % (what, ", ".join("%s %.3f s" % kv for kv in sorted(seen.items())), POLL))
        self.assertEqual(sorted(seen), sorted(i.name for i in receivers),
                         "%s not seen everywhere: %s" % (what, seen))
        for name, took in seen.items():
            self.assertLessEqual(took, PUSH_BOUND_S, "%s: %s took %.3f s" % (what, name, took))
        return seen

    def push(self, instance, body, token=ph.FLEET_TOKEN, headers=None):
        fields = {"Content-Type": "application/json"}
        fields.update(headers or {})
        text = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return instance.post("/peer/actions", token=token, body=text, headers=fields)

    def test_a_actions_reach_the_fleet_by_push(self):
        one, two, three = self.fleet()
        receivers = (two, three)
        polls_before = {i.name: peer_status(i, "ns1")["polls"] for i in receivers}

        t0 = time.monotonic()
        self.admin(one, "drain", pool="web", member="a")
        self.seen_within(t0, receivers, lambda i: member(i, "a")["drained"], "drain")

        t0 = time.monotonic()
        self.admin(one, "force", pool="web", member="b", state="up", expires="1h")
        self.seen_within(t0, receivers, lambda i: member(i, "b")["forced"], "force up for 1h")

        t0 = time.monotonic()
        r = c.run_ctl(["-c", os.path.join(one.dir, "main.yaml"), "weight", "web", "b", "7"])
        self.assertEqual(r.returncode, 0, r)
        self.seen_within(t0, receivers, lambda i: member(i, "b")["weight_override"] == 7,
                         "gslbctl weight")

        # No poll brought them: none of ns2's and ns3's polls of ns1 ran meanwhile.
        for i in receivers:
            self.assertEqual(peer_status(i, "ns1")["polls"], polls_before[i.name], i.name)
        # One state everywhere: the same records with ns1's origin, time and sequence number.
        mine = actions(one)
        self.assertEqual(len(mine), 3, mine)
        self.assertEqual({a["origin"] for a in mine}, {"ns1"})
        for i in receivers:
            self.assertEqual(actions(i), mine, i.name)
        # ns1 counts and shows its pushes; the receivers applied them and sent nothing on.
        for name in ("ns2", "ns3"):
            push = peer_status(one, name)["push"]
            self.assertEqual((push["sent"], push["succeeded"], push["failed"]), (3, 3, 0), push)
            self.assertTrue(push["last_ok"], push)
            self.assertEqual(push["last_result"], "ok: 1 applied, 0 older, 0 refused", push)
            self.assertEqual(metric(one, 'gslbd_peer_pushes_total{peer="%s",result="ok"}'
                                    % name), 3)
        for i in receivers:
            self.assertEqual(metric(i, 'gslbd_peer_pushes_received_total{result="accepted"}'), 3)
            self.assertEqual(metric(i, 'gslbd_peer_pushed_records_total{result="applied"}'), 3)
            for other in i.get_json("/status")["peers"]["instances"]:
                self.assertEqual(other["push"]["sent"], 0, "%s pushed on: %s" % (i.name, other))
            ph.wait_for("%s logged the pushed drain" % i.name,
                        lambda i=i: "adopted from peer ns1 (pushed)" in i.stderr_text(),
                        timeout=SLACK_S)
            self.assertEqual(i.answers(), ["192.0.2.2"], i.name)  # a drained

    def test_b_refused_pushes_change_nothing(self):
        one = self.instance("ns1", "127.0.0.55")
        # A peer that never answers: the instance has a peers section, hence a fleet token.
        one.peers = [("ns2", "127.0.0.56", ph.free_tcp_udp_port("127.0.0.56"))]
        one.start()
        ph.wait_for("serves", lambda: one.answers() == ["192.0.2.1", "192.0.2.2"])
        now = int(time.time() * 1000)
        good = {"format": 1, "instance": "ns2",
                "actions": [record("web", "a", "drain", "on", now, 1)]}

        status, body = self.push(one, good, token=None)
        self.assertEqual(status, 401, body)
        ph.wait_for("the 401 logged",
                    lambda: "refused with 401: no token; nothing changed" in one.stderr_text(),
                    timeout=SLACK_S)
        self.assertEqual(self.push(one, good, token="wrong-token-0123456789")[0], 401)
        time.sleep(1.1)  # refusals are logged once a second at most
        status, body = self.push(one, "drain everything")
        self.assertEqual(status, 400, body)
        self.assertIn("not a push of operator actions: not JSON", body)
        ph.wait_for("the 400 logged",
                    lambda: "refused with 400: not a push of operator actions" in
                    one.stderr_text(), timeout=SLACK_S)
        bad = dict(good, actions=[record("web", "a", "drain", "sideways", now, 1)])
        status, body = self.push(one, bad)
        self.assertEqual(status, 400, body)
        self.assertIn("'value' does not fit kind drain", body)
        time.sleep(1.1)
        # Declared longer than control.max_request_bytes (16 KiB): refused before it is read.
        with socket.create_connection((one.host, one.control_port), timeout=5) as s:
            s.sendall(("POST /peer/actions HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer "
                       "%s\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n"
                       % (one.host, one.control_port, ph.FLEET_TOKEN)).encode())
            reply = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        self.assertTrue(reply.startswith(b"HTTP/1.1 413 "), reply)
        ph.wait_for("the 413 logged",
                    lambda: "refused with 413" in one.stderr_text(), timeout=SLACK_S)
        self.assertEqual(self.push(one, good, headers={"Content-Type": "text/plain"})[0], 415)
        self.assertEqual(self.push(one, good, headers={"Origin": "https://evil.example"})[0],
                         403)
        # The fleet token pushes records, and nothing else: no admin action, no reload.
        self.assertEqual(one.post("/admin/drain?pool=web&member=a")[0], 401)
        self.assertEqual(one.post("/admin/reload")[0], 401)
        time.sleep(0.3)
        self.assertEqual(actions(one), [])
        self.assertFalse(member(one, "a")["drained"])
        self.assertEqual(metric(one, 'gslbd_peer_pushes_received_total{result="unauthorized"}'),
                         2)
        self.assertEqual(metric(one, 'gslbd_peer_pushes_received_total{result="malformed"}'), 3)
        self.assertEqual(metric(one, 'gslbd_peer_pushes_received_total{result="oversized"}'), 1)
        self.assertEqual(metric(one, 'gslbd_peer_pushes_received_total{result="accepted"}'), 0)

        # The same push with the fleet token, then with the admin token, is taken.
        status, body = self.push(one, good)
        self.assertEqual((status, json.loads(body)), (200, {"applied": 1, "older": 0,
                                                            "refused": 0}), body)
        ph.wait_for("a drained", lambda: member(one, "a")["drained"], timeout=SLACK_S)
        later = {"format": 1, "instance": "ns2",
                 "actions": [record("web", "b", "weight", "3", now + 1, 2)]}
        status, body = self.push(one, later, token=ADMIN_TOKEN)
        self.assertEqual(status, 200, body)
        ph.wait_for("b weighs 3", lambda: member(one, "b")["weight_override"] == 3,
                    timeout=SLACK_S)

    def test_c_an_older_push_does_not_win(self):
        one = self.instance("ns1", "127.0.0.57")
        one.peers = [("ns2", "127.0.0.58", ph.free_tcp_udp_port("127.0.0.58"))]
        one.start()
        ph.wait_for("serves", lambda: one.answers() == ["192.0.2.1", "192.0.2.2"])
        now = int(time.time() * 1000)
        newer = {"format": 1, "instance": "ns3",
                 "actions": [record("web", "a", "drain", "on", now, 5, origin="ns3")]}
        self.assertEqual(self.push(one, newer)[0], 200)
        ph.wait_for("a drained", lambda: member(one, "a")["drained"], timeout=SLACK_S)
        # Older by time, and the same time with a lower sequence number: both lose.
        for at, seq in ((now - 1000, 9), (now, 4)):
            older = {"format": 1, "instance": "ns2",
                     "actions": [record("web", "a", "drain", "off", at, seq, origin="ns2")]}
            status, body = self.push(one, older)
            self.assertEqual((status, json.loads(body)),
                             (200, {"applied": 0, "older": 1, "refused": 0}), body)
        time.sleep(0.3)
        self.assertTrue(member(one, "a")["drained"])
        kept = actions(one)
        self.assertEqual([(a["value"], a["origin"], a["seq"]) for a in kept], [("on", "ns3", 5)])
        self.assertEqual(one.answers(), ["192.0.2.2"])
        self.assertEqual(metric(one, 'gslbd_peer_pushed_records_total{result="older"}'), 2)

    def test_d_a_peer_down_during_the_push_catches_up_by_poll(self):
        one, two, three = self.fleet(first_host=61)
        three.kill()
        t0 = time.monotonic()
        self.admin(one, "drain", pool="web", member="b")
        self.seen_within(t0, (two,), lambda i: member(i, "b")["drained"], "drain with ns3 down")
        ph.wait_for("ns1's push to ns3 failed",
                    lambda: peer_status(one, "ns3")["push"]["failed"] >= 1, timeout=SLACK_S)
        push = peer_status(one, "ns3")["push"]
        self.assertFalse(push["last_ok"], push)
        ph.wait_for("the failed push logged",
                    lambda: "push of operator actions failed" in one.stderr_text(),
                    timeout=SLACK_S)
        three.start()
        t0 = time.monotonic()
        ph.wait_for("ns3 caught up", lambda: member(three, "b")["drained"], timeout=SLACK_S)
        print("ns3 caught up %.3f s after its start (its first poll)" % (time.monotonic() - t0))
        # Brought by a poll (of ns1 or of ns2, whichever answered first), not by a push.
        lines = [x for x in three.stderr_text().splitlines()
                 if "drain web/b on (taken on ns1) adopted from peer ns" in x]
        self.assertEqual(len(lines), 1, lines)
        self.assertNotIn("(pushed)", lines[0])
        self.assertEqual(actions(three), actions(one))


if __name__ == "__main__":
    unittest.main(verbosity=2)
