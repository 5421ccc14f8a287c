# SPDX-License-Identifier: Apache-2.0
"""Members given by host name are checked at every address the name resolves to: a member is up
while its checks pass at one address at least; /status and /explain show each address's verdict;
an address that stays when the set changes keeps its rise/fall history. A lookup that fails
counts like a failed check, with the member's fall (one lost reply does not take it down) and
the reason in /status. A truncated UDP answer is asked again over TCP, and of a large answer the
lowest 8 addresses are probed. Drain, force and the hash policy with ECS work on such members as
on addresses.

A real unbound on 127.0.0.1 (resolver_harness.LocalUnbound) serves the names; the second class
puts a UDP relay in front of it that loses replies on request. Everything stays on
127.0.0.0/8; every wait is bounded.
"""

import time

import dns.flags
import dns.message
import dns.query

import control_harness as c
import gslbd_harness as h
import pool_harness as p
from resolver_harness import (FolderPeers, LocalUnbound, ReplyDropper, cname_targets,
                              listeners_on_one_port)

# Lookups are retried at the pace of the fastest check (at least 1 s), each failing one takes up
# to 2 s (2 tries of 1 s); checks need rise/fall on top: generous for a loaded machine.
WAIT = 30.0

# Nothing listens on these (connections are refused at once on loopback).
DEAD = ("127.0.0.85", "127.0.0.87", "127.0.0.88")
LIVE = "127.0.0.86"
HASHED = ("127.0.0.89", "127.0.0.90", "127.0.0.91")
# big.cloud.test. has 100 A records, 127.0.2.1 to 127.0.2.100: too many for a 1232-octet UDP
# answer. Of its lowest 8 (the ones probed) only the fifth has a listener.
BIG = ["127.0.2.%d" % i for i in range(1, 101)]
BIG_LIVE = "127.0.2.5"
# Two agents (HAProxy agent-check) behind one name.
AGENTS = ("127.0.0.94", "127.0.0.95")
SUBNETS = ["10.%d.%d.0" % (k // 7 + 1, k * 37 % 256) for k in range(40)]


class UnboundTestCase(FolderPeers, c.ControlTestCase):
    """A ControlTestCase whose peers are TCP listeners on LISTEN_HOSTS (one port) and an unbound
    with RECORDS; server.resolver points at RESOLVER (the unbound unless a subclass relays)."""

    LISTEN_HOSTS = ()
    LISTENER = p.ListenerPeer  # what listens on each of LISTEN_HOSTS
    RECORDS = ()

    @classmethod
    def resolver_port(cls):
        return cls.unbound.port

    @classmethod
    def extra_peers(cls):
        return []

    @classmethod
    def peers(cls):
        def start(started):
            cls.listeners = listeners_on_one_port(cls.LISTEN_HOSTS, cls.LISTENER)
            started += cls.listeners
            cls.port = cls.listeners[0].port
            cls.unbound = LocalUnbound(cls.tmp, cls.RECORDS).start()
            started.append(cls.unbound)
            started += cls.extra_peers()

        started = cls.peers_in_folder("gslbd-target-addresses-", start)
        cls.SERVER_EXTRA = ("resolver: [127.0.0.1:%d]" % cls.resolver_port(),)
        return started

    def wait_member(self, pool, name, what, predicate, timeout=WAIT):
        self.wait_until("%s/%s %s" % (pool, name, what),
                        lambda: predicate(self.member(pool, name)), timeout)

    def by_address(self, m):
        return {a["address"]: a for a in m["addresses"]}

    def serves(self, service, target):
        return cname_targets(self.query(service, "A")) == [target]


class NameMembers(UnboundTestCase):
    """pair: app resolves to a dead and a live address; dead: gone resolves to two dead ones;
    big: a name whose UDP answer is truncated; sticky: three names under the hash policy."""

    LISTEN_HOSTS = (LIVE,) + HASHED + (BIG_LIVE,)
    RECORDS = (["app.cloud.test. 300 IN A %s" % a for a in (DEAD[0], LIVE)] +
               ["gone.cloud.test. 300 IN A %s" % a for a in DEAD[1:]] +
               ["big.cloud.test. 300 IN A %s" % a for a in BIG] +
               ["h%d.cloud.test. 300 IN A %s" % (i, a) for i, a in enumerate(HASHED)])

    @classmethod
    def services(cls):
        return [("app", "pair", "30s", "5s"), ("gone", "dead", "30s", "5s"),
                ("big", "big", "30s", "5s"), ("sticky", "sticky", "30s", "5s")]

    @classmethod
    def config(cls):
        member = ("      - {name: %s, target: %s.cloud.test.,\n"
                  "         checks: [{template: tcp-fast, port: %d}]}\n")
        pools = "version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
        for pool, names in (("pair", ["app"]), ("dead", ["gone"]), ("big", ["big"])):
            pools += ("  - name: %s\n    all_down: nodata\n    initial_state: down\n"
                      "    members:\n" % pool)
            pools += "".join(member % (n, n, cls.port) for n in names)
        pools += ("  - name: sticky\n    policy: hash\n    max_records: 1\n"
                  "    all_down: nodata\n    initial_state: down\n    members:\n")
        pools += "".join(member % ("h%d" % i, "h%d" % i, cls.port) for i in range(3))
        return c.gslb_zone(cls.services()), {"names.pool.yaml": pools}

    def test_up_when_only_the_second_address_passes(self):
        self.wait_member("pair", "app", "up", lambda m: m["up"])
        m = self.member("pair", "app")
        self.assertEqual(m["resolved"], [DEAD[0], LIVE], m)
        got = self.by_address(m)
        self.assertEqual(set(got), {DEAD[0], LIVE}, m)
        self.wait_member("pair", "app", "first address known down",
                         lambda m: not self.by_address(m)[DEAD[0]]["up"] and
                         self.by_address(m)[DEAD[0]]["known"])
        m = self.member("pair", "app")
        got = self.by_address(m)
        self.assertTrue(got[LIVE]["up"], m)
        self.assertIn("tcp to %s:%d" % (LIVE, self.port),
                      got[LIVE]["check_verdicts"][0]["check"], m)
        self.assertIn("tcp to %s:%d" % (DEAD[0], self.port),
                      got[DEAD[0]]["check_verdicts"][0]["check"], m)
        self.assertEqual(m["checks_probe"], LIVE, "the passing address decides: %s" % m)
        self.wait_until("app answered", lambda: self.serves("app", "app.cloud.test."))
        # /explain shows the same per-address verdicts
        e = self.get_json("/explain?name=app.gslb.example.&type=A")
        members = {x["name"]: x for x in e["service"]["members"]}
        addresses = {a["address"]: a for a in members["app"]["addresses"]}
        self.assertTrue(addresses[LIVE]["up"], e)
        self.assertFalse(addresses[DEAD[0]]["up"], e)

    def test_down_when_no_address_passes(self):
        self.wait_member("dead", "gone", "known and down", lambda m: m["known"] and not m["up"])
        m = self.member("dead", "gone")
        got = self.by_address(m)
        self.assertEqual(sorted(got), sorted(DEAD[1:]), m)
        for address in DEAD[1:]:
            self.assertFalse(got[address]["up"], m)
            self.assertIn(address, m["down_reason"], m)
        self.assertIn("no address of gone.cloud.test. passes its checks", m["down_reason"], m)
        self.assertFalse(self.serves("gone", "gone.cloud.test."))

    def test_truncated_answer_is_asked_again_over_tcp(self):
        # The UDP answer really is truncated: asked directly with the same payload size.
        q = dns.message.make_query("big.cloud.test.", "A", use_edns=0, payload=1232)
        r = dns.query.udp(q, "127.0.0.1", port=self.unbound.port, timeout=h.QUERY_TIMEOUT)
        self.assertTrue(r.flags & dns.flags.TC, "unbound should truncate\n%s" % r)
        self.wait_member("big", "big", "up", lambda m: m["up"])
        m = self.member("big", "big")
        lowest = ["127.0.2.%d" % i for i in range(1, 9)]
        self.assertEqual(m["resolved"], lowest, m)
        self.assertEqual(sorted(self.by_address(m)), sorted(lowest), m)
        self.assertEqual(m["checks_probe"], BIG_LIVE, m)
        self.assertIsNone(m["resolve_error"], m)
        self.assertIn("the checks probe the lowest 8", self.server.stderr_text())

    def wait_sticky_up(self):
        for i in range(3):
            self.wait_member("sticky", "h%d" % i, "up", lambda m: m["up"])

    def pick(self, subnet):
        r = self.query("sticky", subnet=(subnet, 24))
        targets = cname_targets(r)
        self.assertEqual(len(targets), 1, r)
        return targets[0], self.scope_of(r)

    def mapping(self):
        out = {}
        for s in SUBNETS:
            target, scope = self.pick(s)
            self.assertEqual(scope, 24, "the hash prefix is the ECS scope (%s)" % s)
            out[s] = target
        return out

    def test_hash_with_ecs_drain_and_force(self):
        self.wait_sticky_up()
        before = self.mapping()
        self.assertGreaterEqual(len(set(before.values())), 2, before)
        self.assertEqual(self.mapping(), before, "sticky per subnet")
        drained = before[SUBNETS[0]]
        name = drained.split(".")[0]
        # drain: only the drained member's subnets move
        self.admin_ok("drain", pool="sticky", member=name)
        try:
            self.wait_until("%s not chosen while drained" % name,
                            lambda: drained not in self.mapping().values())
            after = self.mapping()
            for s, target in before.items():
                if target != drained:
                    self.assertEqual(after[s], target, "subnet %s moved without cause" % s)
            self.assertTrue(self.member("sticky", name)["drained"])
        finally:
            self.admin_ok("undrain", pool="sticky", member=name)
        self.wait_until("back after undrain", lambda: self.mapping() == before)
        # force down: the same, and auto brings it back
        self.admin_ok("force", pool="sticky", member=name, state="down")
        try:
            self.wait_until("%s not chosen while forced down" % name,
                            lambda: drained not in self.mapping().values())
            m = self.member("sticky", name)
            self.assertFalse(m["up"], m)
            self.assertIn("forced down by admin", m["down_reason"], m)
        finally:
            self.admin_ok("force", pool="sticky", member=name, state="auto")
        self.wait_until("back after force auto", lambda: self.mapping() == before)

    def test_force_up_a_name_member_whose_addresses_fail(self):
        self.wait_member("dead", "gone", "known and down", lambda m: m["known"] and not m["up"])
        self.admin_ok("force", pool="dead", member="gone", state="up")
        try:
            self.wait_until("gone answered while forced up",
                            lambda: self.serves("gone", "gone.cloud.test."))
        finally:
            self.admin_ok("force", pool="dead", member="gone", state="auto")
        self.wait_until("gone not answered after auto",
                        lambda: not self.serves("gone", "gone.cloud.test."))


class LostReplies(UnboundTestCase):
    """app resolves through a relay that loses replies on request; its check has fall 3."""

    LISTEN_HOSTS = (LIVE,)
    RECORDS = ["app.cloud.test. 1 IN A %s" % LIVE]

    @classmethod
    def extra_peers(cls):
        cls.relay = ReplyDropper(cls.unbound.port).start()
        return [cls.relay]

    @classmethod
    def resolver_port(cls):
        return cls.relay.port

    @classmethod
    def services(cls):
        return [("app", "pair", "30s", "5s")]

    @classmethod
    def config(cls):
        check = p.fast_check("tcp-slow-fall").replace("    fall: %d\n" % p.FALL, "    fall: 3\n")
        pools = ("version: 1\nchecks:\n" + check + "pools:\n"
                 "  - name: pair\n    all_down: nodata\n    initial_state: down\n    members:\n"
                 "      - {name: app, target: app.cloud.test.,\n"
                 "         checks: [{template: tcp-slow-fall, port: %d}]}\n" % cls.port)
        return c.gslb_zone(cls.services()), {"lost.pool.yaml": pools}

    def app(self):
        return self.member("pair", "app")

    def test_addresses_that_stay_keep_their_history(self):
        self.wait_member("pair", "app", "up", lambda m: m["up"] and m["resolve_error"] is None)
        added = DEAD[0]
        self.unbound.control_ok("local_data", "app.cloud.test. 1 IN A %s" % added)
        seen = []
        added_first = []  # the added address's (up, known) when /status first showed it

        def added_down():
            m = self.app()
            got = self.by_address(m)
            seen.append((m["up"], got.get(LIVE, {}).get("up"), got.get(LIVE, {}).get("known")))
            if added in got and not added_first:
                added_first.append((got[added]["up"], got[added]["known"]))
            return (set(got) == {LIVE, added} and got[added]["known"] and
                    not got[added]["up"])

        try:
            self.wait_until("the added address probed down", added_down)
            # The address that stayed was never probed from scratch (which, with
            # initial_state down, would show it unknown, then down until rise passes).
            self.assertTrue(all(up and live_up and known for up, live_up, known in seen),
                            "(member up, %s up, known) along the way: %s" % (LIVE, seen))
            # The added address took the member's state (up; initial_state down is for the
            # start), and its fall of 3 failed probes took it down.
            self.assertEqual(added_first[0], (True, False), added_first)
        finally:
            self.unbound.control_ok("local_data_remove", "app.cloud.test.")
            self.unbound.control_ok("local_data", "app.cloud.test. 1 IN A %s" % LIVE)
        self.wait_member("pair", "app", "back to one address",
                         lambda m: m["resolved"] == [LIVE] and m["up"])

    def test_one_failed_lookup_does_not_take_it_down_three_do(self):
        self.wait_member("pair", "app", "up", lambda m: m["up"] and m["resolve_error"] is None)
        # Both tries of the next lookup lose their reply: one failed lookup.
        self.relay.drop_next(2)
        seen = []

        def failed_once():
            m = self.app()
            seen.append(m["up"])
            return m["resolve_error"] is not None

        self.wait_until("a failed lookup in /status", failed_once)
        m = self.app()
        self.assertTrue(m["up"], "one failed lookup of fall 3 keeps it up: %s" % m)
        self.assertIn("does not resolve: no reply within 1000 ms from 127.0.0.1:%d"
                      % self.relay.port, m["resolve_error"], m)
        self.assertEqual(m["resolve_failures"], 1, m)
        self.wait_member("pair", "app", "resolving again", lambda m: m["resolve_error"] is None)
        seen.append(self.app()["up"])
        self.assertTrue(all(seen), "went down on the way: %s" % seen)
        self.assertTrue(self.app()["up"])
        # Every reply lost: down after 3 failed lookups, with the reason; back once they pass.
        self.relay.drop_all(True)
        try:
            self.wait_member("pair", "app", "down", lambda m: not m["up"])
            m = self.app()
            self.assertGreaterEqual(m["resolve_failures"], 3, m)
            self.assertIn("target app.cloud.test. does not resolve: no reply", m["down_reason"], m)
        finally:
            self.relay.drop_all(False)
        self.wait_member("pair", "app", "up again", lambda m: m["up"])


class AddressesFoundLater(UnboundTestCase):
    """late resolves to a dead address; its pool starts members up (initial_state: up). An
    address that the name gains later takes the member's state: while the member is down a new
    dead address cannot bring it up before it is probed, and a new live one brings it up on its
    first result."""

    LISTEN_HOSTS = (LIVE,)
    RECORDS = ["late.cloud.test. 1 IN A %s" % DEAD[1]]

    @classmethod
    def services(cls):
        return [("late", "late", "30s", "5s")]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
                 "  - name: late\n    all_down: nodata\n    initial_state: up\n    members:\n"
                 "      - {name: late, target: late.cloud.test.,\n"
                 "         checks: [{template: tcp-fast, port: %d}]}\n" % cls.port)
        return c.gslb_zone(cls.services()), {"late.pool.yaml": pools}

    def test_a_new_address_starts_from_the_members_state(self):
        self.wait_member("late", "late", "known down", lambda m: m["known"] and not m["up"])
        seen = []  # (up, addresses) as they changed

        def gained(address):
            def probed():
                m = self.member("late", "late")
                got = self.by_address(m)
                state = (m["up"], sorted(got))
                if not seen or seen[-1] != state:
                    seen.append(state)  # each change once: the message stays short
                return address in got and got[address]["known"]
            return probed

        try:
            self.unbound.control_ok("local_data", "late.cloud.test. 1 IN A %s" % DEAD[2])
            self.wait_until("the dead address %s probed" % DEAD[2], gained(DEAD[2]))
            self.assertFalse(any(up for up, _ in seen),
                             "a down member came up on an unprobed address: %s" % seen)
            m = self.member("late", "late")
            self.assertTrue(m["known"] and not m["up"], m)
            self.assertFalse(self.serves("late", "late.cloud.test."))
            self.unbound.control_ok("local_data", "late.cloud.test. 1 IN A %s" % LIVE)
            # The live address waits for no run of rise successes: its first one decides.
            self.wait_until("the live address %s probed" % LIVE, gained(LIVE))
            m = self.member("late", "late")
            self.assertTrue(m["up"] and m["known"], m)
            self.assertEqual(self.by_address(m)[LIVE]["up"], True, m)
        finally:
            self.unbound.control_ok("local_data_remove", "late.cloud.test.")
            self.unbound.control_ok("local_data", "late.cloud.test. 1 IN A %s" % DEAD[1])
        self.wait_member("late", "late", "back to one address",
                         lambda m: m["resolved"] == [DEAD[1]] and not m["up"])


class AgentsAtEachAddress(UnboundTestCase):
    """both resolves to two addresses, each with its own agent. The member's agent weight is
    the mean of the weights its passing addresses report, and it is drained only when every
    one of them asks for it (the resolver still sends clients to each address)."""

    LISTEN_HOSTS = AGENTS
    LISTENER = p.AgentPeer
    RECORDS = ["both.cloud.test. 300 IN A %s" % a for a in AGENTS]

    @classmethod
    def services(cls):
        return [("both", "agents", "30s", "5s")]

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("agent", "agent") + "pools:\n"
                 "  - name: agents\n    all_down: nodata\n    initial_state: down\n"
                 "    members:\n"
                 "      - {name: both, target: both.cloud.test.,\n"
                 "         checks: [{template: agent, port: %d}]}\n" % cls.port)
        return c.gslb_zone(cls.services()), {"agents.pool.yaml": pools}

    def reply(self, first, second):
        self.listeners[0].reply, self.listeners[1].reply = first, second

    def both(self):
        return self.member("agents", "both")

    def steady(self, what, predicate, seconds=1.5):
        """predicate holds on every look for `seconds` (several probes of each address)."""
        seen = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            m = self.both()
            seen.append((m["agent_weight"], m["drained"]))
            if not predicate(m):
                self.fail("%s broke: (agent_weight, drained) along the way %s" % (what, seen))
            time.sleep(0.02)

    def test_weights_are_averaged_and_drain_needs_every_address(self):
        try:
            self.reply("up ready 50%\n", "up ready 100%\n")
            self.wait_member("agents", "both", "weight 75",
                             lambda m: m["up"] and m["agent_weight"] == 75)
            self.steady("weight 75", lambda m: m["agent_weight"] == 75 and not m["drained"])
            # One balancer drains: the name still serves the other.
            self.reply("drain 50%\n", "up ready 100%\n")
            self.steady("not drained while one address serves",
                        lambda m: not m["drained"] and m["up"])
            self.assertTrue(self.serves("both", "both.cloud.test."))
            self.reply("drain 50%\n", "drain 100%\n")
            self.wait_member("agents", "both", "drained", lambda m: m["drained"])
            self.wait_until("both out of answers",
                            lambda: not self.serves("both", "both.cloud.test."))
        finally:
            self.reply("up ready 100%\n", "up ready 100%\n")
        self.wait_member("agents", "both", "serving again",
                         lambda m: not m["drained"] and m["agent_weight"] == 100)


if __name__ == "__main__":
    h.main()
