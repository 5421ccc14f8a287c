# SPDX-License-Identifier: Apache-2.0
"""hash over the real server: answers are sticky per client subnet (ECS, /24 for IPv4 and /56
for IPv6), the reply's ECS scope is that prefix, and a member failing moves only the subnets
that had it."""

import re
import subprocess

import pool_harness as p

SUBNETS = ["10.%d.%d.0" % (k // 7 + 1, k * 37 % 256) for k in range(50)]
MEMBERS = ["192.0.2.60", "192.0.2.61", "192.0.2.62", "192.0.2.63"]
HOSTS = ["127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13"]


def host_in(subnet, last):
    return subnet.rsplit(".", 1)[0] + ".%d" % last


class Hash(p.PoolTestCase):
    @classmethod
    def peers(cls):
        cls.targets = [p.ListenerPeer(host).start() for host in HOSTS]
        return cls.targets

    @classmethod
    def config(cls):
        pools = ("version: 1\nchecks:\n" + p.fast_check("tcp-fast") + "pools:\n"
                 "  - name: sticky\n"
                 "    policy: hash\n"
                 "    max_records: 1\n"
                 "    initial_state: up\n"
                 "    members:\n")
        for i, (address, host) in enumerate(zip(MEMBERS, HOSTS)):
            pools += ("      - {name: m%d, address: %s, check_address: %s,\n"
                      "         checks: [{template: tcp-fast, port: %d}]}\n"
                      % (i, address, host, cls.targets[i].port))
        return p.zone_yaml([("sticky", "sticky", "30s", None)]), {"hash.pool.yaml": pools}

    def pick(self, address, prefix):
        r = self.query("sticky", subnet=(address, prefix))
        self.assertRcode(r, "NOERROR", "sticky from %s/%d" % (address, prefix))
        a = self.addresses(r)
        self.assertEqual(len(a), 1, "max_records 1: %s" % a)
        return a[0], self.scope_of(r)

    def mapping(self):
        return {s: self.pick(s, 24)[0] for s in SUBNETS}

    def test_sticky_per_v4_subnet_with_scope_24(self):
        before = self.mapping()
        self.assertGreaterEqual(len(set(before.values())), 3,
                                "50 subnets should spread over the members: %s" % before)
        for s in SUBNETS[:20]:
            for address, prefix in ((s, 24), (host_in(s, 1), 32), (host_in(s, 254), 32),
                                    (host_in(s, 77), 28)):
                got, scope = self.pick(address, prefix)
                self.assertEqual(got, before[s], "%s/%d not sticky with %s/24" % (address, prefix, s))
                self.assertEqual(scope, 24, "ECS scope for %s/%d" % (address, prefix))
        self.assertEqual(self.mapping(), before, "answers changed between rounds")

    def test_sticky_per_v6_subnet_with_scope_56(self):
        for k in range(10):
            base = "2001:db8:%x:%x00::" % (k, k + 1)
            first, scope = self.pick(base, 56)
            self.assertEqual(scope, 56, "ECS scope for %s/56" % base)
            for host in ("2001:db8:%x:%xff::1" % (k, k + 1), "2001:db8:%x:%x42:1::9" % (k, k + 1)):
                got, scope = self.pick(host, 128)
                self.assertEqual(got, first, "%s/128 not sticky with %s/56" % (host, base))
                self.assertEqual(scope, 56, "ECS scope for %s/128" % host)

    def test_no_ecs_no_option(self):
        r = self.query("sticky")
        self.assertRcode(r, "NOERROR")
        self.assertIsNone(self.scope_of(r), "no ECS asked, none expected\n%s" % r)

    def test_dig_subnet(self):
        p_ = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.server.port), "+time=2",
                             "+tries=1", "+subnet=10.200.3.0/24", "sticky.gslb.example", "A"],
                            capture_output=True, text=True, timeout=15)
        self.assertEqual(p_.returncode, 0, p_.stdout + p_.stderr)
        self.assertRegex(p_.stdout, r"CLIENT-SUBNET: 10\.200\.3\.0/24/24",
                         "dig shows the scope")
        m = re.search(r"sticky\.gslb\.example\.\s+\d+\s+IN\s+A\s+(\S+)", p_.stdout)
        self.assertIsNotNone(m, p_.stdout)
        self.assertEqual(m.group(1), self.pick("10.200.3.0", 24)[0], "dig and dnspython agree")

    def test_member_failure_moves_only_its_subnets(self):
        before = self.mapping()
        counts = {m: list(before.values()).count(m) for m in MEMBERS}
        victim = max(counts, key=counts.get)
        i = MEMBERS.index(victim)
        self.targets[i].stop()
        try:
            self.wait_until("%s leaves the answers" % victim,
                            lambda: victim not in self.mapping().values())
            after = self.mapping()
            for s in SUBNETS:
                if before[s] == victim:
                    self.assertNotEqual(after[s], victim)
                else:
                    self.assertEqual(after[s], before[s],
                                     "%s moved from %s to %s though %s failed"
                                     % (s, before[s], after[s], victim))
        finally:
            self.targets[i].start()
        self.wait_until("%s returns" % victim, lambda: self.mapping() == before)


if __name__ == "__main__":
    p.main()
