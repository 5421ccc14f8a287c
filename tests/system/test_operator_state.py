# SPDX-License-Identifier: Apache-2.0
"""Operator state that lasts and reaches every instance: three real instances on their own
loopback addresses, each with a state directory and the others as peers. A drain on ns1 is
seen on ns2 and ns3 within a poll interval (plus slack) and is still in force after all three
restart; an instance SIGKILLed while a drain is made catches up when it comes back; a
weight override travels the same way; an action survives SIGKILL of the only instance; a
corrupt or oversized state file is logged with the reason and ignored while the server
serves; an entry for a member the config no longer has is dropped at start, and so is an
expired force."""

import json
import os
import time
import unittest

import control_harness as c
import peers_harness as ph

POLL_S = 0.3  # peers.interval in peers_harness
SLACK_S = 3.0  # scheduling on a shared 2-core machine, under sanitizers too
STATE_FILE = "operator-state.json"


def member(instance, pool, name):
    for pl in instance.get_json("/status")["pools"]:
        if pl["name"] == pool:
            for m in pl["members"]:
                if m["name"] == name:
                    return m
    raise AssertionError("no %s/%s on %s" % (pool, name, instance.name))


def operator_state(instance):
    return instance.get_json("/status")["operator_state"]


class OperatorState(ph.TwoMemberFleetTest):
    def instance(self, name, host):
        i = ph.Instance(name, host, self.pool)
        os.mkdir(os.path.join(i.dir, "state"))
        i.server_extra = ["state_directory: state"]
        i.control_extra = ["token_file: fleet.token"]
        self.instances.append(i)
        return i

    def fleet(self):
        nodes = [self.instance("ns%d" % (n + 1), "127.0.0.%d" % (41 + n)) for n in range(3)]
        for i in nodes:
            i.peers = [(o.name, o.host, o.control_port) for o in nodes if o is not i]
        for i in nodes:
            i.start()
        for i in nodes:
            ph.wait_for("%s sees both peers fresh" % i.name,
                        lambda i=i: all(x["fresh"] for x in
                                        i.get_json("/status")["peers"]["instances"]))
            ph.wait_for("%s: a and b up" % i.name,
                        lambda i=i: i.answers() == ["192.0.2.1", "192.0.2.2"])
        return nodes

    def admin(self, instance, action, **params):
        query = "&".join("%s=%s" % kv for kv in params.items())
        status, body = instance.post("/admin/%s?%s" % (action, query))
        self.assertEqual(status, 200, "%s %s: %s" % (action, params, body))
        return json.loads(body)

    def test_a_drain_reaches_the_fleet_and_outlives_a_restart(self):
        one, two, three = self.fleet()
        t0 = time.monotonic()
        self.admin(one, "drain", pool="web", member="a")
        seen = {}
        deadline = t0 + POLL_S + SLACK_S + 2.0
        while len(seen) < 2 and time.monotonic() < deadline:
            for i in (two, three):
                if i.name not in seen and member(i, "web", "a")["drained"]:
                    seen[i.name] = time.monotonic() - t0
            time.sleep(0.01)
        print("drain on ns1 seen after: %s (poll interval %.1f s)"
              % (", ".join("%s %.3f s" % kv for kv in sorted(seen.items())), POLL_S))
        self.assertEqual(sorted(seen), ["ns2", "ns3"], "not seen everywhere: %s" % seen)
        for name, took in seen.items():
            self.assertLessEqual(took, POLL_S + SLACK_S, "%s took %.3f s" % (name, took))
        for i in (two, three):
            self.assertEqual(i.answers(), ["192.0.2.2"], i.name)
            a = [x for x in operator_state(i)["actions"] if x["member"] == "a"][0]
            self.assertEqual((a["kind"], a["value"], a["origin"]), ("drain", "on", "ns1"))
        # every instance wrote it down: stop all three, start them again
        for i in (one, two, three):
            i.stop()
        for i in (one, two, three):
            i.start()
        for i in (one, two, three):
            # restored at start, applied by the health loop a moment later
            ph.wait_for("%s restored the drain" % i.name,
                        lambda i=i: member(i, "web", "a")["drained"], timeout=SLACK_S)
            self.assertEqual(operator_state(i)["loaded"], 1, i.name)
            ph.wait_for("%s answers b only" % i.name, lambda i=i: i.answers() == ["192.0.2.2"])
        # undrain travels the same way, as the newer record
        self.admin(three, "undrain", pool="web", member="a")
        for i in (one, two):
            ph.wait_for("%s undrained" % i.name,
                        lambda i=i: not member(i, "web", "a")["drained"],
                        timeout=POLL_S + SLACK_S + 2.0)

    def test_f_gslbctl_all(self):
        one, two, three = self.fleet()
        main = os.path.join(one.dir, "main.yaml")
        r = c.run_ctl(["-c", main, "--all", "drain", "web", "b"])
        self.assertEqual(r.returncode, 0, r)
        for i in (one, two, three):
            self.assertIn("%s:%d:\n" % (i.host, i.control_port), r.stdout)
            self.assertTrue(member(i, "web", "b")["drained"] or
                            ph.wait_for("drained", lambda i=i: member(i, "web", "b")["drained"],
                                        timeout=SLACK_S), i.name)
        self.assertEqual(r.stdout.count("web/b drained at"), 3, r.stdout)
        listed = "%s:%d,%s:%d" % (two.host, two.control_port, three.host, three.control_port)
        r = c.run_ctl(["--instances", listed, "--token-file",
                       os.path.join(one.dir, "fleet.token"), "undrain", "web", "b"])
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout.count("web/b undrained"), 2, r.stdout)
        three.kill()
        r = c.run_ctl(["-c", main, "--all", "status"])
        self.assertEqual(r.returncode, 1, "one instance is down: %s" % r)
        self.assertIn("%s:%d:\n" % (two.host, two.control_port), r.stdout)

    def test_b_a_peer_down_during_the_drain_catches_up(self):
        one, two, three = self.fleet()
        three.kill()
        self.admin(one, "drain", pool="web", member="b")
        self.admin(two, "weight", pool="web", member="a", weight="7")
        ph.wait_for("ns2 drained b", lambda: member(two, "web", "b")["drained"])
        ph.wait_for("ns1 has a's weight 7",
                    lambda: member(one, "web", "a")["weight_override"] == 7)
        three.start()
        ph.wait_for("ns3 caught up",
                    lambda: member(three, "web", "b")["drained"] and
                    member(three, "web", "a")["weight_override"] == 7,
                    timeout=POLL_S + SLACK_S + 3.0)
        # Until its first check of a has passed, ns3 has no serving member and all_down
        # (serve_all) names both: the drain shows in the answers once a is up.
        ph.wait_for("ns3 answers a only", lambda: three.answers() == ["192.0.2.1"])
        self.assertIn("adopted from peer", three.stderr_text())

    def test_c_survives_sigkill_alone(self):
        one = self.instance("solo", "127.0.0.44")
        one.start()
        ph.wait_for("both up", lambda: one.answers() == ["192.0.2.1", "192.0.2.2"])
        self.admin(one, "drain", pool="web", member="a")
        self.admin(one, "force", pool="web", member="b", state="down", expires="1h")
        self.admin(one, "weight", pool="web", member="a", weight="3", expires="2s")
        ph.wait_for("b forced down", lambda: member(one, "web", "b")["forced"])
        self.assertEqual(operator_state(one)["writes"], 3)
        one.kill()
        time.sleep(2.2)  # the weight override expires while the instance is down
        one.start()
        ph.wait_for("drain and force restored",
                    lambda: member(one, "web", "a")["drained"] and
                    member(one, "web", "b")["forced"], timeout=SLACK_S)
        a, b = member(one, "web", "a"), member(one, "web", "b")
        self.assertTrue(a["drained"], a)
        self.assertTrue(b["forced"] and not b["up"], b)
        self.assertIsNone(a["weight_override"], "an expired override came back: %s" % a)
        st = operator_state(one)
        self.assertEqual((st["loaded"], st["dropped"]), (2, 1), st)
        self.assertIn("dropped: it has expired", one.stderr_text())

    def test_d_corrupt_or_oversized_state_file_is_logged_and_ignored(self):
        one = self.instance("solo", "127.0.0.45")
        one.write(os.path.join("state", STATE_FILE),
                  '{"format": 1, "instance": "solo", "seq": 1, "actions": [\n  {"pool": ')
        one.start()
        ph.wait_for("serves", lambda: one.answers() == ["192.0.2.1", "192.0.2.2"])
        st = operator_state(one)
        self.assertIn("offset", st["load_error"], st)
        self.assertIn("ignored, starting without saved actions", one.stderr_text())
        self.assertIn(STATE_FILE, one.stderr_text())
        # an action replaces the bad file with a good one
        self.admin(one, "drain", pool="web", member="a")
        with open(os.path.join(one.dir, "state", STATE_FILE)) as f:
            self.assertEqual(json.load(f)["actions"][0]["value"], "on")
        one.stop()
        with open(os.path.join(one.dir, "state", STATE_FILE), "w") as f:
            f.write(" " * (4 * 1024 * 1024 + 1))
        one.start()
        ph.wait_for("serves", lambda: one.answers() == ["192.0.2.1", "192.0.2.2"])
        self.assertIn("larger than", operator_state(one)["load_error"])

    def test_e_entries_for_members_gone_are_dropped(self):
        one = self.instance("solo", "127.0.0.46")
        now = int(time.time() * 1000)

        def record(member, kind, value, expires=0):
            return {"pool": "web", "member": member, "kind": kind, "value": value,
                    "expires_at_ms": expires, "origin": "solo", "at_ms": now, "seq": 1}
        doc = {"format": 1, "instance": "solo", "seq": 1,
               "actions": [record("zz", "drain", "on"), record("a", "drain", "on"),
                           record("b", "force", "down", now - 1000)]}
        one.write(os.path.join("state", STATE_FILE), json.dumps(doc))
        one.start()
        ph.wait_for("serves b only", lambda: one.answers() == ["192.0.2.2"])
        st = operator_state(one)
        self.assertEqual((st["loaded"], st["dropped"]), (1, 2), st)
        self.assertIn("drain web/zz on dropped: no such member", one.stderr_text())
        self.assertFalse(member(one, "web", "b")["forced"])
        # a reload that removes member a drops its record too
        one.write("web.pool.yaml", ph.pool_yaml([("b", "192.0.2.2", self.up.port)]))
        status, body = one.post("/admin/reload")
        self.assertEqual(status, 200, body)
        ph.wait_for("record dropped", lambda: operator_state(one)["actions"] == [])
        self.assertIn("no longer in the config", one.stderr_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
