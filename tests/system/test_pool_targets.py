# SPDX-License-Identifier: Apache-2.0
"""Pool members given by host name (`target:`): answers are one CNAME to the chosen member,
followed inside our own zone; the health checks probe the addresses the name resolves to
through a real unbound on loopback (server.resolver), follow a changed address, and fail the
member, with the reason in /status, when the name stops resolving; a pool mixing addresses and
names is a config error with file:line:col.

unbound serves a local-data zone cloud.test. on 127.0.0.1 (a free port) with remote control on,
so the test changes the name's address with unbound-control during the run. Everything stays
on 127.0.0.0/8; every wait is bounded; unbound is stopped by its PID.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

import dns.rcode

import control_harness as c
import gslbd_harness as h
import pool_harness as p
from resolver_harness import (FolderPeers, LocalUnbound, cname_targets, listeners_on_one_port,
                              rrsets)

# A re-resolution waits out the floor (kResolveFloorSeconds, 5 s) at most, then the checks need
# their rise/fall: generous for a loaded machine.
FOLLOW_WAIT = 30.0


class InZoneTarget(c.ControlTestCase):
    """Pool names: members lb1 and lb2 given by names inside gslb.example., with static A and
    AAAA records there; check_address and no checks, so they are up and nothing is resolved."""

    @classmethod
    def peers(cls):
        return []

    @classmethod
    def services(cls):
        return [("www", "names", "30s", "5s")]

    @classmethod
    def config(cls):
        records = [("lb1", "A", 300, ["192.0.2.11"]), ("lb1", "AAAA", 300, ["2001:db8::11"]),
                   ("lb2", "A", 300, ["192.0.2.12"]), ("lb2", "AAAA", 300, ["2001:db8::12"])]
        pools = ("version: 1\n"
                 "pools:\n"
                 "  - name: names\n"
                 "    policy: weighted\n"
                 "    max_records: 4\n"
                 "    members:\n"
                 "      - {name: lb1, target: lb1.gslb.example., check_address: 127.0.0.81}\n"
                 "      - {name: lb2, target: LB2.gslb.example., check_address: 127.0.0.82}\n")
        return c.gslb_zone(cls.services(), records=records), {"names.pool.yaml": pools}

    def test_a_and_aaaa_get_one_cname_and_the_in_zone_records(self):
        seen = set()
        for qtype, want in (("A", {"lb1": "192.0.2.11", "lb2": "192.0.2.12"}),
                            ("AAAA", {"lb1": "2001:db8::11", "lb2": "2001:db8::12"})):
            for _ in range(24):
                r = self.query("www", qtype)
                self.assertEqual(r.rcode(), dns.rcode.NOERROR, r)
                targets = cname_targets(r)
                self.assertEqual(len(targets), 1, "one CNAME whatever max_records\n%s" % r)
                self.assertEqual(rrsets(r, "CNAME")[0].name.to_text(), "www.gslb.example.")
                self.assertEqual(rrsets(r, "CNAME")[0].ttl, 30)
                member = targets[0].split(".")[0]
                self.assertIn(targets[0], ("lb1.gslb.example.", "lb2.gslb.example."))
                answered = rrsets(r, qtype)
                self.assertEqual(len(answered), 1, r)
                self.assertEqual(answered[0].name.to_text(), targets[0], r)
                self.assertEqual([x.to_text() for x in answered[0]], [want[member]], r)
                self.assertTrue(r.flags & dns.flags.AA, r)
                seen.add((qtype, member))
        self.assertEqual(len(seen), 4, "both members chosen for A and AAAA: %s" % seen)

    def test_explain_shows_the_target_and_follows_it(self):
        e = self.get_json("/explain?name=www.gslb.example.&type=A")
        self.assertIn(e["service"]["cname"], ("lb1.gslb.example.", "lb2.gslb.example."), e)
        self.assertEqual(e["service"]["answer"], [e["service"]["cname"]], e)
        steps = e["cname_steps"]
        self.assertEqual(len(steps), 1, e)
        self.assertEqual(steps[0]["owner"], e["service"]["cname"], e)
        self.assertEqual(e["result"], "NOERROR", e)
        members = {m["name"]: m for m in e["service"]["members"]}
        self.assertIsNone(members["lb1"]["address"], e)
        self.assertEqual(members["lb2"]["target"], "lb2.gslb.example.", e)
        self.assertEqual(members["lb1"]["checks_probe"], "127.0.0.81", e)

    def test_gslbctl_shows_the_target_as_the_address(self):
        out = self.ctl_ok("status", token=False).stdout
        rows = [line.split() for line in out.splitlines()]
        self.assertIn(["names", "lb1", "lb1.gslb.example."], [r[:3] for r in rows], out)
        out = self.ctl_ok("explain", "www.gslb.example", "A", token=False).stdout
        self.assertIn("lb2.gslb.example.", out)


class ResolvedTarget(FolderPeers, c.ControlTestCase):
    """Pool cloud: member app given as app.cloud.test., resolved through unbound, with a tcp
    check; all_down nodata, so an answer shows whether the member serves."""

    HOSTS = ("127.0.0.83", "127.0.0.84")

    @classmethod
    def peers(cls):
        def start(started):
            cls.first, cls.second = listeners_on_one_port(cls.HOSTS)
            started += [cls.first, cls.second]
            cls.second.stop()  # nothing listens on the second address until the test says so
            cls.unbound = LocalUnbound(cls.tmp, ["app.cloud.test. 1 IN A %s" % cls.HOSTS[0]])
            cls.unbound.start()
            started.append(cls.unbound)

        started = cls.peers_in_folder("gslbd-targets-", start)
        cls.SERVER_EXTRA = ("resolver: [127.0.0.1:%d]" % cls.unbound.port,)
        return started

    @classmethod
    def services(cls):
        return [("app", "cloud", "30s", "5s")]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") +
                 "pools:\n"
                 "  - name: cloud\n"
                 "    policy: weighted\n"
                 "    all_down: nodata\n"
                 "    initial_state: down\n"
                 "    members:\n"
                 "      - {name: app, target: app.cloud.test.,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n" % cls.first.port)
        return c.gslb_zone(cls.services()), {"cloud.pool.yaml": pools}

    def app(self):
        return self.member("cloud", "app")

    def wait_app(self, what, predicate, timeout=FOLLOW_WAIT):
        self.wait_until(what, lambda: predicate(self.app()), timeout)

    def serving(self):
        r = self.query("app", "A")
        return cname_targets(r) == ["app.cloud.test."]

    def test_checks_follow_the_address_and_a_name_that_stops_resolving_fails(self):
        # 1. resolved to the first address, where the listener is: up, answered by CNAME
        self.wait_app("app up at %s" % self.HOSTS[0],
                      lambda m: m["up"] and m["resolved"] == [self.HOSTS[0]])
        m = self.app()
        self.assertIsNone(m["address"], m)
        self.assertEqual(m["target"], "app.cloud.test.", m)
        self.assertEqual(m["checks_probe"], self.HOSTS[0], m)
        self.assertIn("tcp to %s:%d" % (self.HOSTS[0], self.first.port),
                      m["check_verdicts"][0]["check"], m)
        self.wait_until("CNAME answer", self.serving)
        r = self.query("app", "AAAA")
        self.assertEqual(cname_targets(r), ["app.cloud.test."], "AAAA gets the CNAME too\n%s" % r)
        before = self.first.accepted
        self.assertGreater(before, 0, "the check connected to the first address")

        # 2. the name moves to the second address, where nothing listens yet: the checks follow
        # it and fail there, although the first address still accepts
        self.unbound.control_ok("local_data_remove", "app.cloud.test.")
        self.unbound.control_ok("local_data", "app.cloud.test. 1 IN A %s" % self.HOSTS[1])
        self.wait_app("app resolved to %s and down" % self.HOSTS[1],
                      lambda m: m["resolved"] == [self.HOSTS[1]] and not m["up"])
        self.assertIn(self.HOSTS[1], self.app()["down_reason"])
        self.wait_until("NODATA while down", lambda: not self.serving())

        # 3. a listener comes up on the second address: up again, and the checks go there
        self.second.start()
        self.wait_app("app up at %s" % self.HOSTS[1], lambda m: m["up"])
        self.assertGreater(self.second.accepted, 0)
        self.assertEqual(self.app()["checks_probe"], self.HOSTS[1])
        self.wait_until("CNAME answer again", self.serving)

        # 4. the name stops resolving (NXDOMAIN): down, with the reason in /status
        self.unbound.control_ok("local_data_remove", "app.cloud.test.")
        self.wait_app("app down: does not resolve", lambda m: not m["up"] and m["down_reason"])
        m = self.app()
        self.assertIn("target app.cloud.test. does not resolve: NXDOMAIN from 127.0.0.1:%d"
                      % self.unbound.port, m["down_reason"], m)
        self.assertIn("NXDOMAIN", m["resolve_error"], m)
        self.wait_until("NODATA while the name does not resolve", lambda: not self.serving())

        # 5. and resolves again: up
        self.unbound.control_ok("local_data", "app.cloud.test. 1 IN A %s" % self.HOSTS[1])
        self.wait_app("app up once it resolves again", lambda m: m["up"])
        self.assertIsNone(self.app()["resolve_error"])


class MixedMembers(unittest.TestCase):
    """--check-config refuses a pool that mixes address and target members, a fallback chain
    that mixes them, and a target member without server.resolver, each at file:line:col."""

    MAIN = ("version: 1\nserver:\n  listen: ['127.0.0.1:5399']\n%s"
            "zones: ['*.zone.yaml']\npools: ['*.pool.yaml']\n")

    def run_check(self, pools, resolver=True):
        d = tempfile.mkdtemp(prefix="gslbd-targets-check-")
        try:
            files = {
                "main.yaml": self.MAIN % ("  resolver: ['127.0.0.1:53']\n" if resolver else ""),
                "gslb.zone.yaml": p.zone_yaml([("www", "web", "30s", None)]),
                "web.pool.yaml": pools,
            }
            for name, text in files.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            r = subprocess.run([h.binary(), "--check-config", "-c", "main.yaml"], cwd=d,
                               capture_output=True, text=True, timeout=30)
            return r.returncode, r.stderr
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_mixed_pool(self):
        pools = ("version: 1\npools:\n"
                 "  - name: web\n"
                 "    members:\n"
                 "      - name: a\n"
                 "        address: 192.0.2.1\n"
                 "      - name: b\n"
                 "        target: lb.cloud.example.\n")
        code, err = self.run_check(pools)
        self.assertEqual(code, 1, err)
        self.assertIn("web.pool.yaml:8:9: member 'b' of pool 'web' is reached by host name, but "
                      "member 'a' (line 6) by address: expected all members of a pool to be "
                      "addresses", err)

    def test_mixed_fallback_chain(self):
        pools = ("version: 1\npools:\n"
                 "  - name: web\n"
                 "    all_down: fallback_pool\n"
                 "    fallback_pool: spare\n"
                 "    members:\n"
                 "      - {name: a, target: lb.cloud.example.}\n"
                 "  - name: spare\n"
                 "    members:\n"
                 "      - {name: s, address: 192.0.2.9}\n")
        code, err = self.run_check(pools)
        self.assertEqual(code, 1, err)
        self.assertIn("web.pool.yaml:5:20: pool 'web' has members that are host names", err)
        self.assertIn("reaches pool 'spare' whose members are addresses", err)

    def test_both_keys_and_no_resolver(self):
        both = ("version: 1\npools:\n"
                "  - name: web\n"
                "    members:\n"
                "      - {name: a, target: lb.cloud.example., address: 192.0.2.1}\n")
        code, err = self.run_check(both)
        self.assertEqual(code, 1, err)
        self.assertIn("web.pool.yaml:5:46: 'address' beside 'target'", err)
        alone = both.replace(", address: 192.0.2.1", "")
        code, err = self.run_check(alone, resolver=False)
        self.assertEqual(code, 1, err)
        self.assertIn("web.pool.yaml:5:19: member with 'target' lb.cloud.example.: its checks "
                      "probe the addresses the name resolves to, so the main file needs "
                      "'server.resolver'", err)
        code, err = self.run_check(alone)
        self.assertEqual(code, 0, err)
        relative = alone.replace("lb.cloud.example.", "lb.cloud.example")
        code, err = self.run_check(relative)
        self.assertEqual(code, 1, err)
        self.assertIn("is not an absolute host name", err)


if __name__ == "__main__":
    h.main()
