# SPDX-License-Identifier: Apache-2.0
"""healthy_when over real HTTP and TCP peers: `any` keeps a member up while one of its checks
passes, `{at_least: N}` while N do, and an inverted check (a maintenance page that answers 200)
takes it down; /status and /explain show each check's verdict and how the rule combined them."""

import control_harness as c
import pool_harness as p

ANY = "192.0.2.81"
LEAST = "192.0.2.82"
MAINT = "192.0.2.83"
SPARE = "192.0.2.89"  # a member without checks: every pool keeps answering


def check(kind, port, **extra):
    fields = ["type: %s" % kind, "port: %d" % port, "interval: 200ms", "timeout: 100ms",
              "rise: %d" % p.RISE, "fall: %d" % p.FALL, "jitter: 0"]
    fields += ["%s: %s" % item for item in extra.items()]
    return "{" + ", ".join(fields) + "}"


class CheckRules(c.ControlTestCase):
    @classmethod
    def peers(cls):
        cls.any_http = p.HttpPeer("127.0.0.81").start()
        cls.any_tcp = p.ListenerPeer("127.0.0.81").start()
        cls.least_http = p.HttpPeer("127.0.0.82").start()
        cls.least_tcp1 = p.ListenerPeer("127.0.0.82").start()
        cls.least_tcp2 = p.ListenerPeer("127.0.0.82").start()
        cls.maint_tcp = p.ListenerPeer("127.0.0.83").start()
        cls.maint_page = p.HttpPeer("127.0.0.83", status=404, body="no maintenance").start()
        return [cls.any_http, cls.any_tcp, cls.least_http, cls.least_tcp1, cls.least_tcp2,
                cls.maint_tcp, cls.maint_page]

    @classmethod
    def services(cls):
        return [("any", "any", "30s", None), ("least", "least", "30s", None),
                ("maint", "maint", "30s", None)]

    @classmethod
    def config(cls):
        def pool(name, address, host, rule, checks):
            return ("  - name: %s\n    max_records: 2\n    healthy_when: %s\n    members:\n"
                    "      - name: x\n        address: %s\n        check_address: %s\n"
                    "        checks: [%s]\n"
                    "      - {name: spare, address: %s, checks: []}\n"
                    % (name, rule, address, host, ", ".join(checks), SPARE))
        pools = ("version: 1\npools:\n" +
                 pool("any", ANY, "127.0.0.81", "any",
                      [check("http", cls.any_http.port), check("tcp", cls.any_tcp.port)]) +
                 pool("least", LEAST, "127.0.0.82", "{at_least: 2}",
                      [check("http", cls.least_http.port), check("tcp", cls.least_tcp1.port),
                       check("tcp", cls.least_tcp2.port)]) +
                 pool("maint", MAINT, "127.0.0.83", "all",
                      [check("tcp", cls.maint_tcp.port),
                       check("http", cls.maint_page.port, path="/maintenance", invert="true")]))
        return c.gslb_zone(cls.services(), 1, ()), {"rules.pool.yaml": pools}

    def up(self, name, address):
        self.wait_answer(name, [address, SPARE])

    def down(self, name):
        self.wait_answer(name, [SPARE])

    def test_any_needs_one_check(self):
        self.up("any", ANY)
        self.any_http.status = 503
        self.down_then_up_guard("any", ANY)
        self.any_tcp.stop()
        self.down("any")
        self.any_http.status = 200
        self.up("any", ANY)
        self.any_tcp.start()

    def down_then_up_guard(self, name, address):
        """The member must stay up for a while: give the failing check time to be counted."""
        for _ in range(30):  # 30 x 50 ms: more than fall (2) intervals of 200 ms, twice over
            self.assertEqual(self.answer(name), sorted([address, SPARE]),
                             "%s went down with a check still meeting its rule" % name)
            p.time.sleep(0.05)

    def test_at_least_two_of_three(self):
        self.up("least", LEAST)
        self.least_http.status = 500
        self.down_then_up_guard("least", LEAST)
        outcome = self.outcome_in_status("least")
        self.assertEqual(outcome["checks_outcome"], "2 of 3 checks pass, at_least 2: up")
        explained = self.explained_member("least")
        self.assertEqual(explained["healthy_when"]["text"], "2 of 3 checks pass, at_least 2: up")
        self.assertEqual([ch["up"] for ch in explained["checks"]], [False, True, True])
        self.least_tcp2.stop()
        self.down("least")
        self.wait_until("status says 1 of 3",
                        lambda: self.outcome_in_status("least")["checks_outcome"] ==
                        "1 of 3 checks pass, at_least 2: down")
        self.assertIn("1 of 3 checks pass, at_least 2: down",
                      self.outcome_in_status("least")["down_reason"])
        self.least_tcp2.start()
        self.up("least", LEAST)
        self.least_http.status = 200

    def test_inverted_maintenance_page(self):
        self.up("maint", MAINT)
        m = self.outcome_in_status("maint")
        self.assertEqual([v["inverted"] for v in m["check_verdicts"]], [False, True])
        self.assertEqual([v["up"] for v in m["check_verdicts"]], [True, True],
                         "a 404 from the maintenance page passes the inverted check")
        self.maint_page.status = 200  # maintenance announced
        self.down("maint")
        m = self.outcome_in_status("maint")
        self.assertEqual([v["up"] for v in m["check_verdicts"]], [True, False])
        self.assertIn("inverted", m["down_reason"])
        explained = self.explained_member("maint")
        self.assertEqual([ch["inverted"] for ch in explained["checks"]], [False, True])
        self.assertEqual(explained["healthy_when"]["text"], "1 of 2 checks pass, all: down")
        self.maint_page.status = 404
        self.up("maint", MAINT)

    def outcome_in_status(self, pool):
        return self.member(pool, "x")

    def explained_member(self, pool):
        e = self.get_json("/explain?name=%s.gslb.example&type=A" % pool)
        for m in e["service"]["members"] if "service" in e else e["members"]:
            if m["name"] == "x":
                return m
        self.fail("no member x in /explain: %s" % e)


if __name__ == "__main__":
    p.main()
