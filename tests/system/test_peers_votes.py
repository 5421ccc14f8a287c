# SPDX-License-Identifier: Apache-2.0
"""Votes between real instances on loopback, where what an instance must NOT count is the
point: a peer whose pool definition differs is reported and never mixed into the vote; a peer
that refuses this instance's token, or that answers garbage, is logged and its vote ignored;
and, as the control that these tests can fail, a peer with a well-formed reply does change the
vote. Every pool here uses `consensus: any`, so a single counted "up" would show in the answers.

Member `a` is down for every real instance (its check port is closed); member `b` is up."""

import json
import os
import subprocess
import time
import unittest

import peers_harness as ph
import pool_harness as p
import test_peers_poll as poll

A = "192.0.2.1"
B = "192.0.2.2"


def with_consensus(pool_text, consensus):
    return pool_text.replace("    policy: weighted\n",
                             "    policy: weighted\n    consensus: %s\n" % consensus)


def votes_of(instance, member):
    for pool in instance.get_json("/status")["pools"]:
        if pool["name"] == "web":
            for m in pool["members"]:
                if m["name"] == member:
                    return m["votes"]
    raise KeyError(member)


def said(votes):
    return {v["instance"]: v["vote"] for v in votes["instances"]}


class VotesTest(ph.FleetTest):
    def setUp(self):
        super().setUp()
        closed = p.ListenerPeer("127.0.0.1").start()
        closed.stop()
        self.closed_port = closed.port

    def pool(self, a_port):
        return with_consensus(ph.pool_yaml([("a", A, a_port), ("b", B, self.up.port)]), "any")

    def test_differing_pool_is_reported_not_mixed(self):
        same = self.pool(self.closed_port)
        # ns3 checks `a` on a port that answers: another definition, in which `a` is up.
        other = self.pool(self.up.port)
        hosts = ["127.0.0.61", "127.0.0.62", "127.0.0.63"]
        self.instances = [ph.Instance("ns%d" % (n + 1), hosts[n], text)
                          for n, text in enumerate([same, same, other])]
        ph.start_fleet(self.instances)
        one, two, three = self.instances
        ph.wait_for("ns1 to hear ns2's verdict and see ns3's pool differ",
                    lambda: said(votes_of(one, "a")) == {"self": "down", "ns2": "down",
                                                          "ns3": "differs"})
        # ns3 sees `a` up and `any` needs only one: were its vote mixed in, ns1 would serve a.
        time.sleep(1.0)  # three more polls
        self.assertEqual(one.answers(), [B])
        self.assertEqual(two.answers(), [B])
        self.assertEqual(votes_of(one, "a")["result"], "down")
        self.assertEqual((votes_of(one, "a")["voters"], votes_of(one, "a")["up"]), (2, 0))
        ph.wait_for("ns3 to serve a from its own view",
                    lambda: three.answers() == sorted([A, B]))
        self.assertTrue(votes_of(three, "a")["own_view_only"])
        self.assertEqual(poll.peers_of(one)["ns3"]["differing_pools"], ["web"])
        metrics = one.get("/metrics")[1]
        self.assertIn('gslbd_peer_differing_pools{peer="ns3"} 1', metrics)
        self.assertIn('gslbd_pool_own_view_only{pool="web"} 0', metrics)
        self.assertIn('gslbd_pool_own_view_only{pool="web"} 1', three.get("/metrics")[1])
        # gslbctl shows the same votes, in status and in explain.
        for args in (["status"], ["explain", "www.gslb.example"]):
            r = subprocess.run([os.environ["GSLBCTL_BINARY"], "--control",
                                "%s:%d" % (one.host, one.control_port), "--timeout", "5"] + args,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("votes (consensus of this instance and its peers)", r.stdout)
            row = [line for line in r.stdout.splitlines() if line.startswith("web ")
                   and " any " in line and "self down" in line]
            self.assertEqual(len(row), 1, r.stdout)
            self.assertIn("down (0 of 2 up, 1 needed)", row[0])
            self.assertIn("ns2 down, ns3 differs", row[0])
        # Logged once, when it was found, not at every poll.
        self.assertEqual(one.stderr_text().count("peers: ns3 defines pool web differently"), 1)

    def test_refused_token_and_garbage_do_not_vote(self):
        own = self.pool(self.closed_port)
        one = ph.Instance("ns1", "127.0.0.71", own)
        two = ph.Instance("ns2", "127.0.0.72", own, token="other-0123456789abcdefghij")
        fake = poll.FakePeer("127.0.0.73", '{"format": 1, "instance": "ns3", "pools": [{"na')
        self.fakes = [fake]
        self.instances = [one, two]
        one.peers = [("ns2", two.host, two.control_port), ("ns3", fake.server.server_address[0],
                                                           fake.port)]
        two.peers = [("ns1", one.host, one.control_port)]
        one.start()
        two.start()
        ph.wait_for("ns1 to count ns2's refusal and ns3's garbage",
                    lambda: (lambda s: s["ns2"]["unauthorized"] > 0 and s["ns3"]["malformed"] > 0)
                    (poll.peers_of(one)))
        ph.wait_for("ns1 to say nobody votes but itself",
                    lambda: said(votes_of(one, "a")) == {"self": "down", "ns2": "unreachable",
                                                          "ns3": "unreachable"})
        votes = votes_of(one, "a")
        self.assertTrue(votes["own_view_only"])
        self.assertEqual(one.answers(), [B])
        log = one.stderr_text()
        self.assertIn("refused this instance's token", log)
        self.assertIn("peers: ns3 (", log)
        self.assertIn("malformed reply", log)
        # Observations are never handed out without a token.
        self.assertEqual(one.get("/peer/observations", token=None)[0], 401)

        # The control: the same fake with a well-formed reply that sees `a` up is counted.
        document = one.get_json("/peer/observations")
        document["instance"] = "ns3"
        for pool in document["pools"]:
            for m in pool["members"]:
                m.update({"known": True, "up": True, "age_ms": 0})
        fake.body = json.dumps(document)
        ph.wait_for("ns1 to serve a on ns3's vote", lambda: one.answers() == sorted([A, B]))
        self.assertEqual(said(votes_of(one, "a"))["ns3"], "up")

        # Garbage again: the vote is dropped at once, not when it would have gone stale.
        fake.body = "<html>not observations</html>"
        ph.wait_for("ns1 to drop a again", lambda: one.answers() == [B], timeout=2.0)
        self.assertEqual(said(votes_of(one, "a"))["ns3"], "unreachable")


if __name__ == "__main__":
    unittest.main(verbosity=2)
